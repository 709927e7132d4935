/**
 * Fixed provider latencies for the benchmark fakes. A latency of 0 makes a fake instant, so what
 * is left of a video's time is what Temporal and the activity code add around the providers.
 */
export interface ProviderLatencies {
  scriptMs: number;
  narrationMs: number;
  clipMs: number;
  /** The render activity is replaced by a stub of this length (see stub-render-interceptor.ts). */
  renderMs: number;
}

export const INSTANT: ProviderLatencies = { scriptMs: 0, narrationMs: 0, clipMs: 0, renderMs: 0 };

/** Waits `ms` milliseconds, or rejects at once with an AbortError when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      const err = new Error('The operation was aborted');
      err.name = 'AbortError';
      reject(err);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
