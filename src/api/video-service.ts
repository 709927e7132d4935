/**
 * Everything the API asks of Temporal about videos. A video id is its workflow id; the state is
 * read from the workflow (query), or from its result once it has closed, so no other database
 * is needed.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  QueryNotRegisteredError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionDescription,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Config } from '../config';
import {
  RETRY_OF_MEMO_KEY,
  REVISION_OF_MEMO_KEY,
  TITLE_MEMO_KEY,
  VIDEO_STAGE_KEY,
  VIDEO_TENANT_KEY,
  WORKFLOW_TYPE,
} from '../shared/temporal-names';
import type { CacheScope, GenerateVideoInput, ReusedWork, Script, VideoState } from '../shared/video';
import type { ArtifactStore } from '../storage/artifact-store';
import type { generateVideo } from '../workflows';
import { approveUpdate, editScriptUpdate, finishedWorkQuery, scriptQuery, statusQuery } from '../workflows/video-messages';
import { FailureType } from '../shared/failure-types';
import { addLogContext } from '../shared-node/log-context';
import { logger } from '../shared-node/logger';
import { OPEN_CALLER, type Caller } from './api-keys';
import { HttpError, notFound } from './http-error';
import type { CreateVideoBody, RevisionBody, VideoStatusBody } from './schemas';
import { scriptProblems } from '../shared/validate-script';
import { canonicalJson } from '../shared/canonical-json';
import { memoTitle, toStatusBody, type StatusContext } from './status-body';
import { DeletedVideos } from './deleted-videos';
import { asWorkerUnavailable, RETRY_AFTER_SEC, withTemporalDeadline } from './temporal-unavailable';
import { tenantOf, TenantQuotas } from './tenant-quotas';
import { readUpload } from '../uploads/upload-records';

export interface StartOutcome {
  videoId: string;
  /** False when an earlier request with the same idempotency key already started it. */
  created: boolean;
}

/**
 * How long a query or update may wait for a worker. A worker answers in milliseconds; with none,
 * Temporal says so about a second before this deadline, so a client hears 503 within seconds.
 */
const QUERY_TIMEOUT_MS = 3_000;
/**
 * How long a retry or a revision waits for an ended run's finished work. A worker answers a query
 * on an ended run by replaying its whole history, which on a loaded machine can pass 3 s.
 */
const ENDED_RUN_QUERY_TIMEOUT_MS = 10_000;

/** A script with some fields of some scenes replaced; an index the script lacks is refused. */
function applySceneEdits(script: Script, edits: NonNullable<RevisionBody['scenes']>): Script {
  const scenes = script.scenes.map((scene) => ({ ...scene }));
  for (const { index, ...fields } of edits) {
    const scene = scenes.find((s) => s.index === index);
    if (!scene) throw new HttpError(400, 'invalid_request', `body.scenes: the script has no scene ${index}`);
    Object.assign(scene, Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)));
  }
  return { ...script, scenes };
}

/** The step cache a run of `tenant` uses, by CACHE_SCOPE. */
function cacheScopeOf(setting: Config['cacheScope'], tenant: string): { cacheScope?: CacheScope } {
  if (setting === 'off') return {};
  return { cacheScope: setting === 'shared' ? 'shared' : `tenant:${tenant}` };
}

/** A slideshow image's time on screen when the request does not say. */
const DEFAULT_SECONDS_PER_IMAGE = 5;

/** Run statuses a retry may start from: the run ended without a video. */
const RETRYABLE = new Set(['FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT']);

/**
 * How long `DELETE` waits for a running video to stop after cancelling it before answering 409
 * `still_stopping`: long enough for a cancel to reach every activity (a clip wait hears it at its
 * next heartbeat), short enough that a request never hangs when no worker runs the cancel.
 */
const DELETE_WAIT_MS = 5_000;

/** What a start carries besides the request body: a retry's taken-over work and its links. */
interface StartExtras {
  /** The video this one retries. */
  retryOf?: string;
  /** The video whose script this one edits. */
  revisionOf?: string;
  /** What the idempotency hash covers instead of the body (a retry or revision: its origin and edit). */
  hashOf?: unknown;
  /** What the retried run finished, when it got as far as a script. */
  reuse?: ReusedWork;
  title?: string;
}

