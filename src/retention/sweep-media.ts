/**
 * The media retention sweep: one activity that walks every video in the artifact store a page at
 * a time, asks Temporal how each page's runs ended, and removes or prunes what retention allows.
 * Memory stays bounded by the page size, whatever the store holds. It heartbeats per video, so a
 * lost worker is noticed soon and a retry starts over; what was already deleted is not listed again.
 */
import { Context, log } from '@temporalio/activity';
import type { WorkflowClient } from '@temporalio/client';
import { SERVED_FILES, VIDEO_FILE } from '../activities/render-video';
import type { MediaRetentionPolicy, MediaSweepResult } from '../shared/media-retention';
import type { ArtifactStore, StoredVideo } from '../storage/artifact-store';
import { retentionAction, type RetentionAction, type RunState } from './retention-rule';
import { lookUpRuns } from './run-lookup';

/** Videos looked up in one visibility query and held in memory at once. */
export const SWEEP_PAGE_SIZE = 100;
/** Deletions running at once, so a page of S3 deletes does not run one after another. */
const PARALLEL_DELETES = 8;

export interface SweepMediaDeps {
  store: ArtifactStore;
  /** Where runs are looked up; the worker's own client (the activity context's) when unset. */
  workflows?: WorkflowClient;
}

const SERVED = new Set<string>(SERVED_FILES);

export function createSweepMedia(deps: SweepMediaDeps) {
  return {
    /** Applies `policy` to every video in the store; idempotent, so a retry or an overlapping sweep is harmless. */
    async sweepMedia(policy: MediaRetentionPolicy): Promise<MediaSweepResult> {
      const ctx = Context.current();
      const workflows = deps.workflows ?? ctx.client.workflow;
      // Deleted videos are not listed again after a retry, so their counts come from the last heartbeat.
      const carried = (ctx.info.heartbeatDetails ?? {}) as Partial<MediaSweepResult>;
      const result: MediaSweepResult = {
        videos: 0,
        removed: carried.removed ?? 0,
        orphans: carried.orphans ?? 0,
        pruned: carried.pruned ?? 0,
        kept: 0,
        failed: 0,
      };

      const sweepPage = async (page: StoredVideo[]) => {
        ctx.cancellationSignal.throwIfAborted();
        const runs = await lookUpRuns(
          workflows,
          page.map((v) => v.videoId),
        );
        const now = new Date();
        await forEachLimited(page, PARALLEL_DELETES, async (video) => {
          const run = runs.get(video.videoId) ?? { kind: 'running' };
          try {
            const rendered = run.kind === 'missing' ? (await deps.store.info(video.videoId, VIDEO_FILE)) !== undefined : undefined;
            const action = retentionAction(run, { newest: video.modified, rendered }, policy, now);
            count(result, run, await apply(deps.store, video, action));
          } catch (err) {
            result.failed += 1;
            log.warn('media retention could not clean a video', { videoId: video.videoId, error: (err as Error).message });
          }
          ctx.heartbeat({ removed: result.removed, orphans: result.orphans, pruned: result.pruned });
        });
      };

      let page: StoredVideo[] = [];
      for await (const video of deps.store.listVideos()) {
        result.videos += 1;
        page.push(video);
        if (page.length < SWEEP_PAGE_SIZE) continue;
        await sweepPage(page);
        page = [];
      }
      await sweepPage(page);
      log.info('media retention sweep', { ...result, ...policy, store: deps.store.kind });
      return result;
    },
  };
}

/** Carries out `action`; answers what actually happened (a prune with nothing to drop keeps). */
async function apply(store: ArtifactStore, video: StoredVideo, action: RetentionAction): Promise<RetentionAction> {
  if (action === 'remove') await store.remove(video.videoId);
  if (action !== 'prune') return action;
  if (video.names.every((name) => SERVED.has(name))) return 'keep';
  await store.keepOnly(video.videoId, SERVED_FILES);
  return 'prune';
}

function count(result: MediaSweepResult, run: RunState, done: RetentionAction): void {
  if (done === 'remove') {
    result.removed += 1;
    if (run.kind === 'missing') result.orphans += 1;
  } else if (done === 'prune') result.pruned += 1;
  else result.kept += 1;
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
