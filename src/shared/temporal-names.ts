/**
 * Names shared by the workflow, the worker and the API, so that none of them is spelled twice.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const WORKFLOW_TYPE = 'generateVideo';

/**
 * Kinds of work that run on their own task queue, so each can be scaled and limited alone. Paid
 * clip submissions have a queue of their own so that the provider's rate limit applies to them
 * and not to waiting; cleanup after a cancel has one so that renders cannot starve it.
 */
export const ACTIVITY_QUEUES = ['source', 'script', 'narration', 'clips', 'clip-submissions', 'render', 'cleanup'] as const;
export type ActivityQueue = (typeof ACTIVITY_QUEUES)[number];

/**
 * Activity task queues are derived from the workflow's own queue, so one prefix (for example a
 * per-test queue name) keeps a whole deployment apart from another on the same namespace.
 */
export function activityTaskQueue(workflowTaskQueue: string, queue: ActivityQueue): string {
  return `${workflowTaskQueue}-${queue}`;
}

/** Search attributes kept current by the workflow; the Web UI and the list endpoint filter on them. */
export const VIDEO_STAGE_KEY = defineSearchAttributeKey('VideoStage', SearchAttributeType.KEYWORD);
/** The tenant that started the video, set at start: every API read and list is scoped by it. */
export const VIDEO_TENANT_KEY = defineSearchAttributeKey('VideoTenant', SearchAttributeType.KEYWORD);
/** Credits a video spent, set by the workflow when it ends; a tenant's daily credit quota sums it. */
export const VIDEO_CREDITS_KEY = defineSearchAttributeKey('VideoCredits', SearchAttributeType.DOUBLE);
/** Every search attribute the namespace must have; the dev server and the compose job register them. */
export const SEARCH_ATTRIBUTE_KEYS = [VIDEO_STAGE_KEY, VIDEO_TENANT_KEY, VIDEO_CREDITS_KEY] as const;
export const SEARCH_ATTRIBUTES = [
  { name: 'VideoStage', type: 'Keyword' },
  { name: 'VideoTenant', type: 'Keyword' },
  { name: 'VideoCredits', type: 'Double' },
] as const;

/**
 * Memo field holding the video's title, which `GET /api/videos` reads from visibility: a text
 * source's title, set at start; a PubMed paper's title, set by the workflow once it has fetched it.
 */
export const TITLE_MEMO_KEY = 'title';

/** Memo field of a retry's run: the id of the video it retries. */
export const RETRY_OF_MEMO_KEY = 'retryOf';

/** Memo field of a revision's run: the id of the video whose script it edits. */
export const REVISION_OF_MEMO_KEY = 'revisionOf';

export const STATUS_QUERY = 'status';
export const SCRIPT_QUERY = 'script';
export const FINISHED_WORK_QUERY = 'finishedWork';
export const EDIT_SCRIPT_UPDATE = 'editScript';
export const APPROVE_SIGNAL = 'approve';
export const APPROVE_UPDATE = 'approveScript';
