/**
 * `/api/batches`: many videos in one request, run as one `videoBatch` workflow whose items are
 * ordinary videos (src/workflows/video-batch.ts). A batch has its own id, progress, per-item
 * results and cancel; with an Idempotency-Key, sending the same batch again answers the same one.
 */
import { randomUUID } from 'node:crypto';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { z } from 'zod';
import type { Config } from '../config';
import { VIDEO_TENANT_KEY } from '../shared/temporal-names';
import {
  BATCH_WORKFLOW_TYPE,
  ITEMS_MEMO_KEY,
  batchStatusQuery,
  type VideoBatchInput,
  type VideoBatchState,
  type videoBatch,
} from '../workflows/video-batch';
import { HttpError, notFound } from './http-error';
import { asWorkerUnavailable } from './temporal-unavailable';
import { CLOSED_STATUS } from './status-body';
import { callerOf } from './require-api-key';
import { createVideoBodySchema, optionsSchema, pubmedSourceSchema, type CreateVideoBody } from './schemas';
import { validate } from './validate';
import { hash, type VideoService } from './video-service';
import { canonicalJson } from '../shared/canonical-json';
import { tenantOf, type TenantQuotas } from './tenant-quotas';

/** How long a batch's own answer is waited for, leaving the request time to read Temporal's records instead. */
const QUERY_TIMEOUT_MS = 1_500;

/** Items in one batch, at most. */
export const MAX_BATCH_ITEMS = 100;

export const batchBodySchema = z
  .object({
    items: z.array(createVideoBodySchema).min(1).max(MAX_BATCH_ITEMS).optional().describe('Videos as POST /api/videos takes them'),
    pmids: z
      .array(pubmedSourceSchema.shape.pmid)
      .min(1)
      .max(MAX_BATCH_ITEMS)
      .optional()
      .describe('PubMed ids, one video each, all with `options`'),
    options: optionsSchema.optional().describe('Options of every item given by `pmids` (or by a CSV body)'),
  })
  .strict()
  .refine((b) => (b.items === undefined) !== (b.pmids === undefined), 'send either items or pmids');
export type BatchBody = z.infer<typeof batchBodySchema>;

const itemStatus = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);

/** What GET /api/batches/:id answers. */
export const batchSchema = z.object({
  id: z.string(),
  status: z.enum(['running', 'completed', 'cancelled']),
  progress: z.number().min(0).max(100).describe('Share of items that have ended'),
  counts: z.record(itemStatus, z.number().int()),
  items: z.array(
    z.object({
      id: z.string().describe("The item's video id: GET /api/videos/{id} follows it"),
      status: itemStatus,
      url: z.string(),
      videoUrl: z.string().optional(),
      error: z.object({ type: z.string(), message: z.string() }).optional(),
    }),
  ),
  createdAt: z.string(),
  stale: z
    .literal(true)
    .optional()
    .describe("No worker answered: item statuses are Temporal's records of each item's run, without results or errors"),
});

export interface BatchRoutesDeps {
  client: Client;
  config: Config;
  service: VideoService;
  quotas: TenantQuotas;
  createLimit: RequestHandler;
  principal(req: Request, res: Response): string;
}

/**
 * A CSV body: a header row, then one video per row. Columns `pmid`, or `title` and `text`.
 * Fields may be quoted ("…", with "" for a quote), so a text can hold commas and line breaks.
 */
export function itemsFromCsv(csv: string): CreateVideoBody[] {
  const rows = parseCsv(csv).filter((row) => row.some((cell) => cell.trim() !== ''));
  const [header, ...records] = rows;
  const columns = (header ?? []).map((c) => c.trim().toLowerCase());
  const at = (row: string[], name: string) => row[columns.indexOf(name)]?.trim() ?? '';
  if (records.length === 0) throw new HttpError(400, 'invalid_request', 'The CSV has no rows after its header');
  if (columns.includes('pmid')) return records.map((row) => ({ source: { type: 'pubmed', pmid: at(row, 'pmid') } }));
  if (columns.includes('title') && columns.includes('text')) {
    return records.map((row) => ({ source: { type: 'text', title: at(row, 'title'), text: at(row, 'text') } }));
  }
  throw new HttpError(400, 'invalid_request', 'The CSV header must name a pmid column, or title and text columns');
}

