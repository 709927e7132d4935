/**
 * Shapes a video's status body from what the workflow reports and what Temporal knows about the
 * run (start time, close status), so a client sees one consistent view in every state.
 */
import type { WorkflowExecutionDescription } from '@temporalio/client';
import { redactPaths, redactSecrets } from '../shared/redact-text';
import { STAGE_PROGRESS } from '../shared/stage-progress';
import { RETRY_OF_MEMO_KEY, REVISION_OF_MEMO_KEY, TITLE_MEMO_KEY, VIDEO_STAGE_KEY, VIDEO_TENANT_KEY } from '../shared/temporal-names';
import { STAGES, type RunStatus, type VideoStage, type VideoState } from '../shared/video';
import { pendingRetries } from './pending-retries';
import type { VideoStatusBody } from './schemas';

export interface StatusContext {
  /** Absolute base of this API, for `result.videoUrl`. */
  apiBaseUrl: string;
  uiUrl: string;
  namespace: string;
  /** Values never shown to a client (configured keys and secrets), blanked out of error messages. */
  secrets?: readonly string[];
}

/**
 * An error message as a client may read it: absolute paths cut to their file names and secrets
 * blanked. Activities already write such messages; this holds for any that does not.
 */
export function clientMessage(message: string, context: StatusContext): string {
  return redactPaths(redactSecrets(message, context.secrets ?? []));
}

/** The run status of a closed Temporal execution, by its status name; undefined while it runs. */
export const CLOSED_STATUS: Partial<Record<string, RunStatus>> = {
  COMPLETED: 'completed',
  FAILED: 'failed',
  TERMINATED: 'failed',
  TIMED_OUT: 'failed',
  CANCELLED: 'cancelled',
};

/** The run's page in the Temporal Web UI. */
export function webUiUrl(context: StatusContext, workflowId: string, runId: string): string {
  return `${context.uiUrl}/namespaces/${encodeURIComponent(context.namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}

/**
 * The title kept in a run's memo: a text source's title from the start, a PubMed paper's once the
 * workflow has fetched it; undefined before then and for runs started before titles were kept.
 */
export function memoTitle(memo: Record<string, unknown> | undefined): string | undefined {
  const title = memo?.[TITLE_MEMO_KEY];
  return typeof title === 'string' && title.length > 0 ? title : undefined;
}

export function isTerminal(status: RunStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

/** The stage the workflow last recorded in its `VideoStage` search attribute (`queued` until it runs). */
function searchAttributeStage(description: WorkflowExecutionDescription): VideoStage {
  const value = description.typedSearchAttributes.get(VIDEO_STAGE_KEY);
  return (STAGES as readonly string[]).includes(value ?? '') ? (value as VideoStage) : 'queued';
}

export function toStatusBody(
  state: VideoState | undefined,
  description: WorkflowExecutionDescription,
  context: StatusContext,
): VideoStatusBody {
  const id = description.workflowId;
  const closed = CLOSED_STATUS[description.status.name];
  // Without the workflow's own state, the `VideoStage` search attribute says how far the run got.
  const stage = state?.stage ?? searchAttributeStage(description);
  const status: RunStatus = closed ?? (state ? state.status : stage === 'queued' ? 'queued' : 'running');
  const body: VideoStatusBody = {
    id,
    status,
    stage,
    progress: state?.progress ?? STAGE_PROGRESS[stage],
    // The script's title once written; until then (or with no worker to ask) the source's.
    title: state?.title ?? memoTitle(description.memo),
    scenes: state?.scenes ?? [],
    spend: state?.spend ?? { credits: 0 },
    createdAt: description.startTime.toISOString(),
    updatedAt: (state?.updatedAt ? new Date(state.updatedAt) : (description.closeTime ?? description.startTime)).toISOString(),
    webUiUrl: webUiUrl(context, id, description.runId),
    tenant: description.typedSearchAttributes.get(VIDEO_TENANT_KEY),
  };
  if (stage === 'awaiting_review' && !closed && state?.reviewDeadline) body.reviewDeadline = state.reviewDeadline;
  const retryOf = description.memo?.[RETRY_OF_MEMO_KEY];
  if (typeof retryOf === 'string') body.retryOf = retryOf;
  const revisionOf = description.memo?.[REVISION_OF_MEMO_KEY];
  if (typeof revisionOf === 'string') body.revisionOf = revisionOf;
  const retries = (closed ? [] : pendingRetries(description)).map((retry) =>
    retry.lastError ? { ...retry, lastError: { ...retry.lastError, message: clientMessage(retry.lastError.message, context) } } : retry,
  );
  if (retries.length > 0) body.retries = retries;
  if (status === 'completed' && state?.result) {
    body.result = {
      videoUrl: `${context.apiBaseUrl}/api/videos/${encodeURIComponent(id)}/video`,
      durationSec: state.result.durationSec,
      bytes: state.result.bytes,
    };
  }
  if (status === 'failed') {
    const error = state?.error ?? {
      type: description.status.name === 'TIMED_OUT' ? 'WorkflowTimedOut' : 'Terminated',
      message: `The run was ${description.status.name.toLowerCase().replace('_', ' ')}`,
      stage,
    };
    body.error = { ...error, message: clientMessage(error.message, context) };
  }
  return body;
}
