/**
 * `src/worker.ts` as a separate process, the way operators run it, so a test can kill it with
 * SIGKILL like a crashed machine would. It runs in its own process group: a kill takes the
 * worker's ffmpeg and espeak-ng children with it, as a real crash of its container would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const PROJECT_ROOT = path.resolve(__dirname, '../..');
const READY_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 10_000;

export interface ChildWorkerOptions {
  /** Temporal frontend, `host:port`. */
  address: string;
  taskQueue: string;
  mediaRoot: string;
  /** Folders searched first for tools, e.g. one holding a fake `ffmpeg`. */
  binDir?: string;
  /** More configuration (WORKER_ROLES, RENDER_CONCURRENCY…), as environment variables. */
  env?: Record<string, string>;
  /**
   * A compiled worker (`<outDir>/src/worker.js` of `npm run build`) to run with plain node, as
   * production does, instead of `src/worker.ts` through tsx.
   */
  compiledEntry?: string;
  /** Another TypeScript entry run through tsx instead of `src/worker.ts` (a benchmark's worker). */
  entry?: string;
}

export interface ChildWorker {
  pid: number;
  /** Kills the worker and every process it started at once (SIGKILL), and resolves once it exited. */
  kill(): Promise<void>;
  /**
   * Asks the worker to stop (SIGTERM), then kills whatever is left after 10 s. Resolves with how
   * the worker process itself ended, so a test can tell a clean stop from a forced one.
   */
  stop(): Promise<WorkerExit>;
  /** Sends a signal to the worker and its children, e.g. SIGSTOP to freeze it like a stalled VM. */
  signal(signal: NodeJS.Signals): void;
  /** What the worker printed last (up to 20,000 characters). */
  output(): string;
}

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Starts a worker process and resolves once it has created its workers and starts polling. */
export async function startChildWorker(options: ChildWorkerOptions): Promise<ChildWorker> {
  const parentEnv = { ...process.env };
  // A key in the developer's shell must not turn a test into paid API calls.
  delete parentEnv.GEMINI_API_KEY;
  delete parentEnv.RUNWAYML_API_SECRET;
  const env: NodeJS.ProcessEnv = {
    ...parentEnv,
    TEMPORAL_ADDRESS: options.address,
    TASK_QUEUE: options.taskQueue,
    MEDIA_ROOT: options.mediaRoot,
    SCRIPT_PROVIDER: 'local',
    NARRATION_PROVIDER: 'local',
    CLIP_PROVIDER: 'local',
    LOG_LEVEL: 'info',
    ...(options.binDir ? { PATH: `${options.binDir}${path.delimiter}${parentEnv.PATH ?? ''}` } : {}),
    ...options.env,
  };
  // process.execPath: the Node this test runs on (npm test puts the supported one first on PATH).
  const entry = options.entry ?? path.join(PROJECT_ROOT, 'src', 'worker.ts');
  const args = options.compiledEntry ? [options.compiledEntry] : ['--import', 'tsx', entry];
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('The worker process could not be started');

  let output = '';
  const exited = new Promise<WorkerExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const killGroup = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // The group is already gone.
    }
  };
  process.once('exit', killGroup);
  void exited.then(() => process.removeListener('exit', killGroup));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not start within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    function fail(why: string) {
      clearTimeout(timer);
      killGroup();
      reject(new Error(`Worker process ${why}. Output:\n${output.slice(-4000)}`));
    }
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
      if (output.includes('"message":"worker started"')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', (code, signal) => fail(`exited (code ${code}, signal ${signal})`));
  });
  return {
    pid,
    kill: async () => void (await endWith(child, exited, killGroup, 'SIGKILL')),
    stop: () => endWith(child, exited, killGroup, 'SIGTERM'),
    signal: (signal) => {
      try {
        process.kill(-pid, signal);
      } catch {
        // The group is already gone.
      }
    },
    output: () => output,
  };
}

async function endWith(
  child: ChildProcess,
  exited: Promise<WorkerExit>,
  killGroup: () => void,
  signal: NodeJS.Signals,
): Promise<WorkerExit> {
  if (signal === 'SIGKILL') killGroup();
  else if (child.exitCode === null && child.signalCode === null) {
    // A frozen worker cannot act on SIGTERM until it runs again.
    child.kill('SIGCONT');
    child.kill(signal);
  }
  const force = setTimeout(killGroup, STOP_GRACE_MS);
  const exit = await exited;
  clearTimeout(force);
  // Tools the worker started (a hung ffmpeg) must not outlive the test.
  killGroup();
  return exit;
}
