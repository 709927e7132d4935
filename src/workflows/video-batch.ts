/**
 * A batch of videos started in one request: each item is a `generateVideo` child workflow, a video
 * like any other (listed, followed, cancelled, retried on its own), started at most `concurrency`
 * at a time, in order. An item's failure ends that item only. Items that would make the same video
 * (the same source and options) run one after the other in one lane, never side by side, so the
 * later ones find every output in the step cache and pay nothing. Cancelling the batch cancels the items still
 * running and starts no more.
 */
import {
  CancellationScope,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  defineQuery,
  isCancellation,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { TITLE_MEMO_KEY, VIDEO_STAGE_KEY, VIDEO_TENANT_KEY } from '../shared/temporal-names';
import type { GenerateVideoInput, RunStatus, VideoError, VideoResult } from '../shared/video';
import type { generateVideo } from './generate-video';
import { mapBounded } from './map-bounded';

export const BATCH_WORKFLOW_TYPE = 'videoBatch';
export const BATCH_MEMO_KEY = 'batchId';
/** Memo field of a batch: its items' video ids, so a batch that ended without a result still lists them. */
export const ITEMS_MEMO_KEY = 'items';

export interface BatchItemInput {
  input: GenerateVideoInput;
  /** The item's title where lists read it (a text source's), when known at start. */
  title?: string;
  /** Items with the same key make the same video; they run one after the other. */
  sameAs: string;
}

export interface VideoBatchInput {
  batchId: string;
  tenant: string;
  items: BatchItemInput[];
  /** Items running at once, at most. */
  concurrency: number;
}

export interface BatchItemState {
  videoId: string;
  status: RunStatus;
  result?: VideoResult;
  error?: Pick<VideoError, 'type' | 'message'>;
}

export interface VideoBatchState {
  batchId: string;
  status: 'running' | 'completed' | 'cancelled';
  items: BatchItemState[];
}

export const batchStatusQuery = defineQuery<VideoBatchState>('batchStatus');

export async function videoBatch(input: VideoBatchInput): Promise<VideoBatchState> {
  const state: VideoBatchState = {
    batchId: input.batchId,
    status: 'running',
    items: input.items.map((item) => ({ videoId: item.input.videoId, status: 'queued' })),
  };
  setHandler(batchStatusQuery, () => state);

  const runItem = async (item: BatchItemInput, itemState: BatchItemState) => {
    itemState.status = 'running';
    try {
      const child = await startChild<typeof generateVideo>('generateVideo', {
        workflowId: item.input.videoId,
        taskQueue: workflowInfo().taskQueue,
        args: [item.input],
        memo: { [BATCH_MEMO_KEY]: input.batchId, ...(item.title ? { [TITLE_MEMO_KEY]: item.title } : {}) },
        typedSearchAttributes: [
          { key: VIDEO_STAGE_KEY, value: 'queued' },
          { key: VIDEO_TENANT_KEY, value: input.tenant },
        ],
        cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      });
      const ended = await child.result();
      itemState.status = ended.status;
      if (ended.result) itemState.result = ended.result;
    } catch (err) {
      // One item's failure or cancel is that item's; the others go on.
      itemState.status = isCancellation(err) ? 'cancelled' : 'failed';
      if (!isCancellation(err)) itemState.error = itemError(err);
    }
  };

  // Twins (the same video asked for twice) share a lane and run one after the other.
  const lanes = new Map<string, number[]>();
  input.items.forEach((item, i) => lanes.set(item.sameAs, [...(lanes.get(item.sameAs) ?? []), i]));
  await mapBounded([...lanes.values()], input.concurrency, async (indexes) => {
    for (const i of indexes) await runItem(input.items[i]!, state.items[i]!);
  });
  for (const item of state.items) if (item.status === 'queued') item.status = 'cancelled';
  state.status = CancellationScope.current().consideredCancelled ? 'cancelled' : 'completed';
  return state;
}

/** The reason a child video gave for failing, from the failure chain. */
function itemError(err: unknown): Pick<VideoError, 'type' | 'message'> {
  let cause: unknown = err;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  const failure = cause as { type?: string; message?: string };
  return { type: failure.type ?? 'Failed', message: failure.message ?? String(err) };
}
