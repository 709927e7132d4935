/**
 * The activity boundary: typed provider and media errors become ApplicationFailures with a
 * stable `type`, the right retry flag and, for 429s, the delay the provider asked for. A failure's
 * message reaches clients in the video's status, so a media tool's stderr goes to the log only.
 */
import { log } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MediaToolError } from '../media/media-tool-error';
import { ProviderError } from '../providers/errors';
import { FailureType } from '../shared/failure-types';

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err instanceof CancelledFailure);
}

export function toApplicationFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure || isAbort(err)) return err;
  if (err instanceof ProviderError) {
    return ApplicationFailure.create({
      type: err.failureType,
      message: err.message,
      nonRetryable: !err.retryable,
      nextRetryDelay: err.retryAfterMs,
    });
  }
  if (err instanceof MediaToolError) {
    log.warn('Media tool failed', { tool: err.tool, step: err.step, exitCode: err.exitCode, stderr: err.stderrTail });
    return ApplicationFailure.create({
      type: FailureType.MediaToolFailed,
      message: err.message,
    });
  }
  return err;
}

/** Runs an activity body and converts whatever it throws at the boundary. */
export async function atActivityBoundary<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw toApplicationFailure(err);
  }
}
