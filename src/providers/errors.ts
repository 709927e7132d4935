/**
 * Typed errors raised at the provider edge. Activities turn them into ApplicationFailures whose
 * `type` is the error's `failureType` and whose retry flag is `retryable`.
 */
import { FailureType } from '../shared/failure-types';

export class ProviderError extends Error {
  constructor(
    message: string,
    readonly failureType: FailureType,
    readonly retryable: boolean,
    /** Delay the provider asked for before the next attempt (Retry-After), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The PMID does not exist, or the article has no abstract. */
export class SourceNotFoundError extends ProviderError {
  constructor(message: string) {
    super(message, FailureType.SourceNotFound, false);
  }
}

/** The provider blocked the content for safety reasons; retrying will not help. */
export class SafetyBlockedError extends ProviderError {
  constructor(message: string) {
    super(message, FailureType.SafetyBlocked, false);
  }
}

/** The provider asked for fewer requests (HTTP 429). */
export class RateLimitedError extends ProviderError {
  constructor(message: string, retryAfterMs?: number) {
    super(message, FailureType.RateLimited, true, retryAfterMs);
  }
}

/** A transient provider or network failure (5xx, reset connection, timeout). */
export class ProviderUnavailableError extends ProviderError {
  constructor(message: string, retryAfterMs?: number) {
    super(message, FailureType.ProviderUnavailable, true, retryAfterMs);
  }
}

/** The provider refused the request for good (4xx other than 429, bad credentials). */
export class ProviderRejectedError extends ProviderError {
  constructor(message: string) {
    super(message, FailureType.ProviderRejected, false);
  }
}

/** The provider's reply does not fit its contract (malformed JSON, schema mismatch). */
export class InvalidProviderReplyError extends ProviderError {
  constructor(message: string) {
    super(message, FailureType.InvalidProviderReply, true);
  }
}

/** A provider-side job ended in failure that retrying will not fix. */
export class ProviderTaskFailedError extends ProviderError {
  constructor(message: string) {
    super(message, FailureType.ProviderTaskFailed, false);
  }
}

/**
 * A provider-side job failed for a reason a new submission may fix (Runway's INTERNAL.* and
 * ASSET.*). Waiting on the dead task again is pointless, so the wait does not retry; the workflow
 * submits that step again, keeping what earlier steps produced.
 */
export class TaskFailedTransientError extends ProviderError {
  constructor(message: string) {
    super(message, FailureType.TaskFailedTransient, false);
  }
}

/**
 * A paid submission whose answer was lost (timeout, reset connection, 5xx): the provider may have
 * created, and will bill, a task whose id we never saw. Not retried blindly: the workflow counts
 * the possible charge and decides whether one more submission is allowed.
 */
export class SubmissionUnconfirmedError extends ProviderError {
  constructor(message: string) {
    super(message, FailureType.SubmissionUnconfirmed, false);
  }
}
