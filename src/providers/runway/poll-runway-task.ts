/**
 * Waits for a Runway task to finish by polling GET /v1/tasks/{id}. Kept apart from the clip
 * generator so each failure outcome is decided in one place, where the failure codes are read.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunwayML } from '@runwayml/sdk';
import { ProviderTaskFailedError, SafetyBlockedError, TaskFailedTransientError } from '../errors';
import { mapRunwayError } from './map-runway-error';
import { withScopedSignal } from '../scoped-signal';

export type RunwayTask = Awaited<ReturnType<RunwayML['tasks']['retrieve']>>;
export type SucceededTask = Extract<RunwayTask, { status: 'SUCCEEDED' }>;

export interface PollOptions {
  client: RunwayML;
  taskId: string;
  intervalMs: number;
  signal: AbortSignal;
  /** Called with the task's own progress, 0–1, on every poll. */
  onProgress: (fraction: number) => void;
}

function isSafetyCode(code: string): boolean {
  // Codes look like SAFETY.INPUT.TEXT or INPUT_PREPROCESSING.SAFETY.TEXT.
  return code.split('.').includes('SAFETY');
}

function isTransientCode(code: string): boolean {
  const head = code.split('.')[0] ?? '';
  return head === 'INTERNAL' || head === 'ASSET' || code === 'INPUT_PREPROCESSING.INTERNAL';
}

function failureFor(task: Extract<RunwayTask, { status: 'FAILED' }>): Error {
  const code = task.failureCode ?? '';
  const message = `Runway task ${task.id} failed${code ? ` (${code})` : ''}: ${task.failure}`;
  if (isSafetyCode(code)) return new SafetyBlockedError(message);
  if (isTransientCode(code)) return new TaskFailedTransientError(message);
  return new ProviderTaskFailedError(message);
}

/** Resolves with the task once SUCCEEDED; throws the typed failure otherwise. */
export async function pollRunwayTask(options: PollOptions): Promise<SucceededTask> {
  const { client, taskId, intervalMs, signal, onProgress } = options;
  for (;;) {
    let task: RunwayTask;
    try {
      task = await withScopedSignal(signal, (scoped) => client.tasks.retrieve(taskId, { signal: scoped }));
    } catch (err) {
      throw mapRunwayError(err, signal);
    }
    switch (task.status) {
      case 'SUCCEEDED':
        onProgress(1);
        return task;
      case 'FAILED':
        throw failureFor(task);
      case 'CANCELLED':
        // Someone cancelled it on Runway's side; resubmitting would spend credits nobody asked for.
        throw new ProviderTaskFailedError(`Runway task ${task.id} was cancelled`);
      case 'RUNNING':
        onProgress(Math.min(1, Math.max(0, task.progress ?? 0)));
        break;
      default:
        onProgress(0);
    }
    // timers/promises rejects with a generic AbortError; hand back the abort's reason instead,
    // as an abort during the request above does (mapRunwayError).
    await sleep(intervalMs, undefined, { signal }).catch((err: unknown) => {
      throw signal.aborted ? (signal.reason ?? err) : err;
    });
  }
}
