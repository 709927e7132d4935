/**
 * An append-only log of provider work, one JSON line per event, shared by the worker processes of
 * one benchmark run. Lines are written synchronously so that a worker killed with SIGKILL leaves
 * every start it made on disk: the crash benchmark counts the work a killed worker lost from it.
 */
import fs from 'node:fs';

export type ProviderStage = 'script' | 'narration' | 'clip' | 'render';

export interface ExecutionEvent {
  /** `start` when work begins, `end` when it finished, `resume` when a clip job was picked up again. */
  event: 'start' | 'end' | 'resume';
  stage: ProviderStage;
  /** What the work is for, e.g. `clip:3`; the same key twice means work was done again. */
  key: string;
  pid: number;
  /** Epoch milliseconds. */
  at: number;
  /** For `end`: how long the work took. */
  durationMs?: number;
}

export class ExecutionLog {
  constructor(readonly file: string | undefined) {}

  write(event: Omit<ExecutionEvent, 'pid' | 'at'>): void {
    if (!this.file) return;
    const line: ExecutionEvent = { ...event, pid: process.pid, at: Date.now() };
    fs.appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }

  /** Wraps one piece of provider work in `start` and `end` lines. */
  async around<T>(stage: ProviderStage, key: string, work: () => Promise<T>): Promise<T> {
    const started = Date.now();
    this.write({ event: 'start', stage, key });
    const result = await work();
    this.write({ event: 'end', stage, key, durationMs: Date.now() - started });
    return result;
  }
}

/** Reads every event of a log file; a missing file has no events. */
export function readExecutionLog(file: string): ExecutionEvent[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ExecutionEvent);
}
