import type { ExecutionEvent } from '../providers/execution-log';

/** Provider work of one run, read from its execution log. */
export interface ProviderWork {
  /** Seconds of provider work paid for (see `providerWork`). */
  seconds: number;
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
  const seen = new Set<string>();
  let ms = 0;
  let redone = 0;
  for (const start of starts) {
    if (seen.has(start.key)) redone += 1;
    seen.add(start.key);
    if (start.stage === 'clip') {
      ms += options.clipMs;
      continue;
    }
    const end = events.find((e) => e.event === 'end' && e.key === start.key && e.pid === start.pid && e.at >= start.at);
    if (end?.durationMs !== undefined) ms += end.durationMs;
    else if (start.pid === options.killedPid && options.killedAt !== undefined) ms += Math.max(0, options.killedAt - start.at);
  }
  return { seconds: ms / 1000, executions: starts.length, redone, resumed: events.filter((e) => e.event === 'resume').length };
}

/**
 * Milliseconds from the kill until every piece of work the killed process had in flight was
 * started or resumed again: how long the pipeline stood still on the lost work.
 */
export function recoveryMs(events: ExecutionEvent[], killedPid: number, killedAt: number): number | undefined {
  const inFlight = events.filter(
    (e) =>
      e.event === 'start' &&
      e.pid === killedPid &&
      !events.some((x) => x.event === 'end' && x.key === e.key && x.pid === killedPid && x.at >= e.at),
  );
  let latest: number | undefined;
  for (const lost of inFlight) {
    const again = events.find((e) => e.key === lost.key && e.pid !== killedPid && (e.event === 'start' || e.event === 'resume'));
    if (!again) return undefined;
    latest = Math.max(latest ?? 0, again.at - killedAt);
  }
  return latest ?? 0;
}
