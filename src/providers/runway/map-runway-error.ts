/**
 * Turns what the Runway SDK throws into the provider's typed errors. The client is built with
 * maxRetries 0, so a 429's Retry-After reaches Temporal's retry policy instead of being slept
 * through inside the SDK.
 */
import { APIConnectionError, APIError } from '@runwayml/sdk';
import { ProviderRejectedError, ProviderUnavailableError, RateLimitedError } from '../errors';
import { parseRetryAfter } from '../retry-after';

/** Maps an error from a Runway call; after an abort of `signal` its reason is handed back. */
export function mapRunwayError(err: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason ?? err;
  if (err instanceof APIConnectionError) {
    return new ProviderUnavailableError(`Runway could not be reached: ${err.message}`);
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    const what = `Runway answered ${err.message.slice(0, 300)}`;
    if (err.status === 429) {
      // Typed loosely by the SDK; only `get` is needed.
      const headers = err.headers as unknown as { get(name: string): string | null } | undefined;
      const ms = headers?.get('retry-after-ms');
      const retryAfterMs = ms && /^\d+$/.test(ms) ? Number(ms) : parseRetryAfter(headers?.get('retry-after'));
      return new RateLimitedError(what, retryAfterMs);
    }
    if (err.status >= 500 || err.status === 408) return new ProviderUnavailableError(what);
    return new ProviderRejectedError(what);
  }
  const reason = err instanceof Error ? err.message : String(err);
  return new ProviderUnavailableError(`Runway call failed: ${reason}`);
}
