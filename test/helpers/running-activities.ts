import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const { PENDING_ACTIVITY_STATE_STARTED } = temporal.api.enums.v1.PendingActivityState;

/**
 * Types of the activities a worker is running for the workflow right now (started, not finished).
 * The history cannot tell: Temporal writes an activity's started event only once it ends.
 */
export async function runningActivityTypes(handle: WorkflowHandle): Promise<string[]> {
  const { raw } = await handle.describe();
  return (raw.pendingActivities ?? []).filter((a) => a.state === PENDING_ACTIVITY_STATE_STARTED).map((a) => a.activityType?.name ?? '');
}
