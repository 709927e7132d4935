/**
 * Decides, for a failed task submission, whether Runway may have created the task anyway. Only
 * answers that prove nothing was created (a refused connection, a 429, a 4xx) are plain errors; a
 * timeout, a reset connection or a 5xx may have come after the task was created and billed, so
 * they become SubmissionUnconfirmedError and the workflow counts the possible charge.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError } from '@runwayml/sdk';
import { SubmissionUnconfirmedError } from '../errors';
import { mapRunwayError } from './map-runway-error';

/** Network errors raised before a single byte of the request left this machine. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  for (let cause = err, depth = 0; cause && typeof cause === 'object' && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    cause = (cause as { cause?: unknown }).cause;
  }
  return codes;
}

export function mapRunwaySubmitError(err: unknown, what: string): unknown {
  const unconfirmed = (why: string) =>
    new SubmissionUnconfirmedError(`${what}: ${why}; Runway may have created a task whose id never arrived`);
  if (err instanceof APIConnectionTimeoutError) return unconfirmed('no answer before the request timeout');
  if (err instanceof APIConnectionError) {
    if (errorCodes(err).some((code) => NOT_SENT_CODES.has(code))) return mapRunwayError(err, new AbortController().signal);
    return unconfirmed(`the connection failed (${errorCodes(err).join(', ') || err.message})`);
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    if (err.status >= 500 || err.status === 408) return unconfirmed(`Runway answered ${err.status}`);
    return mapRunwayError(err, new AbortController().signal);
  }
  return unconfirmed(err instanceof Error ? err.message : String(err));
}