function parseCsv(csv: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const c = csv[i];
    if (quoted) {
      if (c === '"' && csv[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && csv[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/** Videos of a batch of `tenant` running at once: BATCH_CONCURRENCY, or fewer when the tenant's quota says so. */
export function batchConcurrency(config: Config, quotas: TenantQuotas, tenant: string): number {
  const { maxRunning } = quotas.quotaOf(tenant);
  return maxRunning > 0 ? Math.min(maxRunning, config.batchConcurrency) : config.batchConcurrency;
}

/** The videos a batch body asks for, each checked as `POST /api/videos` checks its body (a CSV's too). */
export function batchVideos(body: BatchBody): CreateVideoBody[] {
  const requests = body.items ?? (body.pmids ?? []).map((pmid) => ({ source: { type: 'pubmed' as const, pmid }, options: body.options }));
  if (requests.length > MAX_BATCH_ITEMS) throw new HttpError(400, 'invalid_request', `A batch holds at most ${MAX_BATCH_ITEMS} videos`);
  return requests.map((item, i) => validate(createVideoBodySchema, item, `items.${i}`));
}

/** One video of a batch or schedule as its workflow takes it, with the title lists read at start. */
export async function workflowItem(service: VideoService, video: CreateVideoBody, tenant: string, videoId: string) {
  const input = await service.workflowInput(video, { videoId, tenant, maxCredits: video.options?.maxCredits });
  return { input, ...(input.source.type === 'pubmed' ? {} : { title: input.source.title }) };
}

/** Items with the same key make the same video, and run one after the other (src/workflows/video-batch.ts). */
export const sameVideoKey = (video: CreateVideoBody) => hash(canonicalJson({ source: video.source, options: video.options ?? {} }));

/** What a client sees of a batch. */
function batchBody(state: VideoBatchState, createdAt: Date) {
  const counts = { queued: 0, running: 0, completed: 0, failed: 0, cancelled: 0 };
  for (const item of state.items) counts[item.status] += 1;
  const ended = counts.completed + counts.failed + counts.cancelled;
  return {
    id: state.batchId,
    status: state.status,
    progress: Math.floor((100 * ended) / Math.max(1, state.items.length)),
    counts,
    items: state.items.map((item) => ({
      id: item.videoId,
      status: item.status,
      url: `/api/videos/${item.videoId}`,
      ...(item.result ? { videoUrl: `/api/videos/${item.videoId}/video` } : {}),
      ...(item.error ? { error: item.error } : {}),
    })),
    createdAt: createdAt.toISOString(),
  };
}

export function batchRoutes(deps: BatchRoutesDeps): Router {
  const router = Router();
  const { client, config } = deps;

  const describe = async (batchId: string, res: Response) => {
    if (!/^batch-[A-Za-z0-9-]{1,100}$/.test(batchId)) throw notFound(`Batch ${batchId}`);
    try {
      const description = await client.workflow.getHandle(batchId).describe();
      const caller = callerOf(res);
      if (description.type !== BATCH_WORKFLOW_TYPE) throw notFound(`Batch ${batchId}`);
      if (!caller.seesAll && tenantOf(description) !== caller.tenant) throw notFound(`Batch ${batchId}`);
      return description;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound(`Batch ${batchId}`);
      throw err;
    }
  };

  /**
   * The batch as its workflow tells it (a query; its result once completed). When no worker
   * answers in time, or `live` is false, or the batch ended without a result (terminated), it is
   * read from Temporal's own records instead: each item's run, in one visibility query, marked
   * `stale` while the batch runs.
   */
  const stateOf = async (batchId: string, res: Response, live = true) => {
    const description = await describe(batchId, res);
    const handle = client.workflow.getHandle<typeof videoBatch>(batchId, description.runId);
    const running = description.status.name === 'RUNNING';
    if (description.status.name === 'COMPLETED') return batchBody(await handle.result(), description.startTime);
    if (running && live) {
      try {
        return batchBody(
          await client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(batchStatusQuery)),
          description.startTime,
        );
      } catch (err) {
        if (!asWorkerUnavailable(err)) throw err;
      }
    }
    const memoItems = description.memo?.[ITEMS_MEMO_KEY];
    const ids = Array.isArray(memoItems) ? (memoItems as string[]) : [];
    const seen = new Map<string, VideoBatchState['items'][number]['status']>();
    for await (const child of client.workflow.list({ query: `ParentWorkflowId = '${batchId}'`, pageSize: MAX_BATCH_ITEMS })) {
      seen.set(child.workflowId, CLOSED_STATUS[child.status.name] ?? 'running');
    }
    // An item not started yet is queued in a running batch, and never will be in an ended one.
    const items = ids.map((videoId) => ({
      videoId,
      status: seen.get(videoId) ?? (running ? ('queued' as const) : ('cancelled' as const)),
    }));
    const body = batchBody({ batchId, status: running ? 'running' : 'cancelled', items }, description.startTime);
    return running ? { ...body, stale: true as const } : body;
  };

  router.post(
    '/',
    deps.createLimit,
    express.text({ type: 'text/csv', limit: config.api.bodyLimit }),
    async (req: Request, res: Response) => {
      let body: BatchBody;
      if (req.is('text/csv')) body = { items: itemsFromCsv(String(req.body)) };
      else if (req.is('application/json')) body = validate(batchBodySchema, req.body, 'body');
      else throw new HttpError(415, 'unsupported_media_type', 'Send the batch as application/json or text/csv');
      const items = batchVideos(body);

      const caller = callerOf(res);
      const key = req.get('Idempotency-Key');
      if (key !== undefined && (key.length === 0 || key.length > 255))
        throw new HttpError(400, 'invalid_request', 'Idempotency-Key must be 1 to 255 characters');
      const requestHash = hash(canonicalJson(items));
      const batchId = key ? `batch-${hash(`${deps.principal(req, res)}\n${key}`).slice(0, 32)}` : `batch-${randomUUID()}`;
      const service = deps.service.as(caller);
      const input: VideoBatchInput = {
        batchId,
        tenant: caller.tenant,
        concurrency: batchConcurrency(deps.config, deps.quotas, caller.tenant),
        items: await Promise.all(
          items.map(async (item, i) => ({
            ...(await workflowItem(service, item, caller.tenant, `${batchId}-${String(i).padStart(3, '0')}`)),
            sameAs: sameVideoKey(item),
          })),
        ),
      };
      let created = true;
      try {
        await client.workflow.start<typeof videoBatch>(BATCH_WORKFLOW_TYPE, {
          workflowId: batchId,
          taskQueue: config.temporal.taskQueue,
          args: [input],
          // The items' ids, so a batch ended without a result (terminated) can still list them.
          memo: { requestHash, [ITEMS_MEMO_KEY]: input.items.map((i) => i.input.videoId) },
          staticSummary: `Batch of ${items.length} videos`,
          typedSearchAttributes: [{ key: VIDEO_TENANT_KEY, value: caller.tenant }],
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError) || !key) throw err;
        created = false;
      }
      if (!created) {
        const existing = await describe(batchId, res);
        if (existing.memo?.requestHash !== requestHash) {
          throw new HttpError(409, 'idempotency_conflict', 'This Idempotency-Key was already used with a different batch');
        }
      }
      // A new batch is all queued; a repeat answers what it has done since.
      const initial: VideoBatchState = {
        batchId,
        status: 'running',
        items: input.items.map((i) => ({ videoId: i.input.videoId, status: 'queued' })),
      };
      res
        .status(created ? 202 : 200)
        .location(`/api/batches/${batchId}`)
        .json(created ? batchBody(initial, new Date()) : await stateOf(batchId, res, false));
    },
  );

  router.get('/:id', async (req: Request, res: Response) => {
    res.json(await stateOf(String(req.params.id), res));
  });

  router.post('/:id/cancel', async (req: Request, res: Response) => {
    const batchId = String(req.params.id);
    const description = await describe(batchId, res);
    if (description.status.name !== 'RUNNING') throw new HttpError(409, 'already_finished', `Batch ${batchId} has already finished`);
    await client.workflow.getHandle(batchId, description.runId).cancel();
    res.status(202).json(await stateOf(batchId, res));
  });

  return router;
}
