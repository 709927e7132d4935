import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';

/** When the server recorded each step of one activity, in epoch milliseconds. */
export interface ActivityTimeline {
  activityId: string;
  type: string;
  scheduled: number;
  started?: number;
  /** When it completed, failed or timed out. */
  closed?: number;
  /** Its first argument and, once completed, its result, decoded. */
  input?: unknown;
  result?: unknown;
}

export interface WorkflowTimeline {
  started: number;
  closed?: number;
  activities: ActivityTimeline[];
}

type Payloads = temporal.api.common.v1.IPayloads | null | undefined;

function firstValue(payloads: Payloads): unknown {
  const payload = payloads?.payloads?.[0];
  return payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
}

function toMs(ts: temporal.api.history.v1.IHistoryEvent['eventTime']): number {
  if (!ts) return Number.NaN;
  return Number(ts.seconds ?? 0) * 1000 + (ts.nanos ?? 0) / 1e6;
}

/** Reads a workflow's history and pairs each ActivityTaskScheduled with its Started and closing events. */
export async function workflowTimeline(client: Client, workflowId: string): Promise<WorkflowTimeline> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const bySchedule = new Map<string, ActivityTimeline>();
  let started = Number.NaN;
  let closed: number | undefined;
  for (const event of history.events ?? []) {
    const at = toMs(event.eventTime);
    if (event.workflowExecutionStartedEventAttributes) started = at;
    if (event.workflowExecutionCompletedEventAttributes || event.workflowExecutionFailedEventAttributes) closed = at;
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      bySchedule.set(String(event.eventId), {
        activityId: scheduled.activityId ?? '',
        type: scheduled.activityType?.name ?? '',
        scheduled: at,
        input: firstValue(scheduled.input),
      });
    }
    const startedAttrs = event.activityTaskStartedEventAttributes;
    if (startedAttrs) {
      const activity = bySchedule.get(String(startedAttrs.scheduledEventId));
      if (activity) activity.started = at;
    }
    const closing =
      event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes;
    if (closing) {
      const activity = bySchedule.get(String(closing.scheduledEventId));
      if (activity) activity.closed = at;
      const completed = event.activityTaskCompletedEventAttributes;
      if (activity && completed) activity.result = firstValue(completed.result);
    }
  }
  return { started, closed, activities: [...bySchedule.values()] };
}
