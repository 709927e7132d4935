/**
 * The retention decision for one video, kept apart from any I/O so that every rule of
 * docs/production.md ("Retention") reads in one place and is tested on its own.
 */
import type { MediaRetentionPolicy } from '../shared/media-retention';

/** What Temporal knows of a video's run. */
export type RunState =
  | { kind: 'running' }
  | { kind: 'closed'; outcome: 'completed' | 'unsuccessful'; closedAt: Date }
  /** No run with this id (its history passed namespace retention), or not a video's run. */
  | { kind: 'missing' };

/** `prune` keeps only what a completed video serves; `remove` deletes all of it. */
export type RetentionAction = 'keep' | 'prune' | 'remove';

const DAY_MS = 86_400_000;

/** True when `days` is a rule (not 0) and more than `days` have passed since `since`. */
function expired(since: Date, days: number, now: Date): boolean {
  return days > 0 && now.getTime() - since.getTime() > days * DAY_MS;
}

/** A video's media as the store lists it. */
export interface StoredMedia {
  /** When its newest artifact was written. */
  newest: Date;
  /** Whether it holds a rendered MP4; asked only of orphans. */
  rendered?: boolean;
}

/**
 * Orphans are judged by the age of their newest file, since how the run ended is no longer known.
 * Only a completed run has an MP4, so one without it is held to the failed-run retention; one
 * with it (or when that is not known) to the longer of the two. With that rule off, it is kept.
 */
export function orphanRetentionDays(policy: MediaRetentionPolicy, rendered: boolean | undefined): number {
  if (rendered === false) return policy.failedDays;
  if (rendered === true) return policy.completedDays;
  if (policy.completedDays === 0 || policy.failedDays === 0) return 0;
  return Math.max(policy.completedDays, policy.failedDays);
}

/** Decides what to do with one video's media. Running runs are never touched, whatever their age. */
export function retentionAction(run: RunState, media: StoredMedia, policy: MediaRetentionPolicy, now: Date): RetentionAction {
  switch (run.kind) {
    case 'running':
      return 'keep';
    case 'missing':
      return expired(media.newest, orphanRetentionDays(policy, media.rendered), now) ? 'remove' : 'keep';
    case 'closed':
      if (run.outcome === 'unsuccessful') return expired(run.closedAt, policy.failedDays, now) ? 'remove' : 'keep';
      if (expired(run.closedAt, policy.completedDays, now)) return 'remove';
      return policy.keepIntermediateFiles ? 'keep' : 'prune';
  }
}
