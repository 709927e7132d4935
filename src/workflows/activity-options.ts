/**
 * Named option sets for every stage, so each timeout and retry policy is written once, beside
 * the reason for it. Failure types listed as non-retryable end the run at once.
 */
import type { Duration } from '@temporalio/common';
import type { ActivityOptions, RetryPolicy } from '@temporalio/workflow';
import { FailureType } from '../shared/failure-types';

const PERMANENT = [
  FailureType.InvalidInput,
  FailureType.SourceNotFound,
  FailureType.SafetyBlocked,
  FailureType.ProviderRejected,
  FailureType.ProviderTaskFailed,
  FailureType.BudgetExceeded,
  FailureType.UploadMissing,
];

/** Exponential backoff (doubling) that never retries a permanent failure. */
function backoff(initialInterval: Duration, maximumInterval: Duration, maximumAttempts: number): RetryPolicy {
  return { initialInterval, backoffCoefficient: 2, maximumInterval, maximumAttempts, nonRetryableErrorTypes: PERMANENT };
}

/** Copying a slideshow's uploads into its folder: a few files from disk or the bucket, heartbeat per file. */
export const uploadCopyOptions: ActivityOptions = {
  startToCloseTimeout: '10m',
  heartbeatTimeout: '1m',
  retry: backoff('2s', '1m', 8),
};

/** One HTTP request to PubMed; NCBI hiccups pass within minutes. */
export const sourceOptions: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: backoff('2s', '1m', 8),
};

/**
 * One model call; a malformed reply is already retried inside the adapter. The activity
 * heartbeats while it waits, so a lost worker is noticed in seconds, not at the 3-minute timeout.
 */
export const scriptOptions: ActivityOptions = {
  startToCloseTimeout: '3m',
  heartbeatTimeout: '20s',
  retry: backoff('5s', '2m', 5),
};

/** Speech for one scene takes seconds; heartbeats carry cancellation to espeak-ng or the TTS call. */
export const narrationOptions: ActivityOptions = {
  startToCloseTimeout: '3m',
  heartbeatTimeout: '15s',
  retry: backoff('2s', '1m', 6),
};

/**
 * A paid clip job can queue for many minutes on the provider's side. The activity heartbeats
 * while it polls; a lost worker is noticed within the heartbeat timeout and the retry resumes
 * the same provider task from the heartbeat details.
 */
export const clipOptions: ActivityOptions = {
  startToCloseTimeout: '30m',
  scheduleToCloseTimeout: '2h',
  heartbeatTimeout: '20s',
  retry: backoff('5s', '5m', 10),
};

/**
 * Waiting on one provider task (polling, then the download). The worker waits detached from its
 * slot (src/activities/detached-activities.ts) and heartbeats every CLIP_WAIT_HEARTBEAT_SEC. A lost
 * worker is noticed within the heartbeat timeout and the retry waits on the same task; nothing is
 * paid again, and the provider's work goes on meanwhile, so a longer timeout only delays noticing
 * the end of a task, while each heartbeat of thousands of waits costs the server a write. A task
 * that failed is not waited on again: the workflow decides whether to submit it anew. (Runs
 * started with the earlier 10 s timeout keep it; options are not part of replay.)
 */
export const clipWaitOptions: ActivityOptions = {
  startToCloseTimeout: '30m',
  scheduleToCloseTimeout: '2h',
  heartbeatTimeout: '30s',
  retry: {
    ...backoff('1s', '1m', 20),
    nonRetryableErrorTypes: [...PERMANENT, FailureType.TaskFailedTransient],
  },
};

/**
 * One paid submission. Temporal does not retry it: the workflow sees every attempt (clip-chain.ts),
 * because an attempt whose answer was lost may have been billed. The request's own timeout
 * (RUNWAY_REQUEST_TIMEOUT_MS) is well inside these limits.
 */
export const clipSubmitOptions: ActivityOptions = {
  startToCloseTimeout: '1m',
  heartbeatTimeout: '10s',
  retry: { maximumAttempts: 1 },
};

/** Quoting is arithmetic on the worker; it only fails when no clips worker is up. */
export const quoteOptions: ActivityOptions = {
  startToCloseTimeout: '10s',
  retry: { maximumInterval: '30s' },
};

/**
 * ffmpeg reports progress twice a second and the render heartbeats only on progress, so an
 * ffmpeg that hangs stops heartbeating and is retried after the heartbeat timeout.
 */
export const renderOptions: ActivityOptions = {
  startToCloseTimeout: '30m',
  heartbeatTimeout: '30s',
  retry: backoff('2s', '1m', 5),
};

/** Removing files and deleting provider tasks after a cancel; must not wait long for a worker that is gone. */
export const cleanupOptions: ActivityOptions = {
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '10m',
};
