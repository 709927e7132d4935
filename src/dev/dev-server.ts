/**
 * Runs `temporal server start-dev` as a child process with a SQLite file, so runs survive a
 * restart, and the project's search attributes registered. Used by `npm run temporal`, the demo
 * and the tests; none of them may rely on the SDK's own download of the CLI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../shared/temporal-names';
import { killedWithParent } from '../shared-node/parent-death-signal';
import { singlePartitionArgs } from './single-partition-args';

export interface DevServerOptions {
  /** Path of the `temporal` binary (see `temporalCliPath()`). */
  cliPath: string;
  /** SQLite file holding the server's state; its folder is created when missing. */
  dbFile: string;
  /** Frontend gRPC port. */
  port: number;
  /** Web UI port; `false` or absent runs the server headless. */
  uiPort?: number | false;
  /** Namespace created at start (the `default` namespace always exists). */
  namespace?: string;
  /** When set, the server's output is appended to this file. */
  logFile?: string;
  /** Address both the frontend and the UI bind to; 127.0.0.1 unless told otherwise. */
  host?: string;
}

export interface DevServer {
  /** `host:port` of the frontend, ready for `Connection.connect({ address })`. */
  address: string;
  /** Base URL of the Web UI, when it runs. */
  uiUrl?: string;
  process: ChildProcess;
  /** Asks the server to shut down (SIGTERM), forces it after 5 s, and resolves once it exited. */
  stop(): Promise<void>;
  /** Kills the server at once (SIGKILL), as a crash would, and resolves once it exited. */
  kill(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const READY_POLL_MS = 200;
const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_CHARS = 4_000;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

function serverArgs(options: DevServerOptions, host: string, namespace: string): string[] {
  const args = ['server', 'start-dev', '--db-filename', options.dbFile, '--ip', host];
  args.push('--port', String(options.port));
  if (typeof options.uiPort === 'number') args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  // `default` always exists; naming it again is harmless but noisy.
  if (namespace !== 'default') args.push('--namespace', namespace);
  args.push('--log-level', 'warn');
  for (const attribute of SEARCH_ATTRIBUTES) {
    args.push('--search-attribute', `${attribute.name}=${attribute.type}`);
  }
  // Rate-limited queues must see the whole configured rate, not a quarter of it per partition.
  args.push(...singlePartitionArgs());
  return args;
}

/**
 * True once the frontend answers for the namespace; an open port alone is not enough.
 * `Connection.connect` leaves its channel open when it fails, so build it lazily and always close.
 */
async function frontendAnswers(address: string, namespace: string): Promise<boolean> {
  const connection = Connection.lazy({ address, connectTimeout: 1_000 });
  try {
    await connection.ensureConnected();
    await connection.withDeadline(Date.now() + 2_000, () => connection.workflowService.describeNamespace({ namespace }));
    return true;
  } catch {
    return false;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

async function waitUntilReady(
  address: string,
  namespace: string,
  exited: Promise<Exit>,
  describeExit: (exit: Exit) => string,
): Promise<void> {
  let exit: Exit | undefined;
  void exited.then((e) => (exit = e));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exit) throw new Error(describeExit(exit));
    if (await frontendAnswers(address, namespace)) return;
    if (exit) throw new Error(describeExit(exit));
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  throw new Error(`Temporal dev server at ${address} did not answer within ${READY_TIMEOUT_MS} ms`);
}

/**
 * Starts a Temporal dev server and resolves once its frontend serves the namespace. Rejects,
 * with the tail of the server's output, when the server dies or is not ready within 30 s.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const host = options.host ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const address = `${host}:${options.port}`;
  fs.mkdirSync(path.dirname(path.resolve(options.dbFile)), { recursive: true });

  // A process group of its own: Ctrl-C or a process manager's `kill -<pgid>` must not stop the
  // server before the workers and the API that use it; its parent stops it last. The kernel
  // still kills it if the parent dies without stopping it.
  const launch = killedWithParent(options.cliPath, serverArgs(options, host, namespace));
  const child = spawn(launch.command, launch.args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = options.logFile ? fs.createWriteStream(options.logFile, { flags: 'a' }) : undefined;
  let tail = '';
  const collect = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    log?.write(chunk);
  };
  // Both pipes must be drained, or a chatty server would block on a full pipe.
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);

  // A server left behind by a crashed parent would hold the port and lock the SQLite file.
  const killOnParentExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnParentExit);
  const exited = new Promise<Exit>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  }).then((exit) => {
    process.removeListener('exit', killOnParentExit);
    log?.end();
    return exit;
  });
  const describeExit = (exit: Exit): string =>
    `Temporal dev server (${options.cliPath}) ${
      exit.error ? `could not start: ${exit.error.message}` : `exited (code ${exit.code}, signal ${exit.signal})`
    } before it was ready. Last output:\n${tail.trim() || '(none)'}`;

  const isRunning = (): boolean => child.exitCode === null && child.signalCode === null;
  const stopWith = async (signal: NodeJS.Signals): Promise<void> => {
    if (isRunning()) child.kill(signal);
    const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(force);
  };

  try {
    await waitUntilReady(address, namespace, exited, describeExit);
  } catch (error) {
    await stopWith('SIGKILL');
    throw error;
  }

  return {
    address,
    uiUrl: typeof options.uiPort === 'number' ? `http://${host}:${options.uiPort}` : undefined,
    process: child,
    stop: () => stopWith('SIGTERM'),
    kill: () => stopWith('SIGKILL'),
  };
}
