/**
 * Calls a function from `concurrency` callers at once, each starting its next call when the last
 * one returned, for a fixed time: the client side of a load test for calls autocannon cannot make
 * (gRPC to Temporal).
 */
import { percentile } from './stats';

export interface ClosedLoopRun {
  perSec: number;
  /** Latency percentiles, ms. */
  p50: number;
  p99: number;
  max: number;
  errors: number;
}

export async function runClosedLoop(options: {
  concurrency: number;
  durationSec: number;
  call: (index: number) => Promise<unknown>;
}): Promise<ClosedLoopRun> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const began = performance.now();
  const endAt = began + options.durationSec * 1000;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (performance.now() < endAt) {
        const start = performance.now();
        try {
          await options.call(next++);
          latencies.push(performance.now() - start);
        } catch {
          errors += 1;
        }
      }
    }),
  );
  const wallSec = (performance.now() - began) / 1000;
  if (latencies.length === 0) throw new Error(`every call failed (${errors} errors)`);
  return {
    perSec: latencies.length / wallSec,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    max: Math.max(...latencies),
    errors,
  };
}
