/**
 * Everything the API asks of Temporal about videos. A video id is its workflow id; the state is
 * read from the workflow (query), or from its result once it has closed, so no other database
 * is needed.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  isGrpcDeadlineError,
  type Client,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Config } from '../config';
import { VIDEO_STAGE_KEY, WORKFLOW_TYPE } from '../shared/temporal-names';
import type { GenerateVideoInput, Script, VideoState } from '../shared/video';
import type { generateVideo } from '../workflows';
import { approveUpdate, editScriptUpdate, scriptQuery, statusQuery } from '../workflows/video-messages';
import { FailureType } from '../shared/failure-types';
import { addLogContext } from '../shared-node/log-context';
import { logger } from '../shared-node/logger';
import { HttpError, notFound } from './http-error';
import type { CreateVideoBody } from './schemas';
import { toStatusBody, type StatusContext } from './status-body';

export interface StartOutcome {
  videoId: string;
  /** False when an earlier request with the same idempotency key already started it. */
  created: boolean;
}

/** How long a query may wait for a worker before the API gives up on it. */
const QUERY_TIMEOUT_MS = 10_000;

/** A run whose first workflow task never ran (no worker yet) has no state to ask for. */
const hasRun = (description: WorkflowExecutionDescription) =>
  description.historyLength > 2 && description.typedSearchAttributes.get(VIDEO_STAGE_KEY) !== 'queued';

const hash = (text: string) => createHash('sha256').update(text).digest('hex');

