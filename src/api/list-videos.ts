/**
 * `GET /api/videos` from Temporal visibility: newest first, filtered by run status and by the
 * `VideoStage` search attribute.
 *
 * SQL visibility stores (the dev server's SQLite, PostgreSQL) refuse `ORDER BY` and return open
 * runs before closed ones, so the order is made here: runs are read in start-time windows going
 * back from the cursor (one hour, then eight times longer each step) until a page is full, and
 * sorted by (start time, id). The cursor is the last item's (start time, id), so a page never
 * shifts when newer videos arrive, and each request reads about one window's worth of runs.
 */
import type { Client } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { tsToMs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import { VIDEO_STAGE_KEY, WORKFLOW_TYPE } from '../shared/temporal-names';
import type { RunStatus, VideoStage } from '../shared/video';
import { HttpError } from './http-error';
import { CLOSED_STATUS, webUiUrl, type StatusContext } from './status-body';

type RawExecution = temporal.api.workflow.v1.IWorkflowExecutionInfo;

const STATUS_CLAUSE: Record<RunStatus, string> = {
  queued: `ExecutionStatus = 'Running' AND VideoStage = 'queued'`,
  running: `ExecutionStatus = 'Running' AND VideoStage != 'queued'`,
  completed: `ExecutionStatus = 'Completed'`,
  failed: `ExecutionStatus IN ('Failed', 'Terminated', 'TimedOut')`,
  cancelled: `ExecutionStatus = 'Canceled'`,
};

const FIRST_WINDOW_MS = 3600_000;
const WINDOW_GROWTH = 8;
const SCAN_PAGE_SIZE = 1000;

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

interface Position {
  /** Start time in milliseconds. */
  t: number;
  id: string;
}

const badCursor = () => new HttpError(400, 'invalid_request', 'query.cursor: not a cursor from this API');

function decodeCursor(cursor: string): Position {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Position>;
    if (Number.isSafeInteger(value.t) && typeof value.id === 'string') return { t: value.t as number, id: value.id };
  } catch {
    // Falls through to the 400 below.
  }
  throw badCursor();
}

const encodeCursor = (p: Position) => Buffer.from(JSON.stringify({ t: p.t, id: p.id })).toString('base64url');
const position = (raw: RawExecution): Position => ({ t: tsToMs(raw.startTime), id: raw.execution?.workflowId ?? '' });
/** Newest first; the id breaks ties between runs started in the same millisecond. */
const newestFirst = (a: Position, b: Position) => b.t - a.t || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
const iso = (ms: number) => new Date(ms).toISOString();

async function scan(client: Client, query: string): Promise<RawExecution[]> {
  const rows: RawExecution[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const response = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      pageSize: SCAN_PAGE_SIZE,
      nextPageToken,
      query,
    });
    rows.push(...(response.executions ?? []));
    nextPageToken = response.nextPageToken && response.nextPageToken.length > 0 ? response.nextPageToken : undefined;
  } while (nextPageToken);
  return rows;
}

/** One page of videos of this deployment's task queue, newest first. */
export async function listVideos(
  client: Client,
  taskQueue: string,
  request: ListVideosRequest,
  context: StatusContext,
): Promise<{ items: VideoListItem[]; nextCursor: string | null }> {
  const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`, `TaskQueue = '${taskQueue.replace(/'/g, "''")}'`];
  if (request.status) clauses.push(STATUS_CLAUSE[request.status]);
  if (request.stage) clauses.push(`VideoStage = '${request.stage}'`);
  const base = clauses.join(' AND ');
  const after = request.cursor ? decodeCursor(request.cursor) : undefined;

  const found: RawExecution[] = [];
  // Exclusive upper bound of the next window; none at first, so clock skew cannot hide new runs.
  let upper = after ? after.t + 1 : undefined;
  let windowMs = FIRST_WINDOW_MS;
  for (;;) {
    const lower = (upper ?? Date.now()) - windowMs;
    const range = [`StartTime >= '${iso(lower)}'`, ...(upper === undefined ? [] : [`StartTime < '${iso(upper)}'`])];
    const rows = await scan(client, `${base} AND ${range.join(' AND ')}`);
    found.push(...(after ? rows.filter((r) => newestFirst(after, position(r)) < 0) : rows));
    if (found.length > request.limit) break;
    const { count } = await client.workflow.count(`${base} AND StartTime < '${iso(lower)}'`);
    if (count === 0) break;
    upper = lower;
    windowMs *= WINDOW_GROWTH;
  }

  const page = found.sort((a, b) => newestFirst(position(a), position(b))).slice(0, request.limit);
  const items = await Promise.all(page.map((raw) => toListItem(client, raw, context)));
  const last = page[page.length - 1];
  return { items, nextCursor: found.length > request.limit && last ? encodeCursor(position(last)) : null };
}

async function toListItem(client: Client, raw: RawExecution, context: StatusContext): Promise<VideoListItem> {
  const info = await executionInfoFromRaw(raw, client.options.loadedDataConverter, raw, client.options.namespace);
  const stage = (info.typedSearchAttributes.get(VIDEO_STAGE_KEY) ?? 'queued') as VideoStage;
  const status: RunStatus = CLOSED_STATUS[info.status.name] ?? (stage === 'queued' ? 'queued' : 'running');
  return {
    id: info.workflowId,
    status,
    stage,
    createdAt: info.startTime.toISOString(),
    closedAt: info.closeTime?.toISOString(),
    statusUrl: `${context.apiBaseUrl}/api/videos/${encodeURIComponent(info.workflowId)}`,
    webUiUrl: webUiUrl(context, info.workflowId, info.runId),
  };
}
