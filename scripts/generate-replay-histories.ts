/**
 * `npx tsx scripts/generate-replay-histories.ts`: regenerates test/replay/histories/ from real
 * runs. It starts a throwaway Temporal dev server, runs the real workers (local providers, or a
 * misbehaving one where a scenario needs it) and drives each run through the real client, then
 * exports every history. Run it by hand only when the workflow changed on purpose (see
 * docs/workflow-changes.md): regenerating after an accidental change would hide the very break
 * the replay suite exists to catch.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { ActivityDeps } from '../src/activities';
import { startDevServer } from '../src/dev/dev-server';
import { freePort } from '../src/dev/free-port';
import { temporalCliPath } from '../src/dev/temporal-cli';
import { SafetyBlockedError } from '../src/providers/errors';
import { WORKFLOW_TYPE } from '../src/shared/temporal-names';
import type { FinishedWork, GenerateVideoInput, SourceDocument, VideoOptions, VideoSource, VideoState } from '../src/shared/video';
import { LocalArtifactStore } from '../src/storage/local-artifact-store';
import { createWorkers } from '../src/worker-runtime/create-workers';
import type { generateVideo, scheduledStart, videoBatch } from '../src/workflows';
import { SCHEDULED_START_WORKFLOW_TYPE } from '../src/workflows/scheduled-start';
import { STEP_CLAIM_WORKFLOW_TYPE } from '../src/workflows/step-claim';
import { StepClaims } from '../src/cache/step-claims';
import { BATCH_WORKFLOW_TYPE } from '../src/workflows/video-batch';
import {
  approveSignal,
  approveUpdate,
  editScriptUpdate,
  finishedWorkQuery,
  scriptQuery,
  statusQuery,
} from '../src/workflows/video-messages';
import { FlakyClipGenerator } from '../test/helpers/flaky-clip-generator';
import { FlakyNarrator, WaitingNarrator } from '../test/helpers/flaky-narrator';
import { runningActivities } from '../test/helpers/running-activities';
import { pollUntil } from '../test/helpers/poll';
import { localDeps } from '../test/helpers/video-stack';
import { workflowBundle } from '../test/helpers/workflow-bundle';
import { identifyUpload } from '../src/uploads/identify-upload';
import { newUploadId, saveUpload, uploadFileName } from '../src/uploads/upload-records';
import { makeSplitImage } from '../test/helpers/test-images';
import { exportHistory, HISTORIES_DIR } from './history-export';

type Handle = WorkflowHandle<typeof generateVideo>;

interface Scenario {
  /** File name of the history, and part of the workflow id and task queue. */
  name: string;
  /** What the scenario proves the workflow can replay. */
  about: string;
  options?: Partial<VideoOptions>;
  /** What the video is made from; SOURCE when unset. */
  source?: VideoSource;
  /** Providers swapped in for this run. */
  deps?: (base: ActivityDeps) => Partial<ActivityDeps>;
  /** More of the input, from earlier runs (a retry's taken-over work). */
  input?: (ctx: { mediaRoot: string }) => Promise<Partial<GenerateVideoInput>>;
  /** Records a `videoBatch` of three items (two of them twins) instead of one video. */
  batch?: boolean;
  /** Records the `scheduledStart` a schedule's firing runs, which starts the video and ends. */
  scheduled?: boolean;
  /** With `scheduled`: the firing of a saved PubMed search, which searches and starts a video of each paper found. */
  search?: boolean;
  /** Records the `stepClaim` the run held on its script's cache entry while it wrote it. */
  claim?: boolean;
  /** Drives the run to its end and checks it ended as intended. */
  drive(handle: Handle): Promise<void>;
}

const SOURCE = {
  type: 'text',
  title: 'Why we yawn',
  text: 'Yawning cools the brain. A deep breath of air lowers its temperature.\n\nPeople yawn more in warm rooms than in cold ones.',
} as const;

async function expectCompleted(handle: Handle): Promise<void> {
  const state = await handle.result();
  if (state.status !== 'completed') throw new Error(`expected a completed video, got ${state.status}`);
}

async function expectFailure(handle: Handle, check: (err: unknown) => boolean, what: string): Promise<void> {
  const outcome = await handle.result().then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!check(outcome)) throw new Error(`expected the run to end ${what}, got ${String(outcome)}`);
}

