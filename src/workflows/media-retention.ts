/**
 * One media retention sweep, started by the deployment's schedule (src/retention/
 * media-retention-schedule.ts) or by hand. The work is one activity on the cleanup queue, so
 * renders never starve it; the workflow exists so each sweep is a run in the Web UI, with its
 * settings as input and its counts as result.
 */
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ActivitiesByQueue } from '../activities';
import type { MediaRetentionPolicy, MediaSweepResult } from '../shared/media-retention';
import { activityTaskQueue } from '../shared/temporal-names';

/**
 * A sweep lists the whole store and looks its runs up a page at a time: minutes for a large
 * bucket. Heartbeats notice a lost worker within two minutes; the retry sweeps again from the
 * start, which is harmless. A sweep that cannot finish in hours gives way to the next one.
 */
const sweepOptions = {
  startToCloseTimeout: '2h',
  scheduleToCloseTimeout: '6h',
  heartbeatTimeout: '2m',
  retry: { initialInterval: '10s', backoffCoefficient: 2, maximumInterval: '10m' },
} as const;

/** Deletes media of runs past retention and prunes completed runs to what they serve. */
export async function mediaRetention(policy: MediaRetentionPolicy): Promise<MediaSweepResult> {
  const { sweepMedia } = proxyActivities<ActivitiesByQueue['cleanup']>({
    ...sweepOptions,
    taskQueue: activityTaskQueue(workflowInfo().taskQueue, 'cleanup'),
  });
  return sweepMedia(policy);
}
