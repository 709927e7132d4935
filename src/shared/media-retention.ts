/**
 * What the media retention schedule hands its workflow, and what a sweep reports. Kept here so
 * the schedule (worker start), the workflow and the sweep activity spell them once.
 */

export const MEDIA_RETENTION_WORKFLOW_TYPE = 'mediaRetention';

/**
 * One schedule per deployment: its id is derived from the task queue, as the activity queues are,
 * so deployments sharing a namespace (or tests sharing a server) never sweep each other's media.
 */
export const mediaRetentionScheduleId = (taskQueue: string) => `${taskQueue}-media-retention`;

/** The rules one sweep applies. Days may be fractions; 0 turns that rule off (kept forever). */
export interface MediaRetentionPolicy {
  /** Completed runs lose all their media this long after they ended. */
  completedDays: number;
  /** Failed, cancelled, terminated and timed-out runs lose their media this long after they ended. */
  failedDays: number;
  /** Completed runs within retention keep their scenes' narration and clips too. */
  keepIntermediateFiles: boolean;
}

/** Counts of one sweep, by what happened to each video's media. */
export interface MediaSweepResult {
  /** Videos with media in the store when the sweep listed them. */
  videos: number;
  /** Videos whose media was deleted: runs past retention and orphans. */
  removed: number;
  /** Of `removed`, folders whose run Temporal no longer knows (its history passed namespace retention). */
  orphans: number;
  /** Completed runs within retention cut down to what they serve. */
  pruned: number;
  /** Videos left as they were: running, within retention, or already holding only what they serve. */
  kept: number;
  /** Videos whose deletion failed this time (logged); the next sweep tries them again. */
  failed: number;
}
