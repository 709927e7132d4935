/**
 * Starts bench/worker-process.ts as a child process and waits until its workers poll. The child
 * is started as `node --import tsx …` rather than through npx, so that the pid we hold is the
 * worker itself and a SIGKILL reaches it (npx and the tsx CLI would put a parent in between).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { WorkerProcessConfig } from '../worker-process';

export interface WorkerChild {
  process: ChildProcess;
  /** Stops it gracefully (SIGTERM) and resolves once it exited. */
  stop(): Promise<void>;
  /** Kills it at once (SIGKILL), as a crash would; resolves once it exited, with the time of the kill. */
  kill(): Promise<number>;
}

const READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 10_000;

export async function startWorkerChild(config: WorkerProcessConfig): Promise<WorkerChild> {
  const script = path.join(__dirname, '..', 'worker-process.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: path.join(__dirname, '..', '..'),
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker process not ready in ${READY_TIMEOUT_MS} ms: ${stderr}`)), READY_TIMEOUT_MS);
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('"ready":true')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`worker process exited before it was ready (code ${child.exitCode}): ${stderr}`));
    });
  });

  return {
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(force);
    },
    async kill() {
      const at = Date.now();
      child.kill('SIGKILL');
      await exited;
      return at;
    },
  };
}