/** Canonical JSON (sorted keys), so that the same body always hashes alike. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export class VideoService {
  constructor(
    private readonly client: Client,
    private readonly config: Config,
    /** Told of every video actually started (not of an idempotent repeat), for metrics. */
    private readonly onStarted: (source: GenerateVideoInput['source']['type']) => void = () => undefined,
  ) {}

  /**
   * Starts a video. With an idempotency key the workflow id is derived from it (scoped by the
   * caller), so Temporal itself refuses a second start: concurrent duplicates cannot both win.
   */
  async start(body: CreateVideoBody, idempotency?: { key: string; scope: string }): Promise<StartOutcome> {
    const requestHash = hash(canonical(body));
    const videoId = idempotency ? `video-${hash(`${idempotency.scope}\n${idempotency.key}`).slice(0, 32)}` : `video-${randomUUID()}`;
    const d = this.config.defaults;
    const input: GenerateVideoInput = {
      videoId,
      source: body.source,
      options: {
        review: body.options?.review ?? false,
        reviewTimeoutSec: body.options?.reviewTimeoutSec ?? d.reviewTimeoutSec,
        maxScenes: body.options?.maxScenes ?? d.maxScenes,
        voice: body.options?.voice ?? d.voice,
        sceneConcurrency: body.options?.sceneConcurrency ?? d.sceneConcurrency,
        maxCredits: body.options?.maxCredits,
      },
      paidSteps: this.config.paidSteps,
    };
    try {
      const handle = await this.client.workflow.start<typeof generateVideo>(WORKFLOW_TYPE, {
        workflowId: videoId,
        taskQueue: this.config.temporal.taskQueue,
        args: [input],
        memo: { requestHash },
        typedSearchAttributes: [{ key: VIDEO_STAGE_KEY, value: 'queued' }],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
      this.onStarted(body.source.type);
      addLogContext({ videoId });
      logger.info('video started', { videoId, workflowId: videoId, runId: handle.firstExecutionRunId, source: body.source.type });
      return { videoId, created: true };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) || !idempotency) throw err;
      const existing = await this.client.workflow.getHandle(videoId).describe();
      if (existing.memo?.requestHash !== requestHash) {
        throw new HttpError(409, 'idempotency_conflict', 'This Idempotency-Key was already used with a different request body');
      }
      return { videoId, created: false };
    }
  }

  async describe(videoId: string): Promise<WorkflowExecutionDescription> {
    try {
      const description = await this.client.workflow.getHandle(videoId).describe();
      if (description.type !== WORKFLOW_TYPE) throw notFound(`Video ${videoId}`);
      return description;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound(`Video ${videoId}`);
      throw err;
    }
  }

  /** The status body of a video, as DESIGN.md describes it. */
  async status(videoId: string, context: StatusContext): Promise<ReturnType<typeof toStatusBody>> {
    const description = await this.describe(videoId);
    return toStatusBody(await this.readState(description), description, context);
  }

  /** Reads the state without replaying closed runs where their result already holds it. */
  async readState(description: WorkflowExecutionDescription): Promise<VideoState | undefined> {
    const handle = this.client.workflow.getHandle(description.workflowId, description.runId);
    switch (description.status.name) {
      case 'COMPLETED':
        return (await handle.result()) as VideoState;
      case 'FAILED':
        try {
          await handle.result();
        } catch (err) {
          const failure = err instanceof WorkflowFailedError ? err.cause : undefined;
          if (failure instanceof ApplicationFailure) return failure.details?.[0] as VideoState | undefined;
        }
        return undefined;
      default:
        // Until the first workflow task runs there is nothing to ask and maybe no worker to answer;
        // without a worker the status falls back to what Temporal itself knows.
        if (!hasRun(description)) return undefined;
        return this.query(() => handle.query(statusQuery)).catch(() => undefined);
    }
  }

  /** Runs a query with a deadline: with no worker up, a query would otherwise wait for one. */
  private async query<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await this.client.withDeadline(Date.now() + QUERY_TIMEOUT_MS, fn);
    } catch (err) {
      if (isGrpcDeadlineError(err)) {
        throw new HttpError(503, 'worker_unavailable', 'No worker answered for this video in time; retry later', undefined, {
          'Retry-After': '5',
        });
      }
      throw err;
    }
  }

  /** Requests cancellation; the workflow stops its activities and removes partial files. */
  async cancel(videoId: string): Promise<void> {
    const description = await this.describe(videoId);
    if (description.status.name !== 'RUNNING') {
      throw new HttpError(409, 'already_finished', `Video ${videoId} has already finished (${description.status.name.toLowerCase()})`);
    }
    await this.client.workflow.getHandle(videoId).cancel();
  }

  async script(videoId: string): Promise<Script> {
    const description = await this.describe(videoId);
    // A run no worker has picked up yet cannot answer a query, and has no script anyway.
    const handle = this.client.workflow.getHandle(videoId, description.runId);
    const script = hasRun(description) ? await this.query(() => handle.query(scriptQuery)) : undefined;
    if (!script) throw new HttpError(409, 'script_not_ready', 'The script has not been written yet');
    return script;
  }

  /** Replaces the script of a video awaiting review; the workflow's validator has the last word. */
  async editScript(videoId: string, script: Script): Promise<Script> {
    const description = await this.requireAwaitingReview(videoId);
    const handle = this.client.workflow.getHandle(videoId, description.runId);
    return this.reviewUpdate(() => handle.executeUpdate(editScriptUpdate, { args: [script] }));
  }

  /** Approves the script; answers once the run has left review, so the next status shows it. */
  async approve(videoId: string): Promise<void> {
    const description = await this.requireAwaitingReview(videoId);
    const handle = this.client.workflow.getHandle(videoId, description.runId);
    await this.reviewUpdate(() => handle.executeUpdate(approveUpdate));
  }

  private async requireAwaitingReview(videoId: string): Promise<WorkflowExecutionDescription> {
    const description = await this.requireRunning(videoId);
    if ((await this.readState(description))?.stage !== 'awaiting_review') {
      throw new HttpError(
        409,
        'not_awaiting_review',
        `Video ${videoId} is not awaiting review; only then can its script be edited or approved`,
      );
    }
    return description;
  }

  /** Runs a review update, turning the workflow's typed refusals into HTTP errors. */
  private async reviewUpdate<T>(update: () => Promise<T>): Promise<T> {
    try {
      return await this.query(update);
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        const type = err.cause instanceof ApplicationFailure ? err.cause.type : undefined;
        if (type === FailureType.NotAwaitingReview)
          throw new HttpError(409, 'not_awaiting_review', err.cause?.message ?? 'Not awaiting review');
        throw new HttpError(400, 'invalid_script', err.cause?.message ?? 'The script was rejected');
      }
      throw err;
    }
  }

  private async requireRunning(videoId: string): Promise<WorkflowExecutionDescription> {
    const description = await this.describe(videoId);
    if (description.status.name !== 'RUNNING') {
      throw new HttpError(409, 'already_finished', `Video ${videoId} has already finished`);
    }
    return description;
  }
}
