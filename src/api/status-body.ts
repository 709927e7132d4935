/**
 * Shapes a video's status body from what the workflow reports and what Temporal knows about the
 * run (start time, close status), so a client sees one consistent view in every state.
 */
import type { WorkflowExecutionDescription } from '@temporalio/client';
import type { RunStatus, VideoState } from '../shared/video';
import { pendingRetries } from './pending-retries';
import type { VideoStatusBody } from './schemas';

export interface StatusContext {
  /** Absolute base of this API, for `result.videoUrl`. */
  apiBaseUrl: string;
  uiUrl: string;
  namespace: string;
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

export function isTerminal(status: RunStatus): boolean {
  return status === 'completed' || status === 'failed' || status === 'cancelled';
}

export function toStatusBody(
  state: VideoState | undefined,
  description: WorkflowExecutionDescription,
  context: StatusContext,
): VideoStatusBody {
  const id = description.workflowId;
  const closed = CLOSED_STATUS[description.status.name];
  const status: RunStatus = closed ?? (state ? state.status : 'queued');
  const body: VideoStatusBody = {
    id,
    status,
    stage: state?.stage ?? 'queued',
    progress: state?.progress ?? 0,
    title: state?.title,
    scenes: state?.scenes ?? [],
    spend: state?.spend ?? { credits: 0 },
    createdAt: description.startTime.toISOString(),
    updatedAt: (state?.updatedAt ? new Date(state.updatedAt) : (description.closeTime ?? description.startTime)).toISOString(),
    webUiUrl: webUiUrl(context, id, description.runId),
  };
  const retries = closed ? [] : pendingRetries(description);
  if (retries.length > 0) body.retries = retries;
  if (status === 'completed' && state?.result) {
    body.result = {
      videoUrl: `${context.apiBaseUrl}/api/videos/${encodeURIComponent(id)}/video`,
      durationSec: state.result.durationSec,
      bytes: state.result.bytes,
    };
  }
  if (status === 'failed') {
    body.error = state?.error ?? {
      type: description.status.name === 'TIMED_OUT' ? 'WorkflowTimedOut' : 'Terminated',
      message: `The run was ${description.status.name.toLowerCase().replace('_', ' ')}`,
      stage: state?.stage ?? 'queued',
    };
  }
  return body;
}
