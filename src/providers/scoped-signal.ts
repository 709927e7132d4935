/**
 * Gives each SDK request its own short-lived AbortSignal that follows the activity's signal. The
 * Runway and Gemini SDKs add an abort listener to the caller's signal on every request and do
 * not always remove it, so a clip polled for minutes on one signal would pile up listeners.
 */

/** Runs `call` with a child signal that aborts with `parent`, detaching it afterwards. */
export async function withScopedSignal<T>(parent: AbortSignal, call: (signal: AbortSignal) => PromiseLike<T>): Promise<T> {
  const child = new AbortController();
  const forward = (): void => child.abort(parent.reason);
  if (parent.aborted) forward();
  else parent.addEventListener('abort', forward, { once: true });
  try {
    return await call(child.signal);
  } finally {
    parent.removeEventListener('abort', forward);
  }
}
