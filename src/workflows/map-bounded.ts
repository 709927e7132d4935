import { CancellationScope } from '@temporalio/workflow';

/**
 * Runs `fn` over `items` with at most `limit` calls in flight, keeping results in input order.
 * Deterministic: workers take items in index order, and Temporal orders the completions.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  });
  await Promise.all(lanes);
  return results;
}

/**
 * Like mapBounded, but a failure never leaves work running behind it: the first failure cancels
 * every other call (and starts no new one), and the result settles only once every call has
 * ended. A cancel of the run takes the same path, so cleanup never races a running activity.
 */
export async function mapSettled<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const scope = new CancellationScope();
  await scope.run(() =>
    settleAll(
      Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
        while (next < items.length && !failure) {
          const index = next++;
          try {
            results[index] = await fn(items[index] as T);
          } catch (error) {
            failure ??= { error };
            scope.cancel();
          }
        }
      }),
    ),
  );
  if (failure) throw failure.error;
  return results;
}

/** Waits for every promise to settle, then rejects with the first rejection, if any. */
export async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const outcomes = await Promise.allSettled(promises);
  const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (rejected) throw rejected.reason;
  return outcomes.map((o) => (o as PromiseFulfilledResult<T>).value);
}
