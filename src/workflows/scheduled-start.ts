/**
 * What a schedule (`POST /api/schedules`) starts each time it fires: a short workflow that starts
 * the video or the batch as a workflow of its own and ends. A schedule names the workflows it
 * starts `<id>-<time in RFC 3339>`, colons included, which no video id may hold; the one started
 * here is named by the schedule and the time it fired for, without colons, so each firing is an
 * ordinary video (or batch) that the API lists, follows, cancels and serves like any other.
 */
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import { ParentClosePolicy, startChild, workflowInfo } from '@temporalio/workflow';
import { TITLE_MEMO_KEY, VIDEO_STAGE_KEY, VIDEO_TENANT_KEY } from '../shared/temporal-names';
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
}

/** The time a schedule fired for, which Temporal records on every run a schedule starts. */
const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/** The id of what a firing of `scheduleId` for `scheduledAt` starts: `video-…` or `batch-…`, the time without colons. */
export function firingId(kind: 'video' | 'batch', scheduleId: string, scheduledAt: Date): string {
  return `${kind}-${scheduleId}-${scheduledAt.toISOString().replace(/[^0-9TZ]/g, '')}`;
}

export async function scheduledStart(input: ScheduledStartInput): Promise<{ id: string }> {
  const info = workflowInfo();
  const { taskQueue } = info;
  // From the start event, so the same on replay; a run started by hand uses its own start time.
  const scheduledAt = info.typedSearchAttributes.get(SCHEDULED_START_TIME) ?? info.startTime;
  const attributes = [
    { key: VIDEO_STAGE_KEY, value: 'queued' },
    { key: VIDEO_TENANT_KEY, value: input.tenant },
  ];
  // The started run outlives this one, which ends as soon as it has started it.
  const common = { taskQueue, parentClosePolicy: ParentClosePolicy.ABANDON } as const;
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
