/**
 * Creates the Temporal databases and brings their schemas to the server's version with Temporal's
 * own schema tool (`temporal-sql-tool`, built as `sql`), the way an operator upgrades a cluster:
 * `create-database`, `setup-schema -v 0.0` once, then `update-schema` on every start (it applies
 * only the versions a database lacks). The schemas are the ones embedded in the tool, so they
 * always match the server built from the same module version.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { PostgresServer } from './postgres-server';

const run = promisify(execFile);

/** The SQL plugin of PostgreSQL 12 and newer, the same in docker-compose.temporal.yml. */
export const SQL_PLUGIN = 'postgres12';

/** Each database Temporal needs, with the embedded schema it follows. */
export const TEMPORAL_DATABASES = [
  { name: 'temporal', schema: 'postgresql/v12/temporal' },
  { name: 'temporal_visibility', schema: 'postgresql/v12/visibility' },
] as const;

/** The version each database's schema is at, after `ensureTemporalSchemas`. */
export type SchemaVersions = Record<(typeof TEMPORAL_DATABASES)[number]['name'], string>;

async function exists(db: PostgresServer, database: string): Promise<boolean> {
  const rows = await db.query('postgres', `SELECT 1 FROM pg_database WHERE datname = '${database}'`);
  return rows.length > 0;
}

async function schemaVersion(db: PostgresServer, database: string): Promise<string | undefined> {
  const [table] = await db.query(database, `SELECT to_regclass('schema_version') IS NOT NULL`);
  if (table?.[0] !== 't') return undefined;
  const [row] = await db.query(database, 'SELECT curr_version FROM schema_version');
  return row?.[0];
}

/** Creates what is missing and updates every schema to the newest version the tool knows. Idempotent. */
export async function ensureTemporalSchemas(sqlTool: string, db: PostgresServer): Promise<SchemaVersions> {
  // The password goes through the environment, never the command line that `ps` shows.
  const env = { ...process.env, SQL_PASSWORD: db.password };
  const connection = ['--plugin', SQL_PLUGIN, '--endpoint', db.host, '--port', String(db.port), '--user', db.user];
  const tool = async (database: string, ...command: string[]): Promise<void> => {
    try {
      await run(sqlTool, [...connection, '--db', database, ...command], { env });
    } catch (error) {
      const detail = (error as { stderr?: string; stdout?: string }).stderr || (error as { stdout?: string }).stdout || String(error);
      throw new Error(`temporal-sql-tool ${command[0]} on ${database} failed: ${detail.trim().slice(-2000)}`);
    }
  };
  const versions: Partial<SchemaVersions> = {};
  for (const { name, schema } of TEMPORAL_DATABASES) {
    if (!(await exists(db, name))) await tool(name, 'create-database');
    if ((await schemaVersion(db, name)) === undefined) await tool(name, 'setup-schema', '-v', '0.0');
    await tool(name, 'update-schema', '--schema-name', schema);
    versions[name] = (await schemaVersion(db, name)) ?? 'unknown';
  }
  return versions as SchemaVersions;
}
