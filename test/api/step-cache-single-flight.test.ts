/**
 * Concurrent runs that need the same step-cache entries make each one once, through the real
 * stack: a worker process running src/worker.ts with Gemini and Runway (the real SDKs against
 * fakes on 127.0.0.1), the real HTTP API and a real Temporal server, where each entry being made
 * is claimed by a `stepClaim` workflow. The fakes' request logs are the witness of what was paid.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { STEP_CLAIM_WORKFLOW_TYPE } from '../../src/workflows/step-claim';
import { FIXTURE_PMIDS } from '../fakes/fake-pubmed';
import { startPaidApiStack, type PaidApiStack } from '../helpers/paid-api-stack';
import { pollUntil } from '../helpers/poll';

jest.setTimeout(240_000);

let stack: PaidApiStack;

beforeAll(async () => {
  stack = await startPaidApiStack({
    name: 'single-flight',
    // Long enough for a second run to arrive while the first one's clips are still being made.
    runway: { taskDurationMs: { image: 2_000, video: 4_000 } },
    workerEnv: { RUNWAY_POLL_INTERVAL_MS: '200' },
  });
});
afterAll(() => stack?.stop());

type Json = Record<string, any>;
async function call(method: string, route: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${stack.api.url}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}
async function start(body: Json): Promise<string> {
  const created = await call('POST', '/api/videos', body);
  expect(created.status).toBe(202);
  return created.body.id as string;
}
const finished = (id: string) =>
  pollUntil(
    async () => (await call('GET', `/api/videos/${id}`)).body,
    (s) => ['completed', 'failed', 'cancelled'].includes(s.status),
    180_000,
  );

/** What the fakes were asked to make: scripts, narrations, Runway images and videos (not cancelled ones only). */
function paid() {
  return {
    scripts: stack.scriptCalls(),
    narrations: stack.narrationCalls(),
    images: stack.runway.tasks.filter((t) => t.kind === 'image').length,
    videos: stack.runway.tasks.filter((t) => t.kind === 'video').length,
  };
}

/** Claims still held on this deployment's queue: none once every run has ended. */
async function runningClaims(): Promise<string[]> {
  const ids: string[] = [];
  const query = `WorkflowType = '${STEP_CLAIM_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND TaskQueue = '${stack.taskQueue}'`;
  for await (const w of stack.env.client.workflow.list({ query })) ids.push(w.workflowId);
  return ids;
}

/** The provider task ids a run is waiting on now, from its pending awaits' heartbeats. */
async function awaitedTasks(handle: WorkflowHandle): Promise<string[]> {
  const { raw } = await handle.describe();
  return (raw.pendingActivities ?? [])
    .filter((a) => a.activityType?.name === 'awaitClipStep')
    .flatMap((a) => a.heartbeatDetails?.payloads ?? [])
    .map((p) => defaultPayloadConverter.fromPayload<{ taskId?: string }>(p).taskId ?? '');
}

const source = (text: string) => ({ source: { type: 'text', title: 'How tides follow the moon', text } });

it('the same paper started three times at the same moment pays once: one script, one narration and one clip per scene', async () => {
  const before = paid();
  const body = { source: { type: 'pubmed', pmid: FIXTURE_PMIDS.structured }, options: { maxScenes: 3 } };
  const ids = await Promise.all([start(body), start(body), start(body)]);
  const runs = await Promise.all(ids.map(finished));
  for (const run of runs) expect({ status: run.status, error: run.error }).toEqual({ status: 'completed', error: undefined });
  // PubMed is free and fetched by each run; what costs money was made once.
  expect(stack.pubmed.requests.filter((r) => r.params.id === FIXTURE_PMIDS.structured)).toHaveLength(3);

  const scenes = runs[0]!.scenes.length as number;
  const made = paid();
  expect({
    scripts: made.scripts - before.scripts,
    narrations: made.narrations - before.narrations,
    images: made.images - before.images,
    videos: made.videos - before.videos,
  }).toEqual({ scripts: 1, narrations: scenes, images: scenes, videos: scenes });

  // Each step was paid by one of the runs and reused by the two others.
  const credits = runs.map((r) => r.spend.credits as number);
  const oneVideo = scenes * 30;
  expect(credits.reduce((a, b) => a + b, 0)).toBe(oneVideo);
  const reused = runs.map((r) => (r.spend.reusedSteps as number | undefined) ?? 0);
  expect(reused.reduce((a, b) => a + b, 0)).toBe(2 * (1 + 2 * scenes));
  expect(await runningClaims()).toEqual([]);
});

