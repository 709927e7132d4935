/**
 * Metrics and logs after real runs: `src/worker.ts` as a process (Runway clips from the fake,
 * PubMed from the fake), the API in front of it, and three videos that complete, fail and get
 * cancelled. Every endpoint is scraped as Prometheus would; the worker's output is read as a log
 * shipper would.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApp } from '../../src/api/create-app';
import { loadConfig } from '../../src/config';
import { freePort } from '../../src/dev/free-port';
import { logger } from '../../src/shared-node/logger';
import { LocalArtifactStore } from '../../src/storage/local-artifact-store';
import { readEventStream, serveApp, type ServedApp } from '../api/serve-app';
import { FIXTURE_PMIDS, startFakePubmed, type FakePubmed } from '../fakes/fake-pubmed';
import { startFakeRunway, type FakeRunway } from '../fakes/fake-runway';
import { startChildWorker, type ChildWorker } from '../helpers/child-worker';
import { pollUntil } from '../helpers/poll';
import { parseSamples, sampleSum, scrape } from '../helpers/prometheus-text';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';

const RUNWAY_KEY = 'runway-secret-key-for-metrics-test';

let env: TestWorkflowEnvironment;
let runway: FakeRunway;
let pubmed: FakePubmed;
let worker: ChildWorker;
let api: ServedApp;
let scratch: string;
let sdkMetricsUrl: string;
let appMetricsUrl: string;
let startOutput: string;
const ids: Record<'completed' | 'failed' | 'cancelled', string> = { completed: '', failed: '', cancelled: '' };

async function post(urlPath: string, body?: unknown): Promise<{ status: number; body: { id: string; status: string } }> {
  const res = await fetch(`${api.url}${urlPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { id: string; status: string } };
}

const statusOf = async (id: string) => (await (await fetch(`${api.url}/api/videos/${id}`)).json()) as { status: string; stage: string };
const textSource = {
  type: 'text',
  title: 'How bees find flowers',
  text: 'Bees dance to tell others where flowers are.\n\nThe angle of the dance points at the food.',
};

beforeAll(async () => {
  env = await startTestEnv();
  runway = await startFakeRunway({ apiKey: RUNWAY_KEY });
  pubmed = await startFakePubmed();
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-obs-'));
  const taskQueue = uniqueName('obs');
  const [sdkPort, appPort] = [await freePort(), await freePort()];
  sdkMetricsUrl = `http://127.0.0.1:${sdkPort}/metrics`;
  appMetricsUrl = `http://127.0.0.1:${appPort}/metrics`;
  worker = await startChildWorker({
    address: env.address,
    taskQueue,
    mediaRoot: scratch,
    env: {
      CLIP_PROVIDER: 'runway',
      RUNWAYML_API_SECRET: RUNWAY_KEY,
      RUNWAYML_BASE_URL: runway.url,
      RUNWAY_POLL_INTERVAL_MS: '200',
      PUBMED_BASE_URL: pubmed.url,
      WORKER_METRICS_ADDRESS: `127.0.0.1:${sdkPort}`,
      WORKER_APP_METRICS_ADDRESS: `127.0.0.1:${appPort}`,
      WORKER_SHUTDOWN_GRACE_SEC: '1',
    },
  });
  startOutput = worker.output();
  const config = loadConfig({ TASK_QUEUE: taskQueue, MEDIA_ROOT: scratch, TEMPORAL_ADDRESS: env.address, PORT: '0' });
  api = await serveApp(createApp({ client: env.client, config, store: new LocalArtifactStore(scratch) }));

  // One video of each ending: completed, failed (a paper without abstract), cancelled in review.
  ids.completed = (await post('/api/videos', { source: textSource, options: { maxScenes: 2 } })).body.id;
  ids.failed = (await post('/api/videos', { source: { type: 'pubmed', pmid: FIXTURE_PMIDS.noAbstract } })).body.id;
  ids.cancelled = (await post('/api/videos', { source: textSource, options: { review: true, maxScenes: 2 } })).body.id;
}, 180_000);

afterAll(async () => {
  await api?.close();
  await worker?.stop();
  await runway?.close();
  await pubmed?.close();
  await env?.teardown();
  if (scratch) await fs.rm(scratch, { recursive: true, force: true });
});

test('the API counts starts, requests by route template and the SSE clients watching now', async () => {
  await pollUntil(
    () => statusOf(ids.cancelled),
    (s) => s.stage === 'awaiting_review',
    90_000,
  );
  const watching = new AbortController();
  let firstEvent!: () => void;
  const seen = new Promise<void>((resolve) => (firstEvent = resolve));
  const stream = readEventStream(`${api.url}/api/videos/${ids.cancelled}/events`, { signal: watching.signal, onEvent: () => firstEvent() });
  await seen;
  const whileWatching = await scrape(`${api.url}/metrics`);
  expect(sampleSum(whileWatching, 'reelflow_sse_clients')).toBe(1);
  expect(sampleSum(whileWatching, 'reelflow_sse_status_pollers')).toBe(1);

  expect((await post(`/api/videos/${ids.cancelled}/cancel`)).status).toBe(202);
  const ended = await stream;
  expect(ended.events.at(-1)?.data.status).toBe('cancelled');

  const text = await pollUntil(
    () => scrape(`${api.url}/metrics`),
    (t) => sampleSum(t, 'reelflow_sse_clients') === 0,
  );
  expect(sampleSum(text, 'reelflow_videos_started_total', { source: 'text' })).toBe(2);
  expect(sampleSum(text, 'reelflow_videos_started_total', { source: 'pubmed' })).toBe(1);
  expect(sampleSum(text, 'reelflow_http_requests_total', { method: 'POST', route: '/api/videos', status: '202' })).toBe(3);
  expect(sampleSum(text, 'reelflow_http_requests_total', { route: '/api/videos/:id/cancel', status: '202' })).toBe(1);
  // A video id never becomes a label value of its own.
  expect(text).not.toContain(ids.cancelled);
});

test("the worker counts each video's end by outcome, stage times, provider calls, errors and spend", async () => {
  await pollUntil(
    () => statusOf(ids.completed),
    (s) => s.status === 'completed',
    120_000,
  );
  await pollUntil(
    () => statusOf(ids.failed),
    (s) => s.status === 'failed',
    60_000,
  );
  const text = await pollUntil(
    () => scrape(appMetricsUrl),
    (t) => sampleSum(t, 'reelflow_videos_cancelled_total') === 1 && sampleSum(t, 'reelflow_videos_completed_total') === 1,
    60_000,
  );
  expect(sampleSum(text, 'reelflow_videos_failed_total', { failure_type: 'SourceNotFound', stage: 'fetching_source' })).toBe(1);
  expect(sampleSum(text, 'reelflow_videos_cancelled_total', { stage: 'awaiting_review' })).toBe(1);
  expect(sampleSum(text, 'reelflow_video_duration_seconds_count')).toBe(3);

  // Stages each video moved through, and the stage the failed and the cancelled runs ended in.
  const stageCount = (stage: string, exit: string) => sampleSum(text, 'reelflow_stage_duration_seconds_count', { stage, exit });
  expect(stageCount('writing_script', 'advanced')).toBe(2);
  expect(stageCount('rendering', 'advanced')).toBe(1);
  expect(stageCount('fetching_source', 'failed')).toBe(1);
  expect(stageCount('awaiting_review', 'cancelled')).toBe(1);

  // Two scenes of Runway clips: an image and a video task each, billed as the fake bills them.
  expect(sampleSum(text, 'reelflow_provider_calls_total', { provider: 'runway', operation: 'submit' })).toBe(runway.tasks.length);
  expect(sampleSum(text, 'reelflow_provider_spend_credits_total', { provider: 'runway' })).toBe(runway.billedCredits());
  expect(runway.billedCredits()).toBeGreaterThan(0);
  expect(sampleSum(text, 'reelflow_provider_calls_total', { provider: 'local', operation: 'narrate' })).toBeGreaterThanOrEqual(2);
  expect(sampleSum(text, 'reelflow_provider_errors_total', { provider: 'pubmed', error_type: 'SourceNotFound' })).toBe(1);
  expect(sampleSum(text, 'reelflow_provider_call_duration_seconds_count', { provider: 'runway', operation: 'await' })).toBe(
    runway.tasks.length,
  );
  expect(sampleSum(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);

  // The SDK's own metrics, from its Rust core, on their own port.
  const sdk = await scrape(sdkMetricsUrl);
  expect(sampleSum(sdk, 'temporal_workflow_completed')).toBeGreaterThanOrEqual(1);
  expect(sampleSum(sdk, 'temporal_activity_execution_failed', { activity_type: 'fetchSource' })).toBe(1);
  expect(sampleSum(sdk, 'temporal_num_pollers')).toBeGreaterThan(0);
});

test('the worker writes one JSON line per event: core lines forwarded, failures with message and stack, video ids, no secrets', async () => {
  await pollUntil(
    async () => worker.output(),
    (out) => out.includes('"message":"video ended"') && out.includes(ids.failed),
    60_000,
  );
  const parse = (text: string) =>
    text
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, any>);
  const early = parse(startOutput);
  const lines = parse(worker.output());

  const started = early.find((l) => l.message === 'worker started');
  expect(started).toMatchObject({ level: 'info', appMetrics: appMetricsUrl, sdkMetrics: sdkMetricsUrl, tracing: 'off' });
  expect(early.some((l) => l.source === 'temporal-core' && l.sdkComponent === 'core')).toBe(true);

  const failed = lines.find((l) => l.message === 'Activity failed' && l.activityType === 'fetchSource');
  expect(failed).toMatchObject({ level: 'warn', videoId: ids.failed, workflowId: ids.failed, error: { failureType: 'SourceNotFound' } });
  expect(failed!.error.message).toMatch(/abstract/i);
  expect(failed!.error.stack).toContain('at ');
  expect(failed!.taskToken).toBeUndefined();

  const ended = lines.filter((l) => l.message === 'video ended');
  expect(ended.map((l) => [l.videoId, l.status]).sort()).toEqual(
    [
      [ids.completed, 'completed'],
      [ids.failed, 'failed'],
      [ids.cancelled, 'cancelled'],
    ].sort(),
  );
  expect(ended.every((l) => typeof l.runId === 'string' && l.runId.length > 0)).toBe(true);
  expect(startOutput + worker.output()).not.toContain(RUNWAY_KEY);
});

test("an API request carries the caller's X-Request-Id, or a new one, back in its response and on its log lines", async () => {
  const info = jest.spyOn(logger, 'info');
  try {
    const given = await fetch(`${api.url}/api/videos/${ids.completed}`, { headers: { 'X-Request-Id': 'client-req-42' } });
    expect(given.headers.get('x-request-id')).toBe('client-req-42');
    const generated = await fetch(`${api.url}/api/videos/${ids.completed}`, {
      headers: { 'X-Request-Id': 'no spaces or "quotes" allowed' },
    });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const finished = info.mock.calls.filter(([message]) => message === 'request finished').map(([, fields]) => fields);
    expect(finished).toContainEqual(expect.objectContaining({ requestId: 'client-req-42', videoId: ids.completed, status: 200 }));
    expect(finished).toContainEqual(expect.objectContaining({ requestId: generated.headers.get('x-request-id') }));
  } finally {
    info.mockRestore();
  }
});

test('every metric the Grafana dashboard queries is exposed by the API or a worker after these runs', async () => {
  const dashboard = JSON.parse(await fs.readFile(path.join(__dirname, '../../docs/grafana/reelflow.json'), 'utf8')) as {
    panels: { targets?: { expr: string }[] }[];
  };
  const queried = new Set(
    dashboard.panels.flatMap((p) =>
      (p.targets ?? []).flatMap((t) => [...t.expr.matchAll(/\b((?:reelflow|temporal)_[a-z_]+)/g)].map((m) => m[1]!)),
    ),
  );
  expect(queried.size).toBeGreaterThan(20);
  const texts = await Promise.all([scrape(`${api.url}/metrics`), scrape(appMetricsUrl), scrape(sdkMetricsUrl)]);
  const exposed = new Set(texts.flatMap((t) => parseSamples(t).map((s) => s.name)));
  expect([...queried].filter((name) => !exposed.has(name))).toEqual([]);
});
