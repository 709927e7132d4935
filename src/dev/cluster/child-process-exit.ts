/**
 * The cluster's long-running children (PostgreSQL, the Temporal nodes) are stopped the same way:
 * a polite signal, a harder one after a grace period, and a promise that settles once the process
 * has really exited, so that `stop()` never returns while something still holds a port or a file.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

/** Resolves once `child` exited (or failed to start); never rejects. */
export function exitOf(child: ChildProcess): Promise<ProcessExit> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once('error', (error) => resolve({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

export function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

/**
 * Sends `signal`, then `escalation` after `graceMs` (repeatedly, up to SIGKILL), and resolves once
 * the process exited.
 */
export async function stopChild(
  child: ChildProcess,
  exited: Promise<ProcessExit>,
  signal: NodeJS.Signals,
  graceMs: number,
  escalation: NodeJS.Signals[] = ['SIGKILL'],
): Promise<ProcessExit> {
  if (isRunning(child)) child.kill(signal);
  const steps = [...escalation];
  let timer: NodeJS.Timeout | undefined;
  const escalate = (): void => {
    const next = steps.shift();
    if (!next || !isRunning(child)) return;
    child.kill(next);
    timer = setTimeout(escalate, graceMs);
  };
  timer = setTimeout(escalate, graceMs);
  const exit = await exited;
  clearTimeout(timer);
  return exit;
}

/** Keeps the last `maxChars` of a child's output in memory and appends all of it to `logFile`. */
export function captureOutput(child: ChildProcess, logFile: string, maxChars = 4_000): { tail(): string; close(): void } {
  const log = fs.createWriteStream(logFile, { flags: 'a', mode: 0o600 });
  let tail = '';
  const collect = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-maxChars);
    log.write(chunk);
  };
  // Both pipes must be drained, or a chatty server would block on a full pipe.
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return { tail: () => tail.trim() || '(no output)', close: () => log.end() };
}