/**
 * Two runs of one new script, the second started once the first has a Runway task: it finds the
 * first run's claims and waits on them. Resolves once it does, with the tasks it waits on.
 */
async function overlappingRuns(title: string, narrations: string[]) {
  // A script of its own, so that none of its scenes is in the cache yet.
  stack.gemini.enqueue({
    kind: 'json',
    value: {
      title,
      scenes: narrations.map((narration, i) => ({ title: `Part ${i + 1}`, narration, visual: `A drawing of ${narration}` })),
    },
  });
  const body = source(narrations.join(' '));
  const tasksBefore = stack.runway.tasks.length;
  const first = await start(body);
  await pollUntil(
    async () => stack.runway.tasks.length,
    (n) => n > tasksBefore,
    60_000,
  );
  const second = await start(body);
  // The second run submits nothing for a clip the first is making: it waits on the first's claim.
  const waitedOn = await pollUntil(
    () => awaitedTasks(stack.env.client.workflow.getHandle(second)),
    (tasks) => tasks.some((t) => t.startsWith('claimed-')),
    60_000,
  );
  return { first, second, tasksBefore, waitedOn };
}

it("a run waiting on another's clips takes them over when that run is cancelled, and completes", async () => {
  const { first, second, waitedOn } = await overlappingRuns('How water climbs a tree', [
    'Roots drink water from the soil.',
    'Leaves breathe it out as vapour.',
    'The sap rises in between.',
  ]);
  expect(waitedOn.filter((t) => !t.startsWith('claimed-'))).toEqual([]);

  expect((await call('POST', `/api/videos/${first}/cancel`)).status).toBe(202);
  const [cancelled, completed] = await Promise.all([finished(first), finished(second)]);
  expect(cancelled.status).toBe('cancelled');
  expect({ status: completed.status, error: completed.error }).toEqual({ status: 'completed', error: undefined });
  // The second run paid for the clips the first did not finish: its spend is every unreused clip's.
  const reusedClips = (completed.scenes as Json[]).filter((s) => (s.reused as string[] | undefined)?.includes('clip')).length;
  expect(completed.spend.credits).toBe((completed.scenes.length - reusedClips) * 30);
  expect(completed.spend.credits).toBeGreaterThan(0);
  expect(await runningClaims()).toEqual([]);
});

it('a worker killed while one run makes the clips and another waits for them: after a restart both complete, each clip paid once', async () => {
  const { first, second, tasksBefore } = await overlappingRuns('How salmon find their river', [
    'Salmon hatch in rivers.',
    'They grow up at sea.',
    'They smell their way back home to spawn.',
  ]);

  // Both runs' waits die with the process; the new worker retries them once their heartbeats time out.
  await stack.crashWorker();
  const runs = await Promise.all([finished(first), finished(second)]);
  for (const run of runs) expect({ status: run.status, error: run.error }).toEqual({ status: 'completed', error: undefined });

  const made = stack.runway.tasks.slice(tasksBefore);
  const scenes = runs[0].scenes.length as number;
  expect(made.filter((t) => t.kind === 'image')).toHaveLength(scenes);
  expect(made.filter((t) => t.kind === 'video')).toHaveLength(scenes);
  expect(runs[0].spend.credits + runs[1].spend.credits).toBe(scenes * 30);
  expect(await runningClaims()).toEqual([]);
});