/** A run whose first workflow task never ran (no worker yet) has no state to ask for. */
const hasRun = (description: WorkflowExecutionDescription) =>
  description.historyLength > 2 && description.typedSearchAttributes.get(VIDEO_STAGE_KEY) !== 'queued';

/**
 * What the Temporal Web UI shows for a run: its title as the summary (a PubMed paper's title is
 * not known at start, so its PMID stands in), and where it came from as the details.
 */
export function runMetadata(source: GenerateVideoInput['source']): { staticSummary: string; staticDetails: string } {
  if (source.type === 'text') return { staticSummary: oneLine(source.title), staticDetails: 'Source: pasted text' };
  if (source.type === 'slideshow') {
    const sound = source.audio ? `, soundtrack ${source.audio}` : '';
    return { staticSummary: oneLine(source.title), staticDetails: `Source: slideshow of ${source.images.length} uploaded images${sound}` };
  }
  return {
    staticSummary: `PubMed ${source.pmid}`,
    staticDetails: `Source: PubMed [${source.pmid}](https://pubmed.ncbi.nlm.nih.gov/${source.pmid}/)`,
  };
}

/** A summary is single-line Temporal markdown. */
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

export const hash = (text: string) => createHash('sha256').update(text).digest('hex');

export class VideoService {
  private readonly quotas: TenantQuotas;

  constructor(
    private readonly client: Client,
    private readonly config: Config,
    /** Told of every video actually started (not of an idempotent repeat), for metrics. */
    private readonly onStarted: (source: GenerateVideoInput['source']['type']) => void = () => undefined,
    /** Whose view this is; see `as`. The whole deployment's when unset. */
    private readonly viewer?: Caller,
    quotas?: TenantQuotas,
    /** Shared by every view, like the quotas. */
    readonly deleted = new DeletedVideos(),
    /** Where uploads are looked up, so a slideshow may only use its own tenant's; unchecked without it. */
    private readonly store?: ArtifactStore,
  ) {
    this.quotas = quotas ?? new TenantQuotas(client, config);
  }

  /**
   * The service as `caller` sees it: its videos start as the caller's tenant, under its quotas,
   * and another tenant's video is not found by any method (unless the caller sees all).
   */
  as(caller: Caller): VideoService {
    return new VideoService(this.client, this.config, this.onStarted, caller, this.quotas, this.deleted, this.store);
  }

  /**
   * Starts a video. With an idempotency key the workflow id is derived from it (scoped by the
   * caller), so Temporal itself refuses a second start: concurrent duplicates cannot both win.
   * A repeat answers with the existing video before any quota is counted.
   */
  async start(body: CreateVideoBody, idempotency?: { key: string; scope: string }, extras: StartExtras = {}): Promise<StartOutcome> {
    const caller = this.viewer ?? OPEN_CALLER;
    const requestHash = hash(canonicalJson(extras.hashOf ?? (extras.retryOf ? { retryOf: extras.retryOf } : body)));
    const videoId = idempotency ? `video-${hash(`${idempotency.scope}\n${idempotency.key}`).slice(0, 32)}` : `video-${randomUUID()}`;
    if (idempotency) {
      const repeat = await this.repeatOf(videoId, requestHash);
      if (repeat) return repeat;
    }
    const run = (maxCredits: number | undefined) =>
      this.startRun(body, { videoId, requestHash, tenant: caller.tenant, maxCredits }, idempotency, extras);
    if (caller.quotaExempt) return run(body.options?.maxCredits);
    const maxScenes = body.options?.maxScenes ?? this.config.defaults.maxScenes;
    return this.quotas.admit(caller.tenant, { maxCredits: body.options?.maxCredits, maxScenes }, (a) => run(a.maxCredits));
  }

