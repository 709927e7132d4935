import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

const { PENDING_ACTIVITY_STATE_STARTED } = temporal.api.enums.v1.PendingActivityState;

/**
 * The activities a worker is running for the workflow right now (started, not finished). The
 * history cannot tell: Temporal writes an activity's started event only once the activity ends.
 */
export async function runningActivities(handle: WorkflowHandle): Promise<{ activityId: string; activityType: string }[]> {
  const { raw } = await handle.describe();
  return (raw.pendingActivities ?? [])
    .filter((a) => a.state === PENDING_ACTIVITY_STATE_STARTED)
    .map((a) => ({ activityId: a.activityId ?? '', activityType: a.activityType?.name ?? '' }));
}
