/**
 * The cluster's database: a PostgreSQL server of its own (Debian's binaries), in a folder of its
 * own, on 127.0.0.1 and a port of its own, so it never touches a system PostgreSQL. PostgreSQL
 * refuses to run as root; when this process is root, initdb and the server run as the `postgres`
 * system user that Debian's package creates. Clients log in with a password (scram-sha-256): any
 * local user can reach 127.0.0.1, so `trust` would hand the cluster's data to all of them.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { killedWithParent } from '../../shared-node/parent-death-signal';
import { captureOutput, exitOf, stopChild, type ProcessExit } from './child-process-exit';

const run = promisify(execFile);

/** The user that owns the data folder and runs the server when this process is root. */
export const POSTGRES_SYSTEM_USER = 'postgres';
/** The database superuser the Temporal server and its schema tool log in as. */
export const POSTGRES_USER = 'temporal';

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 15_000;

export interface PostgresOptions {
  /** Folder of `postgres`, `initdb` and `psql` (Debian: /usr/lib/postgresql/<major>/bin). */
  binDir: string;
  /** Folder holding `data/` and `postgres.log`; created when missing, kept between runs. */
  dir: string;
  port: number;
  /** Password of POSTGRES_USER, set when the data folder is first created. */
  password: string;
  /**
   * Connections the server accepts. Each Temporal node opens about 25 (4 services, each with its
   * own pools).
   * @default 200
   */
  maxConnections?: number;
}

export interface PostgresServer {
  host: string;
  port: number;
  user: string;
  password: string;
  process: ChildProcess;
  /** Runs one SQL statement in `database` and returns its rows, each a list of text columns. */
  query(database: string, sql: string): Promise<string[][]>;
  /** Fast shutdown (SIGINT: open sessions are ended, data is flushed); resolves once it exited. */
  stop(): Promise<ProcessExit>;
}

interface SystemUser {
  uid: number;
  gid: number;
}

const isRoot = (): boolean => process.getuid?.() === 0;

function systemUser(name: string): SystemUser {
  const id = (flag: string): number => Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0 || !Number.isInteger(gid)) {
    throw new Error(
      `PostgreSQL refuses to run as root, and there is no "${name}" user to run it as. ` +
        "Install Debian's postgresql package (`npm run setup -- --servers`) or run as a normal user.",
    );
  }
  return { uid, gid };
}

/** `command args` as the server's user: the `postgres` system user when we are root, ourselves otherwise. */
function asServerUser(command: string, args: string[], deathSignal?: 'INT'): { command: string; args: string[] } {
  if (!isRoot()) return deathSignal ? killedWithParent(command, args) : { command, args };
  const death = deathSignal ? ['--pdeathsig', deathSignal] : [];
  const user = POSTGRES_SYSTEM_USER;
  return { command: 'setpriv', args: [...death, '--reuid', user, '--regid', user, '--init-groups', '--', command, ...args] };
}

/** Creates the folder owned by the server's user, and checks that user can reach it. */
function prepareDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!isRoot()) return;
  const { uid, gid } = systemUser(POSTGRES_SYSTEM_USER);
  fs.chownSync(dir, uid, gid);
  const probe = asServerUser('test', ['-w', dir]);
  if (spawnSync(probe.command, probe.args).status !== 0) {
    throw new Error(
      `PostgreSQL runs as the "${POSTGRES_SYSTEM_USER}" user, which cannot reach ${dir}: ` +
        'let it through the parent folders (chmod o+x), or choose another data folder.',
    );
  }
}

async function initDataDir(options: PostgresOptions, dataDir: string): Promise<void> {
  if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  // initdb reads the password from a file as the server's user; it lives only during the call.
  const pwfile = path.join(options.dir, '.initdb-password');
  fs.writeFileSync(pwfile, `${options.password}\n`, { mode: 0o600 });
  if (isRoot()) {
    const { uid, gid } = systemUser(POSTGRES_SYSTEM_USER);
    fs.chownSync(pwfile, uid, gid);
  }
  const args = [
    '-D',
    dataDir,
    '-U',
    POSTGRES_USER,
    `--pwfile=${pwfile}`,
    '--auth-host=scram-sha-256',
    '--auth-local=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C',
  ];
  const initdb = asServerUser(path.join(options.binDir, 'initdb'), args);
  try {
    await run(initdb.command, initdb.args, { cwd: options.dir });
  } catch (error) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`initdb failed: ${stderr.trim()}`);
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
}

/** Initialises the data folder on first use, starts the server and resolves once it accepts logins. */
export async function startPostgres(options: PostgresOptions): Promise<PostgresServer> {
  prepareDir(options.dir);
  const dataDir = path.join(options.dir, 'data');
  await initDataDir(options, dataDir);

  const settings = {
    listen_addresses: '127.0.0.1',
    port: String(options.port),
    // TCP only: no socket file in a folder the server's user may not own.
    unix_socket_directories: '',
    max_connections: String(options.maxConnections ?? 200),
  };
  const args = ['-D', dataDir, ...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`])];
  // SIGINT on our death: a fast shutdown, so a crashed parent leaves a clean data folder behind.
  const launch = asServerUser(path.join(options.binDir, 'postgres'), args, 'INT');
  const child = spawn(launch.command, launch.args, { cwd: options.dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output = captureOutput(child, path.join(options.dir, 'postgres.log'));
  const exited = exitOf(child).then((exit) => {
    output.close();
    return exit;
  });

  const env = { ...process.env, PGPASSWORD: options.password, PGCONNECT_TIMEOUT: '5' };
  const query = async (database: string, sql: string): Promise<string[][]> => {
    const psqlArgs = ['-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(options.port)];
    const { stdout } = await run(path.join(options.binDir, 'psql'), [...psqlArgs, '-U', POSTGRES_USER, '-d', database, '-c', sql], { env });
    return stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split('\t'));
  };
  const stop = () => stopChild(child, exited, 'SIGINT', STOP_GRACE_MS, ['SIGQUIT', 'SIGKILL']);

  let exit: ProcessExit | undefined;
  void exited.then((e) => (exit = e));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exit) throw new Error(`PostgreSQL exited (code ${exit.code}, signal ${exit.signal}) before it was ready:\n${output.tail()}`);
    if (
      await query('postgres', 'SELECT 1').then(
        () => true,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`PostgreSQL did not accept logins on 127.0.0.1:${options.port} within ${READY_TIMEOUT_MS} ms:\n${output.tail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { host: '127.0.0.1', port: options.port, user: POSTGRES_USER, password: options.password, process: child, query, stop };
}