const stageIs = (handle: Handle, stage: VideoState['stage']) =>
  pollUntil(
    () => handle.query(statusQuery).catch(() => undefined),
    (s) => s?.stage === stage,
    120_000,
  );

async function cancelWhileNarrating(handle: Handle): Promise<void> {
  await stageIs(handle, 'narrating');
  await handle.cancel();
  await expectFailure(handle, (e) => e instanceof WorkflowFailedError && e.cause?.name === 'CancelledFailure', 'cancelled');
}

/** What the cancelled run of `cancel-keeps-finished-files` finished, for the retry after it. */
let cancelledWork: FinishedWork | undefined;

/** Two uploaded images in the store, as `POST /api/uploads` leaves them, and a slideshow of them. */
async function slideshowInput(ctx: { mediaRoot: string }): Promise<Partial<GenerateVideoInput>> {
  const store = new LocalArtifactStore(ctx.mediaRoot);
  const limits = { maxFileBytes: 1e8, maxFiles: 10, maxPixels: 1e8, maxAudioSec: 3600 };
  const uploads: string[] = [];
  for (const colour of ['teal', 'gold']) {
    const id = newUploadId();
    const working = await store.tempPath(id, 'original.bin');
    await makeSplitImage(`${working}.png`, 320, 240, colour);
    await fs.rename(`${working}.png`, working);
    const facts = await identifyUpload(working, limits);
    if ('status' in facts) throw new Error(`the generated image was refused: ${facts.reason}`);
    const record = {
      ...facts,
      id,
      tenant: 'default',
      name: `${colour}.png`,
      bytes: 0,
      file: uploadFileName(facts),
      createdAt: new Date().toISOString(),
    };
    await saveUpload(store, record, working);
    uploads.push(id);
  }
  const images = [{ upload: uploads[0]!, caption: 'A teal square.' }, { upload: uploads[1]! }];
  return { source: { type: 'slideshow', title: 'Two squares', images, secondsPerImage: 1.5, transition: 'fade', fit: 'letterbox' } };
}

