/**
 * The programs a local cluster runs, found where `npm run setup -- --servers` puts them: the
 * Temporal server and its schema tool under `.tools/go-bin/` (scripts/lib/go-tools.cjs) and
 * Debian's PostgreSQL (scripts/lib/postgres-bin.cjs). Never installs anything itself.
 */
import path from 'node:path';
import { projectRoot } from '../temporal-cli';

export interface ClusterBinaries {
  /** go.temporal.io/server/cmd/server */
  server: string;
  /** go.temporal.io/server/cmd/tools/sql (temporal-sql-tool) */
  sqlTool: string;
  /** Folder of `postgres`, `initdb` and `psql`. */
  postgresBinDir: string;
  /** The server's dynamic configuration, shared with docker-compose.temporal.yml. */
  dynamicConfigFile: string;
}

interface GoToolsLib {
  findGoTool(root: string, name: 'temporal-server'): { server: string; sql: string } | undefined;
}
interface PostgresBinLib {
  postgresBinDir(): string | undefined;
}

/** Paths of every binary; throws naming the command that installs what is missing. */
export function clusterBinaries(root = projectRoot()): ClusterBinaries {
  // Plain requires: the .cjs files must stay loadable by Node before `npm install` has run.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const goTools = require(path.join(root, 'scripts', 'lib', 'go-tools.cjs')) as GoToolsLib;
  const postgres = require(path.join(root, 'scripts', 'lib', 'postgres-bin.cjs')) as PostgresBinLib;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const temporal = goTools.findGoTool(root, 'temporal-server');
  const postgresBinDir = postgres.postgresBinDir();
  if (!temporal || !postgresBinDir) {
    const missing = [temporal ? undefined : 'the Temporal server', postgresBinDir ? undefined : 'PostgreSQL'].filter(Boolean);
    throw new Error(`${missing.join(' and ')} not installed: run \`npm run setup -- --servers\`.`);
  }
  return {
    server: temporal.server,
    sqlTool: temporal.sql,
    postgresBinDir,
    dynamicConfigFile: path.join(root, 'config', 'temporal', 'dynamic-config.yaml'),
  };
}
