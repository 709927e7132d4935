/**
 * Named option sets for every stage, so each timeout and retry policy is written once, beside
 * the reason for it. Failure types listed as non-retryable end the run at once.
 */
import type { ActivityOptions } from '@temporalio/workflow';
import { FailureType } from '../shared/failure-types';

const PERMANENT = [
  FailureType.InvalidInput,
  FailureType.SourceNotFound,
  FailureType.SafetyBlocked,
  FailureType.ProviderRejected,
  FailureType.ProviderTaskFailed,
  FailureType.BudgetExceeded,
];

/** One HTTP request to PubMed; NCBI hiccups pass within minutes. */
export const sourceOptions: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 8, nonRetryableErrorTypes: PERMANENT },
};

/**
 * One model call; a malformed reply is already retried inside the adapter. The activity
 * heartbeats while it waits, so a lost worker is noticed in seconds, not at the 3-minute timeout.
 */
export const scriptOptions: ActivityOptions = {
  startToCloseTimeout: '3m',
  heartbeatTimeout: '20s',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '2m', maximumAttempts: 5, nonRetryableErrorTypes: PERMANENT },
};

/** Speech for one scene takes seconds; heartbeats carry cancellation to espeak-ng or the TTS call. */
export const narrationOptions: ActivityOptions = {
  startToCloseTimeout: '3m',
  heartbeatTimeout: '15s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 6, nonRetryableErrorTypes: PERMANENT },
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
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5m', maximumAttempts: 10, nonRetryableErrorTypes: PERMANENT },
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
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 5, nonRetryableErrorTypes: PERMANENT },
};

/** Removing files after a cancel; must not wait long for a worker that is gone. */
export const cleanupOptions: ActivityOptions = {
  startToCloseTimeout: '1m',
  scheduleToCloseTimeout: '10m',
};
