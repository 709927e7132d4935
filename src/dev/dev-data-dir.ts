/**
 * Where `npm run temporal`, `npm start` and `npm run demo` keep the dev server's SQLite file and
 * log: `.temporal/` of the project, or TEMPORAL_DEV_DATA_DIR (tests point it at a temp folder).
 */
import path from 'node:path';
import { loadDevServerEnv } from '../config';
import { projectRoot } from './temporal-cli';

/** Absolute path of the dev server's data folder (created by the dev server when missing). */
export function devDataDir(): string {
  return path.resolve(loadDevServerEnv().TEMPORAL_DEV_DATA_DIR ?? path.join(projectRoot(), '.temporal'));
}
