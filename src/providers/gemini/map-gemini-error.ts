/**
 * Turns what the Gemini SDK throws into the provider's typed errors, so that Temporal's retry
 * policy (not the SDK) decides what happens next. The SDK's ApiError carries only the status and
 * the JSON error body as its message; a 429's wait comes from RetryInfo in that body.
 */
import { ApiError } from '@google/genai';
import { ProviderRejectedError, ProviderUnavailableError, RateLimitedError, type ProviderError } from '../errors';

interface GoogleErrorBody {
  error?: {
    message?: string;
    status?: string;
    details?: { '@type'?: string; retryDelay?: string }[];
  };
}

/** Google RPC durations are written as "37s" or "1.5s". */
function parseRetryDelay(value: string | undefined): number | undefined {
  const match = value ? /^(\d+(?:\.\d+)?)s$/.exec(value.trim()) : null;
  return match?.[1] ? Math.round(Number(match[1]) * 1000) : undefined;
}

function readBody(message: string): GoogleErrorBody {
  try {
    return JSON.parse(message) as GoogleErrorBody;
  } catch {
    return {};
  }
}

function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError || (err instanceof Error && err.name === 'ApiError' && 'status' in err);
}

/**
 * Maps an error thrown by a Gemini call. After an abort of `signal` its reason is handed back,
 * so cancellation stays cancellation; anything unrecognised is treated as a transient failure.
 */
export function mapGeminiError(err: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason ?? err;
  if (isApiError(err)) {
    const body = readBody(err.message);
    const detail = (body.error?.message ?? err.message).slice(0, 300);
    const what = `Gemini answered ${err.status}${body.error?.status ? ` ${body.error.status}` : ''}: ${detail}`;
    if (err.status === 429) {
      const retryInfo = body.error?.details?.find((d) => d['@type']?.endsWith('google.rpc.RetryInfo'));
      return new RateLimitedError(what, parseRetryDelay(retryInfo?.retryDelay));
    }
    if (err.status >= 500 || err.status === 408) return new ProviderUnavailableError(what);
    return new ProviderRejectedError(what);
  }
  const reason = err instanceof Error ? err.message : String(err);
  return new ProviderUnavailableError(`Gemini could not be reached: ${reason}`) satisfies ProviderError;
}
