import type { ExecutionEvent, ProviderStage } from '../providers/execution-log';

/** Provider work of one run, read from its execution log. */
export interface ProviderWork {
  /** Seconds of provider work paid for (see `providerWork`). */
  seconds: number;
  /** Seconds of work whose result was lost and had to be done again. */
  redoneSeconds: number;
  /** Pieces of work started (submissions for clips). */
  executions: number;
  /** Executions whose key had been started before: work done again. */
  redone: number;
  /** Clip jobs picked up again from their checkpoint instead of being submitted again. */
  resumed: number;
}

/**
 * Totals the provider work in a log. Local work (script, narration, render) counts the time it
 * ran, up to `killedAt` for work of the killed process `killedPid`. A clip submission counts its
 * full `clipMs`, because a remote job runs, and is paid for, whether or not its worker survives.
 */
export function providerWork(events: ExecutionEvent[], options: { clipMs: number; killedPid?: number; killedAt?: number }): ProviderWork {
  const starts = events.filter((e) => e.event === 'start');
  const lastAttemptMs = new Map<string, number>();
  let ms = 0;
  let redoneMs = 0;
  let redone = 0;
  for (const start of starts) {
    const earlier = lastAttemptMs.get(start.key);
    if (earlier !== undefined) {
      redone += 1;
      redoneMs += earlier;
    }
    let attemptMs = 0;
    if (start.stage === 'clip') {
      attemptMs = options.clipMs;
    } else {
      const end = events.find((e) => e.event === 'end' && e.key === start.key && e.pid === start.pid && e.at >= start.at);
      if (end?.durationMs !== undefined) attemptMs = end.durationMs;
      else if (start.pid === options.killedPid && options.killedAt !== undefined) attemptMs = Math.max(0, options.killedAt - start.at);
    }
    ms += attemptMs;
    lastAttemptMs.set(start.key, attemptMs);
  }
  return {
    seconds: ms / 1000,
    redoneSeconds: redoneMs / 1000,
    executions: starts.length,
    redone,
    resumed: events.filter((e) => e.event === 'resume').length,
  };
}

/**
 * Milliseconds from the kill until the work of each stage that the killed process had in flight
 * was started or resumed again: how long the pipeline stood still on the lost work.
 */
export function recoveryByStage(events: ExecutionEvent[], killedPid: number, killedAt: number): Partial<Record<ProviderStage, number>> {
  const inFlight = events.filter(
    (e) =>
      e.event === 'start' &&
      e.pid === killedPid &&
      !events.some((x) => x.event === 'end' && x.key === e.key && x.pid === killedPid && x.at >= e.at),
  );
  const recovery: Partial<Record<ProviderStage, number>> = {};
  for (const lost of inFlight) {
    const again = events.find((e) => e.key === lost.key && e.pid !== killedPid && (e.event === 'start' || e.event === 'resume'));
    const delay = again ? again.at - killedAt : Number.POSITIVE_INFINITY;
    recovery[lost.stage] = Math.max(recovery[lost.stage] ?? 0, delay);
  }
  return recovery;
}
