/**
 * What a run is retrying right now, read from Temporal's pending activities: while a provider is
 * failing, a status otherwise shows only a stage that does not move. Each entry names the
 * activity, its attempt, the last error and when the next attempt is due.
 */
import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { VideoRetry } from './schemas';

/** Long enough to say what failed, short enough to keep a status small. */
const MESSAGE_LIMIT = 300;

type Timestamp = { seconds?: unknown; nanos?: number | null } | null | undefined;

function isoTime(timestamp: Timestamp): string | undefined {
  if (!timestamp || timestamp.seconds === undefined || timestamp.seconds === null) return undefined;
  const ms = Number(timestamp.seconds) * 1000 + Math.floor((timestamp.nanos ?? 0) / 1e6);
  return new Date(ms).toISOString();
}

/** Pending activities that have failed at least once, oldest first as Temporal lists them. */
export function pendingRetries(description: WorkflowExecutionDescription): VideoRetry[] {
  const retries: VideoRetry[] = [];
  for (const pending of description.raw.pendingActivities ?? []) {
    const failure = pending.lastFailure;
    const attempt = pending.attempt ?? 1;
    if (!failure && attempt <= 1) continue;
    const timeout = failure?.timeoutFailureInfo?.timeoutType;
    const type = failure?.applicationFailureInfo?.type || (timeout ? 'Timeout' : failure ? 'Failure' : 'Unknown');
    const retry: VideoRetry = { activity: pending.activityType?.name ?? 'unknown', attempt };
    if (failure) retry.lastError = { type, message: (failure.message ?? '').slice(0, MESSAGE_LIMIT) };
    const next = isoTime(pending.nextAttemptScheduleTime);
    if (next) retry.nextAttemptAt = next;
    retries.push(retry);
  }
  return retries;
}
