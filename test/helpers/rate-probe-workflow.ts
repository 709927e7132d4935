/**
 * A workflow that only schedules activities, all at once, on a queue it is told. Rate tests use
 * it instead of the video workflow so that what they measure is the task queue's dispatch rate
 * alone, not script writing, rendering or anything else that a video run waits for.
 */
import { proxyActivities } from '@temporalio/workflow';

/** The one activity the probe schedules; the test's workers record when each one starts. */
export interface RateProbeActivities {
  recordStart(index: number): Promise<void>;
}

/** Schedules `count` activities on `taskQueue` at once and waits until all have run. */
export async function rateProbe(taskQueue: string, count: number): Promise<void> {
  const { recordStart } = proxyActivities<RateProbeActivities>({
    taskQueue,
    // Every activity waits in the queue behind the rate limit; the schedule-to-close budget
    // covers that wait, the start-to-close one the (instant) activity itself.
    scheduleToCloseTimeout: '2 minutes',
    startToCloseTimeout: '10 seconds',
  });
  await Promise.all(Array.from({ length: count }, (_, index) => recordStart(index)));
}
