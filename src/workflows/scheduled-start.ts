/**
 * What a schedule (`POST /api/schedules`) starts each time it fires: a short workflow that starts
 * the video or the batch as a workflow of its own and ends. A schedule names the workflows it
 * starts `<id>-<time in RFC 3339>`, colons included, which no video id may hold; the one started
 * here is named by the schedule and the time it fired for, without colons, so each firing is an
 * ordinary video (or batch) that the API lists, follows, cancels and serves like any other.
 */
import {
  SearchAttributeType,
  WorkflowExecutionAlreadyStartedError,
  WorkflowIdReusePolicy,
  defineSearchAttributeKey,
  type SearchAttributePair,
} from '@temporalio/common';
import { ParentClosePolicy, proxyActivities, startChild, workflowInfo } from '@temporalio/workflow';
import type { ActivitiesByQueue } from '../activities';
import { activityTaskQueue, TITLE_MEMO_KEY, VIDEO_STAGE_KEY, VIDEO_TENANT_KEY } from '../shared/temporal-names';
import { sourceOptions } from './activity-options';
import type { GenerateVideoInput } from '../shared/video';
import type { generateVideo } from './generate-video';
import { BATCH_WORKFLOW_TYPE, ITEMS_MEMO_KEY, type VideoBatchInput, type videoBatch } from './video-batch';

export const SCHEDULED_START_WORKFLOW_TYPE = 'scheduledStart';
export const SCHEDULE_MEMO_KEY = 'scheduleId';

export interface ScheduledStartInput {
  scheduleId: string;
  tenant: string;
  /** A video, its `videoId` filled in here, or a batch, its `batchId` and item ids filled in here. */
  video?: { input: Omit<GenerateVideoInput, 'videoId'>; title?: string };
  batch?: Omit<VideoBatchInput, 'batchId' | 'items'> & {
    items: { input: Omit<GenerateVideoInput, 'videoId'>; title?: string; sameAs: string }[];
  };
  /**
   * Or a saved PubMed search: a video of each of the newest `papers` matching `term` (added within
   * `days`, when set) that this schedule has not made yet.
   */
  search?: { term: string; papers: number; days?: number; input: Omit<GenerateVideoInput, 'videoId' | 'source'> };
}

/** What a firing started: the video or batch, or for a search each new paper's video and the papers it had made before. */
export interface ScheduledStartResult {
  id?: string;
  ids?: string[];
  alreadyMade?: string[];
}

/** The time a schedule fired for, which Temporal records on every run a schedule starts. */
const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/** The video a search schedule makes of a paper: one per paper and schedule, whichever firing finds it. */
export const searchVideoId = (scheduleId: string, pmid: string) => `video-${scheduleId}-pmid-${pmid}`;

/** The id of what a firing of `scheduleId` for `scheduledAt` starts: `video-…` or `batch-…`, the time without colons. */
export function firingId(kind: 'video' | 'batch', scheduleId: string, scheduledAt: Date): string {
  return `${kind}-${scheduleId}-${scheduledAt.toISOString().replace(/[^0-9TZ]/g, '')}`;
}

export async function scheduledStart(input: ScheduledStartInput): Promise<ScheduledStartResult> {
  const info = workflowInfo();
  const { taskQueue } = info;
  // From the start event, so the same on replay; a run started by hand uses its own start time.
  const scheduledAt = info.typedSearchAttributes.get(SCHEDULED_START_TIME) ?? info.startTime;
  const attributes: SearchAttributePair[] = [
    { key: VIDEO_STAGE_KEY, value: 'queued' },
    { key: VIDEO_TENANT_KEY, value: input.tenant },
  ];
  // The started run outlives this one, which ends as soon as it has started it.
  const common = { taskQueue, parentClosePolicy: ParentClosePolicy.ABANDON } as const;
  if (input.search) return startSearchedVideos(input.scheduleId, input.search, { ...common, attributes });
  if (input.video) {
    const videoId = firingId('video', input.scheduleId, scheduledAt);
    await startChild<typeof generateVideo>('generateVideo', {
      ...common,
      workflowId: videoId,
      args: [{ ...input.video.input, videoId }],
      memo: { [SCHEDULE_MEMO_KEY]: input.scheduleId, ...(input.video.title ? { [TITLE_MEMO_KEY]: input.video.title } : {}) },
      typedSearchAttributes: attributes,
    });
    return { id: videoId };
  }
  const batch = input.batch!;
  const batchId = firingId('batch', input.scheduleId, scheduledAt);
  const items = batch.items.map((item, i) => ({ ...item, input: { ...item.input, videoId: `${batchId}-${String(i).padStart(3, '0')}` } }));
  await startChild<typeof videoBatch>(BATCH_WORKFLOW_TYPE, {
    ...common,
    workflowId: batchId,
    args: [{ ...batch, batchId, items }],
    memo: { [SCHEDULE_MEMO_KEY]: input.scheduleId, [ITEMS_MEMO_KEY]: items.map((i) => i.input.videoId) },
    typedSearchAttributes: [{ key: VIDEO_TENANT_KEY, value: input.tenant }],
  });
  return { id: batchId };
}

/**
 * A saved search's firing: searches PubMed, then starts a video of each paper found, named by the
 * schedule and the PMID. A paper an earlier firing made already has a video of that name, which
 * Temporal refuses to start again, so each paper is made once per schedule, however often the
 * search finds it. (Deleting that video frees the name.)
 */
async function startSearchedVideos(
  scheduleId: string,
  search: NonNullable<ScheduledStartInput['search']>,
  common: { taskQueue: string; parentClosePolicy: ParentClosePolicy; attributes: SearchAttributePair[] },
): Promise<ScheduledStartResult> {
  const { searchPubmed } = proxyActivities<ActivitiesByQueue['source']>({
    ...sourceOptions,
    taskQueue: activityTaskQueue(common.taskQueue, 'source'),
  });
  const pmids = await searchPubmed({ term: search.term, max: search.papers, ...(search.days ? { days: search.days } : {}) });
  const ids: string[] = [];
  const alreadyMade: string[] = [];
  for (const pmid of pmids) {
    const videoId = searchVideoId(scheduleId, pmid);
    try {
      await startChild<typeof generateVideo>('generateVideo', {
        taskQueue: common.taskQueue,
        parentClosePolicy: common.parentClosePolicy,
        workflowId: videoId,
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        args: [{ ...search.input, videoId, source: { type: 'pubmed', pmid } }],
        memo: { [SCHEDULE_MEMO_KEY]: scheduleId },
        typedSearchAttributes: common.attributes,
      });
      ids.push(videoId);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      alreadyMade.push(videoId);
    }
  }
  return { ids, alreadyMade };
}