  private async startRun(
    body: CreateVideoBody,
    run: { videoId: string; requestHash: string; tenant: string; maxCredits: number | undefined },
    idempotency: { key: string; scope: string } | undefined,
    extras: StartExtras,
  ): Promise<StartOutcome> {
    const { videoId, requestHash, tenant, maxCredits } = run;
    const { reuse, retryOf } = extras;
    const input = await this.workflowInput(body, { videoId, tenant, maxCredits, reuse });
    const { source } = input;
    const title = extras.title ?? (source.type === 'pubmed' ? undefined : source.title);
    const metadata = runMetadata(source);
    try {
      const handle = await this.client.workflow.start<typeof generateVideo>(WORKFLOW_TYPE, {
        workflowId: videoId,
        taskQueue: this.config.temporal.taskQueue,
        args: [input],
        // The budget is kept where listing can read it: a running video counts it against its tenant.
        // So is a text source's title; a paper's title is added by the workflow once it is known.
        memo: {
          requestHash,
          ...(maxCredits === undefined ? {} : { maxCredits }),
          ...(title === undefined ? {} : { [TITLE_MEMO_KEY]: title }),
          ...(retryOf ? { [RETRY_OF_MEMO_KEY]: retryOf } : {}),
          ...(extras.revisionOf ? { [REVISION_OF_MEMO_KEY]: extras.revisionOf } : {}),
        },
        staticSummary: title === undefined ? metadata.staticSummary : oneLine(title),
        staticDetails: retryOf
          ? `${metadata.staticDetails}\n\nRetry of ${retryOf}`
          : extras.revisionOf
            ? `${metadata.staticDetails}\n\nRevision of ${extras.revisionOf}`
            : metadata.staticDetails,
        typedSearchAttributes: [
          { key: VIDEO_STAGE_KEY, value: 'queued' },
          { key: VIDEO_TENANT_KEY, value: tenant },
        ],
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      });
      this.onStarted(body.source.type);
      addLogContext({ videoId });
      logger.info('video started', {
        videoId,
        workflowId: videoId,
        runId: handle.firstExecutionRunId,
        source: body.source.type,
        tenant,
        ...(retryOf ? { retryOf } : {}),
      });
      return { videoId, created: true };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) || !idempotency) throw err;
      // A concurrent duplicate won the race between the check above and this start.
      const repeat = await this.repeatOf(videoId, requestHash);
      if (!repeat) throw err;
      return repeat;
    }
  }

  /**
   * The source as the workflow takes it. A slideshow gets its defaults, and each upload it names
   * must be the caller's and of the right kind: another tenant's upload answers as a missing one.
   */
  private async workflowSource(body: CreateVideoBody, tenant: string): Promise<GenerateVideoInput['source']> {
    const { source } = body;
    if (source.type !== 'slideshow') return source;
    if (body.options?.review) {
      throw new HttpError(400, 'invalid_request', "body.options.review: a slideshow's captions are its script; there is nothing to review");
    }
    const images = source.images.map((image) => (typeof image === 'string' ? { upload: image } : image));
    if (this.store) {
      const wanted = [
        ...images.map((i) => ({ id: i.upload, kind: 'image' })),
        ...(source.audio ? [{ id: source.audio, kind: 'audio' }] : []),
      ];
      for (const { id, kind } of wanted) {
        const record = await readUpload(this.store, id);
        const seen = record && (this.viewer?.seesAll || record.tenant === tenant);
        if (!seen)
          throw new HttpError(422, 'upload_not_found', `Upload ${id} was not found (uploads are kept for a limited time)`, { upload: id });
        if (record.type !== kind) {
          throw new HttpError(422, 'invalid_request', `Upload ${id} (${record.name}) is ${record.type}, not ${kind}`, { upload: id });
        }
      }
    }
    return {
      type: 'slideshow',
      title: source.title ?? images.find((i) => i.caption)?.caption?.slice(0, 120) ?? 'Slideshow',
      images,
      ...(source.audio ? { audio: source.audio } : {}),
      secondsPerImage: source.secondsPerImage ?? DEFAULT_SECONDS_PER_IMAGE,
      transition: source.transition ?? 'fade',
      fit: source.fit ?? 'letterbox',
    };
  }

  /** The workflow input of a video of `tenant` made from `body`, with the deployment's defaults filled in. */
  async workflowInput(
    body: CreateVideoBody,
    run: { videoId: string; tenant: string; maxCredits: number | undefined; reuse?: ReusedWork },
  ): Promise<GenerateVideoInput> {
    const { videoId, tenant, maxCredits, reuse } = run;
    const d = this.config.defaults;
    return {
      videoId,
      source: await this.workflowSource(body, tenant),
      options: {
        review: body.options?.review ?? false,
        reviewTimeoutSec: body.options?.reviewTimeoutSec ?? d.reviewTimeoutSec,
        maxScenes: body.options?.maxScenes ?? d.maxScenes,
        voice: body.options?.voice ?? d.voice,
        sceneConcurrency: body.options?.sceneConcurrency ?? d.sceneConcurrency,
        maxCredits,
        ...(body.options?.burnCaptions ? { burnCaptions: true } : {}),
        ...(body.options?.preset ? { preset: body.options.preset } : {}),
      },
      paidSteps: this.config.paidSteps,
      ...(reuse ? { reuse } : {}),
      ...cacheScopeOf(this.config.cacheScope, tenant),
    };
  }

  /** The existing video of an idempotency key, if any; 409 when it was made from another body. */
  private async repeatOf(videoId: string, requestHash: string): Promise<StartOutcome | undefined> {
    let existing: WorkflowExecutionDescription;
    try {
      existing = await this.client.workflow.getHandle(videoId).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
    if (existing.memo?.requestHash !== requestHash) {
      throw new HttpError(409, 'idempotency_conflict', 'This Idempotency-Key was already used with a different request body');
    }
    return { videoId, created: false };
  }

  async describe(videoId: string): Promise<WorkflowExecutionDescription> {
    if (this.deleted.has(videoId)) throw notFound(`Video ${videoId}`);
    try {
      const description = await this.client.workflow.getHandle(videoId).describe();
      if (description.type !== WORKFLOW_TYPE) throw notFound(`Video ${videoId}`);
      // Another tenant's video answers exactly as a missing one does.
      if (this.viewer && !this.viewer.seesAll && tenantOf(description) !== this.viewer.tenant) throw notFound(`Video ${videoId}`);
      return description;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound(`Video ${videoId}`);
      throw err;
    }
  }

  /**
   * The status body of a video, as DESIGN.md describes it. When no worker can answer for a run
   * that has started, it is what Temporal itself knows (the run status and the `VideoStage`
   * search attribute), marked `stale`, rather than an error or a made-up `queued`.
   */
  async status(videoId: string, context: StatusContext): Promise<VideoStatusBody> {
    const description = await this.describe(videoId);
    let state: VideoState | undefined;
    try {
      state = await this.readState(description);
    } catch (err) {
      if (!(err instanceof HttpError && err.code === 'worker_unavailable')) throw err;
      return { ...toStatusBody(undefined, description, context), stale: true };
    }
    return toStatusBody(state, description, context);
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
        // Until the first workflow task runs there is nothing to ask and maybe no worker to answer.
        // After it, only a worker knows the state: without one this is a 503 `worker_unavailable`.
        if (!hasRun(description)) return undefined;
        return this.query(() => handle.query(statusQuery));
    }
  }

  /**
   * Runs a query or an update with a deadline of its own (with no worker up, it would otherwise
   * wait for one) and answers 503 `worker_unavailable` when no worker answered.
   */
  private async query<T>(fn: () => Promise<T>, timeoutMs = QUERY_TIMEOUT_MS): Promise<T> {
    try {
      return await this.client.withDeadline(Date.now() + timeoutMs, fn);
    } catch (err) {
      throw asWorkerUnavailable(err) ?? err;
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

  /**
   * Starts a new video for a failed or cancelled one that takes over everything the old run
   * finished (script, approval, narrations, clips, clip steps' outputs), so nothing paid for is
   * paid for again. The new video is linked to the old one (`retryOf`); the old one is unchanged.
   */
  async retry(videoId: string, idempotency?: { key: string; scope: string }): Promise<StartOutcome> {
    const description = await this.describe(videoId);
    const ended = description.status.name;
    if (!RETRYABLE.has(ended)) {
      const why = ended === 'RUNNING' ? 'is still running' : 'completed';
      throw new HttpError(409, 'not_retryable', `Video ${videoId} ${why}; only a failed or cancelled video can be retried`);
    }
    const work = await this.finishedWork(videoId, description, { code: 'not_retryable', verb: 'retried' });
    const { maxCredits, ...options } = work.options;
    const body: CreateVideoBody = { source: work.source, options: { ...options, ...(maxCredits === undefined ? {} : { maxCredits }) } };
    // With no script written there is nothing to take over, and the retry starts from the source.
    // A slideshow starts over from its uploads: copying them and narrating captions costs little.
    const reuse =
      work.script && work.source.type !== 'slideshow'
        ? { fromVideoId: videoId, script: work.script, approved: work.approved, scenes: work.scenes }
        : undefined;
    // The query may have used up the request's shared deadline: the start has a fresh one of its own.
    return withTemporalDeadline(this.client, () =>
      this.start(body, idempotency, { retryOf: videoId, reuse, title: work.script?.title ?? memoTitle(description.memo) }),
    );
  }

  /** What an ended run finished (its `finishedWork` query); 409 `code` for a run of a version without it. */
  private async finishedWork(videoId: string, description: WorkflowExecutionDescription, refusal: { code: string; verb: string }) {
    const handle = this.client.workflow.getHandle(videoId, description.runId);
    try {
      return await this.query(() => handle.query(finishedWorkQuery), ENDED_RUN_QUERY_TIMEOUT_MS);
    } catch (err) {
      if (!(err instanceof QueryNotRegisteredError)) throw err;
      throw new HttpError(
        409,
        refusal.code,
        `Video ${videoId} was started by a version that cannot be ${refusal.verb}; start it again instead`,
      );
    }
  }

  /**
   * Starts a new video from an ended one's script with `edit` applied. Its scenes are made through
   * the step cache, so only those whose inputs changed are made again (and paid for); the rest, and
   * the script, are taken from the cache, and the render is done again. The new video is linked to
   * the old one (`revisionOf`); the old one is unchanged.
   */
  async revise(videoId: string, edit: RevisionBody, idempotency?: { key: string; scope: string }): Promise<StartOutcome> {
    const description = await this.describe(videoId);
    if (description.status.name === 'RUNNING') {
      throw new HttpError(409, 'not_revisable', `Video ${videoId} is still running; revise it once it has ended`);
    }
    const work = await this.finishedWork(videoId, description, { code: 'not_revisable', verb: 'revised' });
    if (!work.script) throw new HttpError(409, 'script_not_ready', `Video ${videoId} ended before its script was written`);
    if (work.source.type === 'slideshow') throw new HttpError(409, 'not_revisable', 'A slideshow has no script to revise; start it again');
    const script = edit.script ?? applySceneEdits(work.script, edit.scenes ?? []);
    const problems = scriptProblems(script);
    if (problems.length > 0) throw new HttpError(400, 'invalid_script', `Invalid script: ${problems.join('; ')}`, { problems });
    const { maxCredits, review: _review, ...options } = work.options;
    const body: CreateVideoBody = { source: work.source, options: { ...options, ...(maxCredits === undefined ? {} : { maxCredits }) } };
    // The edited script is the approved one; no files are copied, the cache answers for unchanged scenes.
    const reuse: ReusedWork = { fromVideoId: videoId, script, approved: true, scenes: [] };
    return withTemporalDeadline(this.client, () =>
      this.start(body, idempotency, { revisionOf: videoId, reuse, title: script.title, hashOf: { revisionOf: videoId, script } }),
    );
  }

  /**
   * Deletes a video: cancels it if it runs and waits (up to DELETE_WAIT_MS) until it has stopped,
   * then removes its files and its run, so it leaves lists. A run still stopping answers 409 with
   * Retry-After; sending DELETE again finishes the job.
   */
  async delete(videoId: string, store: ArtifactStore): Promise<void> {
    const description = await this.describe(videoId);
    if (description.status.name === 'RUNNING') {
      const handle = this.client.workflow.getHandle(videoId, description.runId);
      await handle.cancel();
      const stopped = await this.waitUntilClosed(videoId, Date.now() + DELETE_WAIT_MS);
      if (!stopped) {
        throw new HttpError(
          409,
          'still_stopping',
          `Video ${videoId} was cancelled and is still stopping; send DELETE again in a few seconds`,
          undefined,
          { 'Retry-After': String(RETRY_AFTER_SEC) },
        );
      }
    }
    // Files first: if the run's deletion fails, the video is still listed and DELETE can be sent again.
    await store.remove(videoId);
    await this.client.workflowService.deleteWorkflowExecution({
      namespace: this.config.temporal.namespace,
      workflowExecution: { workflowId: videoId, runId: description.runId },
    });
    // Temporal removes the run from describe and visibility a little later; this API already has.
    this.deleted.add(videoId);
    logger.info('video deleted', { videoId });
  }

  /** Polls the run's status, each call with a deadline of its own, until it has closed or `until` passes. */
  private async waitUntilClosed(videoId: string, until: number): Promise<boolean> {
    for (;;) {
      const status = await withTemporalDeadline(this.client, () => this.client.workflow.getHandle(videoId).describe());
      if (status.status.name !== 'RUNNING') return true;
      if (Date.now() >= until) return false;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
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
