/**
 * `GET /api/videos` from Temporal visibility: newest first, filtered by run status and by the
 * `VideoStage` search attribute.
 *
 * SQL visibility stores (the dev server's SQLite, PostgreSQL) refuse `ORDER BY` and return open
 * runs before closed ones, so the order is made here: runs are read in start-time windows going
 * back from the cursor (one hour, then eight times longer each step) until a page is full, and
 * sorted by (start time, id). The cursor is the last item's (start time, id), so a page never
 * shifts when newer videos arrive.
 *
 * A window is read whole or not at all (its runs come unordered), so each window is counted first
 * and narrowed toward its newer end until it fits what is left of `maxScan` (fit-window.ts). When
 * the budget runs out before the page is full, the page ends early and the cursor holds the window
 * boundary: every run started at or after it has been looked at, and the next request goes on
 * from there.
 */
import type { Client } from '@temporalio/client';
import { executionInfoFromRaw } from '@temporalio/client/lib/helpers';
import { tsToMs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import { STAGE_PROGRESS } from '../shared/stage-progress';
import { RETRY_OF_MEMO_KEY, VIDEO_STAGE_KEY, VIDEO_TENANT_KEY, WORKFLOW_TYPE } from '../shared/temporal-names';
import type { RunStatus, VideoStage } from '../shared/video';
import { fitWindow } from './fit-window';
import { HttpError } from './http-error';
import { visibilityString } from './visibility-query';
import { CLOSED_STATUS, memoTitle, webUiUrl, type StatusContext } from './status-body';

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
/** Rows read at once in the hope that a window holds no more: then it needs no count. */
const OPTIMISTIC_PAGE_SIZE = 100;

export interface ListVideosRequest {
  /** Only this tenant's videos (the `VideoTenant` search attribute); every tenant's when unset. */
  tenant?: string;
  status?: RunStatus;
  stage?: VideoStage;
  limit: number;
  cursor?: string;
  /** Runs one request may read from visibility (LIST_MAX_SCAN). */
  maxScan: number;
}

export interface VideoListItem {
  id: string;
  /** A text source's title; a PubMed paper's once fetched, null before then. */
  title: string | null;
  status: RunStatus;
  stage: VideoStage;
  createdAt: string;
  closedAt?: string;
  statusUrl: string;
  webUiUrl: string;
  /** Where the current stage starts, 100 once completed: visibility has no finer figure. */
  progress: number;
  thumbnailUrl?: string;
  tenant?: string;
  retryOf?: string;
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

/** Every run matching `query`, read in pages of at most `pageSize`. */
async function scan(client: Client, query: string, pageSize = SCAN_PAGE_SIZE): Promise<RawExecution[]> {
  const rows: RawExecution[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const response = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      pageSize,
      nextPageToken,
      query,
    });
    rows.push(...(response.executions ?? []));
    nextPageToken = response.nextPageToken && response.nextPageToken.length > 0 ? response.nextPageToken : undefined;
  } while (nextPageToken);
  return rows;
}

/**
 * Reads a window in one page of `pageSize`: `whole` holds its runs when they all fit, otherwise
 * `read` says how many rows the attempt read.
 */
async function readWhole(
  client: Client,
  query: string,
  pageSize: number,
): Promise<{ whole: RawExecution[]; read?: undefined } | { whole?: undefined; read: number }> {
  const response = await client.workflowService.listWorkflowExecutions({ namespace: client.options.namespace, pageSize, query });
  const rows = response.executions ?? [];
  const more = (response.nextPageToken?.length ?? 0) > 0;
  return more || rows.length >= pageSize ? { read: rows.length } : { whole: rows };
}

