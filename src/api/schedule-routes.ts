/**
 * `/api/schedules`: a video, a batch or a saved PubMed search's new papers, started at a given
 * time (`at`) or again and again (`cron`, `every`), kept as a Temporal Schedule. Each firing starts a `scheduledStart` workflow that starts
 * the video or batch as an ordinary one (src/workflows/scheduled-start.ts), so a missed firing
 * during an outage is caught up by Temporal, and every firing is listed, followed and served
 * like any other video. Schedules are listed, paused, resumed and deleted here; a tenant sees its
 * own.
 */
import { randomUUID } from 'node:crypto';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import {
  MONTHS,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleSpec,
} from '@temporalio/client';
import { z } from 'zod';
import type { Config } from '../config';
import { SCHEDULED_START_WORKFLOW_TYPE, firingId, type ScheduledStartInput, type scheduledStart } from '../workflows/scheduled-start';
import { batchBodySchema, batchConcurrency, batchVideos, sameVideoKey, workflowItem } from './batch-routes';
import { HttpError, notFound } from './http-error';
import { callerOf } from './require-api-key';
import { createVideoBodySchema, optionsSchema, type CreateVideoBody } from './schemas';
import { validate } from './validate';
import type { VideoService } from './video-service';
import type { TenantQuotas } from './tenant-quotas';

/** The most papers one firing of a saved search makes videos of. */
export const MAX_SEARCH_PAPERS = 10;

const TENANT_MEMO_KEY = 'tenant';
const WHEN_MEMO_KEY = 'when';

export const scheduleBodySchema = z
  .object({
    video: createVideoBodySchema.optional().describe('The video each firing starts, as POST /api/videos takes it'),
    batch: batchBodySchema.optional().describe('Or the batch each firing starts, as POST /api/batches takes it'),
    search: z
      .object({
        term: z.string().trim().min(1).max(500).describe('A PubMed query, as typed into PubMed, e.g. "circadian rhythm AND shift work"'),
        papers: z
          .number()
          .int()
          .min(1)
          .max(MAX_SEARCH_PAPERS)
          .default(1)
          .describe('How many of the newest matching papers each firing looks at'),
        days: z.number().int().min(1).max(3650).optional().describe('Only papers added to PubMed within this many days'),
        options: optionsSchema.optional().describe('Options of every video the search starts'),
      })
      .strict()
      .optional()
      .describe('Or a saved PubMed search: each firing makes a video of each newest matching paper not made before'),
    at: z.iso.datetime({ offset: true }).optional().describe('Start once, at this time (ISO 8601)'),
    cron: z
      .string()
      .trim()
      .min(9)
      .max(200)
      .optional()
      .describe('Start on this cron schedule, e.g. "0 9 * * MON" (minute hour day month weekday)'),
    every: z
      .string()
      .regex(/^[1-9][0-9]{0,5}(s|m|h|d)$/, 'every must be a number and a unit: s, m, h or d, e.g. 6h')
      .optional()
      .describe('Start at this interval, e.g. 1d'),
    timezone: z.string().max(64).optional().describe('The time zone of `cron`, e.g. Europe/Paris; UTC by default'),
    paused: z.boolean().optional(),
    note: z.string().max(500).optional(),
  })
  .strict()
  .refine((b) => [b.video, b.batch, b.search].filter((k) => k !== undefined).length === 1, 'send exactly one of video, batch and search')
  .refine((b) => [b.at, b.cron, b.every].filter((t) => t !== undefined).length === 1, 'send exactly one of at, cron and every');
type ScheduleBody = z.infer<typeof scheduleBodySchema>;

export interface ScheduleRoutesDeps {
  client: Client;
  config: Config;
  service: VideoService;
  quotas: TenantQuotas;
  createLimit: RequestHandler;
}

