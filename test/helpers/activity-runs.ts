/**
 * Reads what happened to each activity out of a workflow history, so durability tests can assert
 * that a crash repeated nothing that had finished. Temporal writes an ActivityTaskStarted event
 * only for an activity's last attempt, with that attempt's number and the failure before it.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';

type Failure = temporal.api.failure.v1.IFailure;

export interface ActivityRun {
  activityId: string;
  activityType: string;
  /** The activity's argument, decoded; equal inputs mean the same piece of work. */
  input: unknown;
  scheduledEventId: number;
  /** Number of the last attempt, once it started; 1 when it ran once. */
  attempt?: number;
  /** Worker identity (`pid@host`) that ran the last attempt. */
  identity?: string;
  /** Why the attempt before the last one ended (a heartbeat timeout, a provider error…). */
  lastFailure?: Failure;
  outcome: 'pending' | 'completed' | 'failed' | 'timedOut' | 'cancelled';
  /** Event id of the completion, when it completed. */
  completedEventId?: number;
}

const num = (value: unknown) => Number(value ?? 0);

/** Every activity the workflow scheduled, in scheduling order. */
export function activityRuns(history: History): ActivityRun[] {
  const bySchedule = new Map<number, ActivityRun>();
  for (const event of history.events ?? []) {
    const id = num(event.eventId);
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const payload = scheduled.input?.payloads?.[0];
      bySchedule.set(id, {
        activityId: scheduled.activityId ?? '',
        activityType: scheduled.activityType?.name ?? '',
        input: payload ? defaultPayloadConverter.fromPayload(payload) : undefined,
        scheduledEventId: id,
        outcome: 'pending',
      });
      continue;
    }
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const run = bySchedule.get(num(started.scheduledEventId));
      if (run)
        Object.assign(run, {
          attempt: started.attempt ?? 1,
          identity: started.identity ?? undefined,
          lastFailure: started.lastFailure ?? undefined,
        });
      continue;
    }
    const ends: [ActivityRun['outcome'], { scheduledEventId?: unknown } | null | undefined][] = [
      ['completed', event.activityTaskCompletedEventAttributes],
      ['failed', event.activityTaskFailedEventAttributes],
      ['timedOut', event.activityTaskTimedOutEventAttributes],
      ['cancelled', event.activityTaskCanceledEventAttributes],
    ];
    for (const [outcome, attributes] of ends) {
      const run = attributes ? bySchedule.get(num(attributes.scheduledEventId)) : undefined;
      if (!run) continue;
      run.outcome = outcome;
      if (outcome === 'completed') run.completedEventId = id;
    }
  }
  return [...bySchedule.values()];
}

/** A key naming a piece of work: the activity type and its input. */
export const workKey = (run: ActivityRun) => `${run.activityType} ${JSON.stringify(run.input)}`;

/**
 * Pieces of work that were scheduled again after one of their runs completed, or that completed
 * more than once: both mean a finished activity was repeated. Empty when none was.
 */
export function repeatedWork(runs: ActivityRun[]): string[] {
  const problems: string[] = [];
  const byKey = new Map<string, ActivityRun[]>();
  for (const run of runs) byKey.set(workKey(run), [...(byKey.get(workKey(run)) ?? []), run]);
  for (const [key, same] of byKey) {
    const completions = same.filter((r) => r.completedEventId !== undefined).map((r) => r.completedEventId as number);
    if (completions.length > 1) problems.push(`${key} completed ${completions.length} times`);
    const firstCompletion = Math.min(...completions);
    if (same.some((r) => r.scheduledEventId > firstCompletion)) problems.push(`${key} was scheduled again after it completed`);
  }
  return problems;
}