/** One page of videos of this deployment's task queue, newest first. */
export async function listVideos(
  client: Client,
  taskQueue: string,
  request: ListVideosRequest,
  context: StatusContext,
): Promise<{ items: VideoListItem[]; nextCursor: string | null }> {
  const clauses = [`WorkflowType = '${WORKFLOW_TYPE}'`, `TaskQueue = ${visibilityString(taskQueue)}`];
  if (request.status) clauses.push(STATUS_CLAUSE[request.status]);
  if (request.stage) clauses.push(`VideoStage = '${request.stage}'`);
  if (request.tenant !== undefined) clauses.push(`VideoTenant = ${visibilityString(request.tenant)}`);
  const base = clauses.join(' AND ');
  const after = request.cursor ? decodeCursor(request.cursor) : undefined;

  const found: RawExecution[] = [];
  let left = request.maxScan;
  // Exclusive upper bound of the next window; none at first, so clock skew cannot hide new runs.
  let upper = after ? after.t + 1 : undefined;
  let windowMs = FIRST_WINDOW_MS;
  /** Set when the budget ends the request early: every run started at or after it was looked at. */
  let stoppedAt: number | undefined;
  const windowQuery = (lower: number) =>
    `${base} AND StartTime >= '${iso(lower)}'${upper === undefined ? '' : ` AND StartTime < '${iso(upper)}'`}`;
  for (;;) {
    const top = upper ?? Date.now();
    const countWithin = async (width: number) => (await client.workflow.count(windowQuery(top - width))).count;
    const needed = request.limit + 1 - found.length;
    // Most windows are small: one page read whole needs no count. A page that does not hold the
    // whole window is counted against the budget all the same, and the window is sized by counts.
    // Tried only while the budget is large, so that a failed try leaves most of it.
    let rows = left >= 2 * OPTIMISTIC_PAGE_SIZE ? await readWhole(client, windowQuery(top - windowMs), OPTIMISTIC_PAGE_SIZE) : { read: 0 };
    if (rows.read !== undefined) {
      left -= rows.read;
      let count = await countWithin(windowMs);
      // Some items are found: narrow only while the rest of the budget could still fill the page.
      if (count > left && found.length > 0 && left < needed) {
        stoppedAt = upper;
        break;
      }
      ({ widthMs: windowMs, count } = await fitWindow(countWithin, windowMs, count, left, Math.min(needed, left)));
      // Past here a window is read even if it holds more than the budget: only runs started in one
      // millisecond, or in the moment between the count and the read, can make it do so.
      rows = { whole: count === 0 ? [] : await scan(client, windowQuery(top - windowMs), Math.min(SCAN_PAGE_SIZE, count)) };
    }
    const lower = top - windowMs;
    const whole = rows.whole ?? [];
    left -= whole.length;
    found.push(...(after ? whole.filter((r) => newestFirst(after, position(r)) < 0) : whole));
    if (found.length > request.limit) break;
    if (left <= 0) {
      stoppedAt = lower;
      break;
    }
    // One row tells whether any older run exists, where a count would visit all of them.
    const older = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      pageSize: 1,
      query: `${base} AND StartTime < '${iso(lower)}'`,
    });
    left -= older.executions?.length ?? 0;
    if (!older.executions?.length) break;
    upper = lower;
    windowMs *= WINDOW_GROWTH;
  }

  const page = found.sort((a, b) => newestFirst(position(a), position(b))).slice(0, request.limit);
  const items = await Promise.all(page.map((raw) => toListItem(client, raw, context)));
  const last = page[page.length - 1];
  if (found.length > request.limit && last) return { items, nextCursor: encodeCursor(position(last)) };
  // An empty id sorts before every real one: the next page starts strictly below `stoppedAt`.
  return { items, nextCursor: stoppedAt === undefined ? null : encodeCursor({ t: stoppedAt, id: '' }) };
}

async function toListItem(client: Client, raw: RawExecution, context: StatusContext): Promise<VideoListItem> {
  const info = await executionInfoFromRaw(raw, client.options.loadedDataConverter, raw, client.options.namespace);
  const stage = (info.typedSearchAttributes.get(VIDEO_STAGE_KEY) ?? 'queued') as VideoStage;
  const status: RunStatus = CLOSED_STATUS[info.status.name] ?? (stage === 'queued' ? 'queued' : 'running');
  return {
    id: info.workflowId,
    title: memoTitle(info.memo) ?? null,
    status,
    stage,
    createdAt: info.startTime.toISOString(),
    closedAt: info.closeTime?.toISOString(),
    statusUrl: `${context.apiBaseUrl}/api/videos/${encodeURIComponent(info.workflowId)}`,
    webUiUrl: webUiUrl(context, info.workflowId, info.runId),
    progress: status === 'completed' ? 100 : STAGE_PROGRESS[stage],
    ...(status === 'completed'
      ? { thumbnailUrl: `${context.apiBaseUrl}/api/videos/${encodeURIComponent(info.workflowId)}/thumbnail` }
      : {}),
    tenant: info.typedSearchAttributes.get(VIDEO_TENANT_KEY),
    ...(typeof info.memo?.[RETRY_OF_MEMO_KEY] === 'string' ? { retryOf: info.memo[RETRY_OF_MEMO_KEY] } : {}),
  };
}
