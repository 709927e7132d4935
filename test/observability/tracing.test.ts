/**
 * Tracing end to end, with spans kept in memory: the API (server span and Temporal client
 * interceptor), the workers (activity interceptors, the workflow interceptors in the bundle) and
 * the provider adapters must all add to the trace that the HTTP request started.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createApp } from '../../src/api/create-app';
import { loadConfig } from '../../src/config';
import { startTracing, tracingClientInterceptors, type Tracing } from '../../src/observability/tracing';
import { LocalArtifactStore } from '../../src/storage/local-artifact-store';
import { createWorkers } from '../../src/worker-runtime/create-workers';
import { pollUntil } from '../helpers/poll';
import { serveApp, type ServedApp } from '../helpers/serve-app';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';
import { localDeps } from '../helpers/video-stack';
import { tracedWorkflowBundle } from '../helpers/workflow-bundle';

let env: TestWorkflowEnvironment;
let tracing: Tracing;
let exporter: InMemorySpanExporter;
let workers: Worker[] = [];
let running: Promise<void>[] = [];
let api: ServedApp;
let mediaRoot: string;

beforeAll(async () => {
  exporter = new InMemorySpanExporter();
  tracing = startTracing({ serviceName: 'reelflow-test', processor: new SimpleSpanProcessor(exporter) });
  env = await startTestEnv();
  const taskQueue = uniqueName('traced');
  mediaRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-traced-'));
  const config = loadConfig({ TASK_QUEUE: taskQueue, MEDIA_ROOT: mediaRoot, TEMPORAL_ADDRESS: env.address, PORT: '0', TRACING: 'on' });
  const store = new LocalArtifactStore(mediaRoot);
  workers = await createWorkers({
    connection: env.nativeConnection,
    namespace: config.temporal.namespace,
    taskQueue,
    deps: localDeps(store),
    limits: { concurrency: config.concurrency, ratePerSec: {} },
    workflowBundle: await tracedWorkflowBundle(),
    common: { shutdownGraceTime: '1s' },
    observability: { tracing },
  });
  running = workers.map((w) => w.run());
  const client = new Client({
    connection: env.connection,
    namespace: config.temporal.namespace,
    interceptors: tracingClientInterceptors(tracing),
  });
  api = await serveApp(createApp({ client, config, store }));
}, 120_000);

afterAll(async () => {
  await api?.close();
  for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  await Promise.allSettled(running);
  await tracing?.shutdown();
  await env?.teardown();
  if (mediaRoot) await fs.rm(mediaRoot, { recursive: true, force: true });
});

test('one POST /api/videos is one trace: the request, the workflow, each activity and each provider call', async () => {
  const res = await fetch(`${api.url}/api/videos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      source: {
        type: 'text',
        title: 'How bees find flowers',
        text: 'Bees dance to tell others where flowers are.\n\nThe angle points at the food.',
      },
      options: { maxScenes: 2 },
    }),
  });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  await pollUntil(
    async () => ((await (await fetch(`${api.url}/api/videos/${id}`)).json()) as { status: string }).status,
    (status) => status === 'completed',
    90_000,
  );
  // Workflow spans leave the sandbox through a sink once their workflow task completes.
  const spans = await pollUntil(
    async () => exporter.getFinishedSpans(),
    (all) => all.some((s) => s.name === 'RunWorkflow:generateVideo'),
  );

  const request = spans.find((s) => s.name === 'POST /api/videos');
  expect(request?.attributes['reelflow.request_id']).toBe(res.headers.get('x-request-id'));
  const traceId = request!.spanContext().traceId;
  const trace = spans.filter((s) => s.spanContext().traceId === traceId);
  const names = new Set(trace.map((s) => s.name));
  for (const name of [
    'StartWorkflow:generateVideo',
    'RunWorkflow:generateVideo',
    'StartActivity:fetchSource',
    'RunActivity:fetchSource',
    'RunActivity:writeScript',
    'RunActivity:narrateScene',
    'RunActivity:renderVideo',
    'local.writeScript',
    'local.narrate',
  ]) {
    expect(names).toContain(name);
  }

  const parentOf = (span: ReadableSpan) => trace.find((s) => s.spanContext().spanId === span.parentSpanId);
  const narrate = trace.filter((s) => s.name === 'local.narrate');
  expect(narrate.length).toBeGreaterThanOrEqual(2);
  for (const call of narrate) expect(parentOf(call)?.name).toBe('RunActivity:narrateScene');
  const run = trace.find((s) => s.name === 'RunWorkflow:generateVideo')!;
  expect(run.attributes.workflowId).toBe(id);
  expect(parentOf(run)?.name).toBe('StartWorkflow:generateVideo');
  expect(parentOf(parentOf(run)!)?.name).toBe('POST /api/videos');
});