/** When the body says to start, as a Temporal schedule spec. */
function specOf(body: ScheduleBody): ScheduleSpec {
  if (body.cron) return { cronExpressions: [body.cron], ...(body.timezone ? { timezone: body.timezone } : {}) };
  if (body.every) return { intervals: [{ every: body.every as `${number}${'s' | 'm' | 'h' | 'd'}` }] };
  const at = new Date(body.at!);
  if (at.getTime() <= Date.now()) throw new HttpError(400, 'invalid_request', 'body.at: the time has passed');
  return {
    calendars: [
      {
        year: at.getUTCFullYear(),
        month: MONTHS[at.getUTCMonth()]!,
        dayOfMonth: at.getUTCDate(),
        hour: at.getUTCHours(),
        minute: at.getUTCMinutes(),
        second: at.getUTCSeconds(),
      },
    ],
  };
}

type RecentRun = { id: string; url: string; scheduledAt: string };

/**
 * The videos or batches a schedule's recent firings started. A video or batch firing's is named by
 * the time it fired for; a search firing's are in its result, read once the firing has ended.
 */
async function recentRuns(client: Client, id: string, kind: string, description: ScheduleDescription): Promise<RecentRun[]> {
  const runs = await Promise.all(
    description.info.recentActions.map(async (a): Promise<RecentRun[]> => {
      const scheduledAt = a.scheduledAt.toISOString();
      if (kind !== 'search') {
        const runId = firingId(kind as 'video' | 'batch', id, a.scheduledAt);
        return [{ id: runId, url: kind === 'batch' ? `/api/batches/${runId}` : `/api/videos/${runId}`, scheduledAt }];
      }
      const firing = client.workflow.getHandle<typeof scheduledStart>(a.action.workflow.workflowId, a.action.workflow.firstExecutionRunId);
      const ended = await firing.describe().then(
        (d) => d.status.name === 'COMPLETED',
        () => false,
      );
      const started = ended ? ((await firing.result()).ids ?? []) : [];
      return started.map((videoId) => ({ id: videoId, url: `/api/videos/${videoId}`, scheduledAt }));
    }),
  );
  return runs.flat();
}

/** What a client sees of a schedule. */
async function scheduleView(client: Client, id: string, description: ScheduleDescription) {
  const input = (description.action as { args?: ScheduledStartInput[] }).args?.[0];
  const kind = input?.search ? 'search' : input?.batch ? 'batch' : 'video';
  return {
    id,
    kind,
    ...(input?.search
      ? { search: { term: input.search.term, papers: input.search.papers, ...(input.search.days ? { days: input.search.days } : {}) } }
      : {}),
    paused: description.state.paused,
    ...(description.state.note ? { note: description.state.note } : {}),
    ...(description.state.remainingActions !== undefined ? { remainingRuns: description.state.remainingActions } : {}),
    // When it starts, as it was asked for (Temporal keeps a cron expression as calendars).
    when: description.memo?.[WHEN_MEMO_KEY] ?? {},
    nextRunsAt: description.info.nextActionTimes.slice(0, 5).map((t) => t.toISOString()),
    recentRuns: await recentRuns(client, id, kind, description),
    createdAt: description.info.createdAt.toISOString(),
  };
}