const SCENARIOS: Scenario[] = [
  { name: 'completed', about: 'a video that completed', drive: expectCompleted },
  {
    name: 'batch-with-twins',
    about: 'a batch of three videos, two of them the same video, run in one lane one after the other',
    batch: true,
    drive: expectCompleted,
  },
  {
    name: 'scheduled-start',
    about: "a schedule's firing: it starts the video as a workflow of its own and ends",
    scheduled: true,
    drive: expectCompleted,
  },
  {
    name: 'scheduled-search',
    about:
      "a saved PubMed search's firing: it searches, starts a video of each of two papers and ends; then a firing that finds both made already",
    scheduled: true,
    search: true,
    deps: () => ({
      sourceProvider: {
        fetchPubmed: (pmid) => Promise.resolve(yawnPaper(pmid)),
        searchPubmed: () => Promise.resolve(['31452105', '31452104']),
      },
    }),
    drive: expectCompleted,
  },
  {
    name: 'step-cache-filled',
    about: 'a video with the step cache on, whose every output was made and stored',
    source: { type: 'text', title: 'Why cats purr', text: 'Cats purr when calm. The sound may help bones heal.' },
    input: async () => ({ cacheScope: 'shared' }),
    drive: expectCompleted,
  },
  {
    name: 'step-claim-settled',
    about: 'a claim on a step-cache entry, held while its run made the output and settled once it was stored',
    source: { type: 'text', title: 'Why ice floats', text: 'Ice is lighter than the water it froze from. So lakes freeze from the top.' },
    input: async () => ({ cacheScope: 'shared' }),
    claim: true,
    drive: expectCompleted,
  },
  {
    name: 'step-cache-hits',
    about: 'the same video again: script, narrations and clips taken from the cache the run before filled',
    source: { type: 'text', title: 'Why cats purr', text: 'Cats purr when calm. The sound may help bones heal.' },
    input: async () => ({ cacheScope: 'shared' }),
    drive: async (handle) => {
      await expectCompleted(handle);
      const state = await handle.query(statusQuery);
      if (!state.spend.reusedSteps) throw new Error('expected the second run to reuse cached outputs');
    },
  },
  {
    name: 'slideshow-completed',
    about: 'a slideshow of two uploaded images, one caption narrated',
    input: slideshowInput,
    drive: expectCompleted,
  },
  {
    name: 'failed-safety-blocked',
    about: 'a run ended by a non-retryable provider error while writing the script',
    deps: () => ({
      scriptWriter: { writeScript: () => Promise.reject(new SafetyBlockedError('The model refused the text (replay history)')) },
    }),
    drive: (h) => expectFailure(h, (e) => e instanceof WorkflowFailedError, 'failed'),
  },
  {
    name: 'cancelled',
    about: 'a run cancelled while narrating, with its files discarded (recorded before the wait-for-cancelled-activities patch)',
    deps: () => ({ narrator: new WaitingNarrator() }),
    drive: cancelWhileNarrating,
  },
  {
    name: 'cancelled-waits-for-activities',
    about: 'a run cancelled while narrating, after the wait-for-cancelled-activities patch',
    deps: () => ({ narrator: new WaitingNarrator() }),
    drive: cancelWhileNarrating,
  },
  {
    name: 'narration-retried',
    about: 'a run whose narrations failed twice with ProviderUnavailable, then worked',
    deps: (base) => ({ narrator: new FlakyNarrator(base.narrator, 2) }),
    drive: expectCompleted,
  },
  {
    name: 'reviewed-edited',
    about: 'a reviewed run whose script was edited by the editScript update, then approved',
    options: { review: true },
    async drive(handle) {
      await stageIs(handle, 'awaiting_review');
      const script = await handle.query(scriptQuery);
      if (!script) throw new Error('no script to review');
      const edited = { ...script, scenes: script.scenes.map((s, i) => (i === 1 ? { ...s, narration: 'Yawning cools the brain.' } : s)) };
      await handle.executeUpdate(editScriptUpdate, { args: [edited] });
      await handle.signal(approveSignal);
      await expectCompleted(handle);
    },
  },
  // Histories recorded after the paid-steps-as-activities patch.
  { name: 'paid-steps-completed', about: 'a video whose clips were submitted and awaited as separate activities', drive: expectCompleted },
  {
    name: 'paid-steps-resubmitted',
    about: 'clip submissions whose answer was lost once and tasks that failed once for a transient reason, each submitted again',
    deps: (base) => ({ clipGenerator: new FlakyClipGenerator(base.clipGenerator) }),
    drive: expectCompleted,
  },
  {
    name: 'paid-steps-cancelled-with-queued-scenes',
    about: 'a run cancelled while one scene narrated and the others queued, cleaned up once every activity stopped',
    options: { sceneConcurrency: 1 },
    deps: () => ({ narrator: new WaitingNarrator() }),
    async drive(handle) {
      await pollUntil(
        () => runningActivities(handle),
        (running) => running.some((a) => a.activityType === 'narrateScene'),
        120_000,
      );
      await handle.cancel();
      await expectFailure(handle, (e) => e instanceof WorkflowFailedError && e.cause?.name === 'CancelledFailure', 'cancelled');
    },
  },
  {
    name: 'paid-steps-reviewed-approved',
    about: 'a reviewed run edited, then approved through the approveScript update',
    options: { review: true },
    async drive(handle) {
      await stageIs(handle, 'awaiting_review');
      const script = await handle.query(scriptQuery);
      if (!script) throw new Error('no script to review');
      await handle.executeUpdate(editScriptUpdate, { args: [{ ...script, title: 'Why we yawn, edited' }] });
      await handle.executeUpdate(approveUpdate);
      await expectCompleted(handle);
    },
  },
  // Histories recorded after the credits-search-attribute patch: each run records what it spent.
  {
    name: 'credits-recorded-completed',
    about: 'a video with a budget that completed and recorded its spend in VideoCredits',
    options: { maxCredits: 500 },
    drive: expectCompleted,
  },
  {
    name: 'credits-recorded-failed',
    about: 'a run that failed and recorded its spend in VideoCredits',
    deps: () => ({
      scriptWriter: { writeScript: () => Promise.reject(new SafetyBlockedError('The model refused the text (replay history)')) },
    }),
    drive: (h) => expectFailure(h, (e) => e instanceof WorkflowFailedError, 'failed'),
  },
  // Histories recorded after the paper-title-memo patch: a PubMed run writes the paper's title
  // into the memo once fetched, and every activity call carries a summary.
  {
    name: 'paper-title-memo-completed',
    about: "a PubMed video that wrote the paper's title into its memo after fetching it, and completed",
    source: { type: 'pubmed', pmid: '31452104' },
    deps: (base) => ({ sourceProvider: { ...base.sourceProvider, fetchPubmed: (pmid) => Promise.resolve(yawnPaper(pmid)) } }),
    drive: expectCompleted,
  },
  // Histories recorded after the cancel-keeps-finished-files patch, and a retry that takes over
  // what that cancelled run finished.
  {
    name: 'cancel-keeps-finished-files',
    about: 'a run cancelled while narrating its second scene, keeping the first scene it finished',
    options: { sceneConcurrency: 1 },
    deps: (base) => ({ narrator: new WaitingNarrator(base.narrator, 1) }),
    async drive(handle) {
      await pollUntil(
        () => handle.query(finishedWorkQuery),
        (work) => work.scenes.some((s) => s.narration && s.clipFile),
        120_000,
      );
      await handle.cancel();
      await expectFailure(handle, (e) => e instanceof WorkflowFailedError && e.cause?.name === 'CancelledFailure', 'cancelled');
      // Asked now, while this scenario's workers still run to answer for the closed run.
      cancelledWork = await handle.query(finishedWorkQuery);
    },
  },
  {
    name: 'retry-takes-over-finished-work',
    about: "a retry of that cancelled run: it copies the finished scene's files, narrates and draws only the rest, and completes",
    options: { sceneConcurrency: 1 },
    async input() {
      const work = cancelledWork;
      if (!work?.script) throw new Error('run cancel-keeps-finished-files first: there is no script to take over');
      const fromVideoId = 'video-replay-cancel-keeps-finished-files';
      return { reuse: { fromVideoId, script: work.script, approved: work.approved, scenes: work.scenes } };
    },
    drive: expectCompleted,
  },
];

