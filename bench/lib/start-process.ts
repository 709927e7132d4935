/**
 * The stack `npm start` runs, as a child process: `node --import tsx scripts/start.ts` (what the
 * npm script execs once setup is done, and `npm run bench` has run setup already), with free ports,
 * a temporary media folder and Temporal database, local providers and no key of the developer's.
 * The pid held is the process that serves the API (its workers run in it too); the Temporal dev
 * server is its child.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/dev/free-port';

export interface StartProcess {
  pid: number;
  /** Base URL of the API, e.g. http://127.0.0.1:41234. */
  url: string;
  /** host:port of its Temporal dev server. */
  temporalAddress: string;
  /** The inspector's WebSocket URL, when started with `inspect`. */
  inspectorUrl?: string;
  /** Stops the stack with SIGTERM, as Ctrl-C would, and removes its folder. */
  stop(): Promise<void>;
}

const PROJECT_ROOT = path.join(__dirname, '..', '..');
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 60_000;
/** Inherited variables that would point the stack at the developer's services, keys or tenant quotas. */
const NOT_INHERITED =
  /^(TEMPORAL_|PAYLOAD_|PORT$|HOST$|PUBLIC_URL$|API_KEYS$|ADMIN_API_KEYS$|TENANT_|GEMINI_|GOOGLE_|RUNWAYML_|WORKER_|OTEL_|TRACING$|npm_)/i;

/**
 * Starts the stack with `env` on top of the benchmark's defaults and resolves once it is ready.
 * `inspect` opens Node's inspector on a free loopback port, so that the benchmark can force a
 * garbage collection in the process before it reads the live heap.
 */
export async function startStartProcess(env: Record<string, string>, options: { inspect?: boolean } = {}): Promise<StartProcess> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-bench-start-'));
  const port = await freePort();
  const temporalAddress = `127.0.0.1:${await freePort()}`;
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !NOT_INHERITED.test(k)));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('scripts', 'start.ts')], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...inherited,
      MEDIA_ROOT: path.join(dir, 'media'),
      TEMPORAL_DEV_DATA_DIR: path.join(dir, 'temporal'),
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_UI_URL: `http://127.0.0.1:${await freePort()}`,
      PORT: String(port),
      SCRIPT_PROVIDER: 'local',
      NARRATION_PROVIDER: 'local',
      CLIP_PROVIDER: 'local',
      ...(options.inspect ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:0`.trim() } : {}),
      ...env,
    },
  });
  let output = '';
  const collect = (chunk: Buffer) => void (output = (output + chunk.toString('utf8')).slice(-8000));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(force);
    }
    await fs.rm(dir, { recursive: true, force: true });
  };

  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`npm start stack not ready in ${READY_TIMEOUT_MS} ms:\n${output}`)),
        READY_TIMEOUT_MS,
      );
      const check = () => {
        if (/^start: ready/m.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', check);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`npm start stack exited before it was ready (code ${child.exitCode}):\n${output}`));
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  if (child.pid === undefined) throw new Error('npm start stack has no pid');
  const inspectorUrl = /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1];
  if (options.inspect && !inspectorUrl) {
    await stop();
    throw new Error(`npm start stack printed no inspector URL:\n${output}`);
  }
  return { pid: child.pid, url: `http://127.0.0.1:${port}`, temporalAddress, inspectorUrl, stop };
}