export function scheduleRoutes(deps: ScheduleRoutesDeps): Router {
  const router = Router();
  const { client, config } = deps;
  const prefix = `${config.temporal.taskQueue}-schedule-`;

  /** The schedule, if it is this deployment's and the caller's; another tenant's answers as a missing one. */
  const describe = async (id: string, res: Response) => {
    if (!id.startsWith(prefix) || !/^[A-Za-z0-9_-]{1,200}$/.test(id)) throw notFound(`Schedule ${id}`);
    const handle = client.schedule.getHandle(id);
    try {
      const description = await handle.describe();
      const caller = callerOf(res);
      if (!caller.seesAll && description.memo?.[TENANT_MEMO_KEY] !== caller.tenant) throw notFound(`Schedule ${id}`);
      return { handle, description };
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) throw notFound(`Schedule ${id}`);
      throw err;
    }
  };

  router.post('/', deps.createLimit, async (req: Request, res: Response) => {
    if (!req.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json');
    const body = validate(scheduleBodySchema, req.body, 'body');
    const caller = callerOf(res);
    const service = deps.service.as(caller);
    const id = `${prefix}${randomUUID()}`;
    // Ids are filled in at each firing; a placeholder stands in for them here.
    const inputOf = async (video: CreateVideoBody) => {
      const { input, ...item } = await workflowItem(service, video, caller.tenant, 'scheduled');
      const { videoId: _placeholder, ...rest } = input;
      return { input: rest, ...item };
    };
    const start: ScheduledStartInput = { scheduleId: id, tenant: caller.tenant };
    if (body.video) start.video = await inputOf(body.video);
    else if (body.search) {
      const { term, papers, days, options } = body.search;
      // Each paper's source is filled in at the firing that finds it.
      const { input } = await inputOf({ source: { type: 'pubmed', pmid: '1' }, ...(options ? { options } : {}) });
      const { source: _placeholder, ...rest } = input;
      start.search = { term, papers, ...(days ? { days } : {}), input: rest };
    } else {
      start.batch = {
        tenant: caller.tenant,
        concurrency: batchConcurrency(deps.config, deps.quotas, caller.tenant),
        items: await Promise.all(
          batchVideos(body.batch!).map(async (video) => ({ ...(await inputOf(video)), sameAs: sameVideoKey(video) })),
        ),
      };
    }
    try {
      await client.schedule.create({
        scheduleId: id,
        spec: specOf(body),
        action: {
          type: 'startWorkflow',
          workflowType: SCHEDULED_START_WORKFLOW_TYPE,
          workflowId: `${id}-run`,
          taskQueue: config.temporal.taskQueue,
          args: [start],
        },
        // Firings never wait on one another: each is a video of its own.
        policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL },
        state: {
          paused: body.paused ?? false,
          ...(body.note ? { note: body.note } : {}),
          ...(body.at ? { remainingActions: 1 } : {}),
        },
        memo: {
          [TENANT_MEMO_KEY]: caller.tenant,
          [WHEN_MEMO_KEY]: {
            ...(body.at ? { at: body.at } : {}),
            ...(body.cron ? { cron: body.cron } : {}),
            ...(body.every ? { every: body.every } : {}),
            ...(body.timezone ? { timezone: body.timezone } : {}),
          },
        },
      });
    } catch (err) {
      // Temporal checks the cron expression and the time zone; the SDK raises its refusal as a TypeError.
      if (err instanceof TypeError) {
        throw new HttpError(400, 'invalid_request', `The schedule was refused: ${err.message}`);
      }
      throw err;
    }
    const { description } = await describe(id, res);
    res
      .status(201)
      .location(`/api/schedules/${id}`)
      .json(await scheduleView(client, id, description));
  });

  router.get('/', async (_req: Request, res: Response) => {
    const caller = callerOf(res);
    const schedules = [];
    for await (const summary of client.schedule.list()) {
      if (!summary.scheduleId.startsWith(prefix)) continue;
      if (!caller.seesAll && summary.memo?.[TENANT_MEMO_KEY] !== caller.tenant) continue;
      schedules.push({
        id: summary.scheduleId,
        paused: summary.state.paused,
        nextRunsAt: summary.info?.nextActionTimes.slice(0, 1).map((t) => t.toISOString()) ?? [],
        ...(summary.state.note ? { note: summary.state.note } : {}),
      });
    }
    res.json({ schedules });
  });

  router.get('/:id', async (req: Request, res: Response) => {
    const id = String(req.params.id);
    res.json(await scheduleView(client, id, (await describe(id, res)).description));
  });

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    router.post(`/:id/${action}`, async (req: Request, res: Response) => {
      const id = String(req.params.id);
      const { handle } = await describe(id, res);
      if (paused) await handle.pause('Paused over the API');
      else await handle.unpause('Resumed over the API');
      res.json(await scheduleView(client, id, await handle.describe()));
    });
  }

  router.delete('/:id', async (req: Request, res: Response) => {
    const { handle } = await describe(String(req.params.id), res);
    // Videos it started are not touched: they are videos of their own.
    await handle.delete();
    res.status(204).end();
  });

  return router;
}