/** A paper as the PubMed provider returns one, for runs that need no network. */
function yawnPaper(pmid: string): SourceDocument {
  return {
    title: 'Yawning as a brain cooling mechanism',
    pmid,
    authors: ['A. Author'],
    journal: 'Journal of Replays',
    year: 2019,
    sections: [{ label: 'Abstract', text: SOURCE.text }],
  };
}

async function runScenario(scenario: Scenario, ctx: { connection: NativeConnection; client: Client; mediaRoot: string }): Promise<string> {
  const taskQueue = `replay-${scenario.name}`;
  const base = localDeps(new LocalArtifactStore(ctx.mediaRoot));
  const workers = await createWorkers({
    connection: ctx.connection,
    namespace: 'default',
    taskQueue,
    deps: { ...base, claims: new StepClaims(ctx.client, taskQueue), ...scenario.deps?.(base) },
    limits: {
      concurrency: { source: 1, script: 1, narration: 2, clips: 2, 'clip-submissions': 2, render: 1, cleanup: 1 },
      ratePerSec: {},
    },
    workflowBundle: await workflowBundle(),
    common: { shutdownGraceTime: '1s' },
  });
  const running = workers.map((w) => w.run());
  try {
    const videoId = `video-replay-${scenario.name}`;
    const input: GenerateVideoInput = {
      videoId,
      source: scenario.source ?? SOURCE,
      options: { review: false, reviewTimeoutSec: 600, maxScenes: 3, voice: 'en-us', sceneConcurrency: 2, ...scenario.options },
      ...(await scenario.input?.({ mediaRoot: ctx.mediaRoot })),
    };
    if (scenario.scheduled && scenario.search) {
      const { videoId: _id, source: _source, ...common } = input;
      const firing = await ctx.client.workflow.start<typeof scheduledStart>(SCHEDULED_START_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: `${videoId}-2026-01-05T09:00:00Z`,
        args: [{ scheduleId: `${videoId}-schedule`, tenant: 'default', search: { term: 'yawning', papers: 2, input: common } }],
      });
      const { ids } = await firing.result();
      if (ids?.length !== 2) throw new Error(`expected the search to start two videos, got ${JSON.stringify(ids)}`);
      for (const id of ids) await expectCompleted(ctx.client.workflow.getHandle(id));
      // Firing again finds the same papers, whose videos exist: it starts nothing.
      const again = await ctx.client.workflow.start<typeof scheduledStart>(SCHEDULED_START_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: `${videoId}-2026-01-12T09:00:00Z`,
        args: [{ scheduleId: `${videoId}-schedule`, tenant: 'default', search: { term: 'yawning', papers: 2, input: common } }],
      });
      const second = await again.result();
      if (second.ids?.length !== 0 || second.alreadyMade?.length !== 2) throw new Error(`expected nothing new: ${JSON.stringify(second)}`);
      await exportHistory(ctx.client, firing.workflowId, scenario.name);
      return await exportHistory(ctx.client, again.workflowId, `${scenario.name}-again`);
    }
    if (scenario.scheduled) {
      const { videoId: _id, ...video } = input;
      const firing = await ctx.client.workflow.start<typeof scheduledStart>(SCHEDULED_START_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: `${videoId}-2026-01-05T09:00:00Z`,
        args: [{ scheduleId: `${videoId}-schedule`, tenant: 'default', video: { input: video, title: SOURCE.title } }],
      });
      const { id } = await firing.result();
      await expectCompleted(ctx.client.workflow.getHandle(id!));
      return await exportHistory(ctx.client, firing.workflowId, scenario.name);
    }
    if (scenario.batch) {
      const other: VideoSource = { type: 'text', title: 'Why bats hang upside down', text: 'Bats take off by dropping.' };
      const items = [input.source, input.source, other].map((source, i) => ({
        input: { ...input, videoId: `${videoId}-${i}`, source, cacheScope: 'shared' as const },
        sameAs: i < 2 ? 'twin' : 'other',
      }));
      const batch = await ctx.client.workflow.start<typeof videoBatch>(BATCH_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: videoId,
        args: [{ batchId: videoId, tenant: 'default', items, concurrency: 2 }],
      });
      const state = await batch.result();
      if (state.items.some((item) => item.status !== 'completed'))
        throw new Error(`expected every item to complete: ${JSON.stringify(state)}`);
      return await exportHistory(ctx.client, videoId, scenario.name);
    }
    const handle = await ctx.client.workflow.start<typeof generateVideo>(WORKFLOW_TYPE, { taskQueue, workflowId: videoId, args: [input] });
    await scenario.drive(handle);
    if (scenario.claim) {
      const query = `WorkflowType = '${STEP_CLAIM_WORKFLOW_TYPE}' AND TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Completed'`;
      const claims = await pollUntil(
        async () => {
          const found = [];
          for await (const claim of ctx.client.workflow.list({ query })) found.push(claim);
          return found;
        },
        (found) => found.length > 0,
        30_000,
      );
      return await exportHistory(ctx.client, claims[0]!.workflowId, scenario.name);
    }
    return await exportHistory(ctx.client, videoId, scenario.name);
  } finally {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await Promise.allSettled(running);
  }
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-replay-'));
  const server = await startDevServer({ cliPath: temporalCliPath(), dbFile: path.join(dataDir, 'temporal.db'), port: await freePort() });
  const connection = await NativeConnection.connect({ address: server.address });
  const clientConnection = await Connection.connect({ address: server.address });
  try {
    const client = new Client({ connection: clientConnection });
    const mediaRoot = path.join(dataDir, 'media');
    // Names on the command line regenerate only those histories; the others stay as recorded,
    // since older histories stand for runs started by older workflow code.
    const only = process.argv.slice(2);
    for (const scenario of SCENARIOS.filter((s) => only.length === 0 || only.includes(s.name))) {
      const file = await runScenario(scenario, { connection, client, mediaRoot });
      console.log(`${path.relative(process.cwd(), file)}: ${scenario.about}`);
    }
    console.log(`histories written to ${path.relative(process.cwd(), HISTORIES_DIR)}; run \`npx jest test/replay\` next`);
  } finally {
    await clientConnection.close();
    await connection.close();
    await server.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(`generate-replay-histories: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
