/**
 * `GET /api/videos` from Temporal visibility: newest first, filtered by run status and by the
 * `VideoStage` search attribute, paged with the server's own opaque page token as the cursor.
 */
import type { Client } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { VIDEO_STAGE_KEY, WORKFLOW_TYPE } from '../shared/temporal-names';
import type { RunStatus, VideoStage } from '../shared/video';
import { HttpError } from './http-error';
import { webUiUrl, type StatusContext } from './status-body';

const STATUS_CLAUSE: Record<RunStatus, string> = {
  queued: `ExecutionStatus = 'Running' AND VideoStage = 'queued'`,
  running: `ExecutionStatus = 'Running' AND VideoStage != 'queued'`,
  completed: `ExecutionStatus = 'Completed'`,
  failed: `ExecutionStatus IN ('Failed', 'Terminated', 'TimedOut')`,
  cancelled: `ExecutionStatus = 'Canceled'`,
};

const RUN_STATUS: Record<string, RunStatus> = {
  COMPLETED: 'completed',
  FAILED: 'failed',
  TERMINATED: 'failed',
  TIMED_OUT: 'failed',
  CANCELLED: 'cancelled',
};

export interface ListVideosRequest {
  status?: RunStatus;
  stage?: VideoStage;
  limit: number;
  cursor?: string;
}

export interface VideoListItem {
  id: string;
  status: RunStatus;
  stage: VideoStage;
  createdAt: string;
  closedAt?: string;
  statusUrl: string;
  webUiUrl: string;
}

export async function listVideos(
  client: Client,
  taskQueue: string,
  request: ListVideosRequest,
  context: StatusContext,
): Promise<{ items: VideoListItem[]; nextCursor: string | null }> {
  const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`, `TaskQueue = '${taskQueue.replace(/'/g, "''")}'`];
  if (request.status) clauses.push(STATUS_CLAUSE[request.status]);
  if (request.stage) clauses.push(`VideoStage = '${request.stage}'`);
  let nextPageToken: Buffer | undefined;
  if (request.cursor) {
    nextPageToken = Buffer.from(request.cursor, 'base64url');
    if (nextPageToken.length === 0) throw new HttpError(400, 'invalid_request', 'query.cursor: not a cursor from this API');
  }
  let response;
  try {
    response = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      pageSize: request.limit,
      nextPageToken,
      query: `${clauses.join(' AND ')} ORDER BY StartTime DESC`,
    });
  } catch (err) {
    if (request.cursor && (err as { code?: number }).code === 3) {
      throw new HttpError(400, 'invalid_request', 'query.cursor: not a cursor from this API');
    }
    throw err;
  }
  const items = await Promise.all(
    (response.executions ?? []).map(async (raw) => {
      const info = await executionInfoFromRaw(raw, client.options.loadedDataConverter, raw, client.options.namespace);
      const stage = (info.typedSearchAttributes.get(VIDEO_STAGE_KEY) ?? 'queued') as VideoStage;
      const status: RunStatus = RUN_STATUS[info.status.name] ?? (stage === 'queued' ? 'queued' : 'running');
      return {
        id: info.workflowId,
        status,
        stage,
        createdAt: info.startTime.toISOString(),
        closedAt: info.closeTime?.toISOString(),
        statusUrl: `${context.apiBaseUrl}/api/videos/${encodeURIComponent(info.workflowId)}`,
        webUiUrl: webUiUrl(context, info.workflowId, info.runId),
      };
    }),
  );
  const token = response.nextPageToken;
  return { items, nextCursor: token && token.length > 0 ? Buffer.from(token).toString('base64url') : null };
}
