/**
 * What the API says when it cannot get an answer: a video whose worker is gone reads its last
 * recorded stage marked stale and its review routes answer 503 `worker_unavailable`; with
 * Temporal stopped every route that needs it answers 503 `temporal_unavailable`; both within
 * seconds and with `Retry-After`, and all of it recovers once the worker is back.
 */
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApp } from '../../src/api/create-app';
import { loadConfig, type Config } from '../../src/config';
import { LocalArtifactStore } from '../../src/storage/local-artifact-store';
import { connectClient } from '../../src/temporal-connection/connect';
import { pollUntil } from '../helpers/poll';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';
import { startVideoStack } from '../helpers/video-stack';
import { serveApp, type ServedApp } from './serve-app';

/** The API's deadlines are 3 s; the SDK's retry backoff and a shared test machine add to that. */
const ANSWER_WITHIN_MS = 7_000;
/** A query waits at most 3 s for a worker; Temporal refuses about a second before. */
const WORKER_ANSWER_WITHIN_MS = 4_500;

let env: TestWorkflowEnvironment;
/** Set once a test has stopped the server on purpose; it is not stopped twice. */
let serverStopped = false;

beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(async () => {
  if (!serverStopped) await env?.teardown();
});

const configFor = (taskQueue: string): Config =>
  loadConfig({ TASK_QUEUE: taskQueue, MEDIA_ROOT: '/nonexistent', TEMPORAL_ADDRESS: env.address });

async function call(api: ServedApp, method: string, path: string, body?: unknown) {
  const started = Date.now();
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: text ? JSON.parse(text) : undefined,
    ms: Date.now() - started,
  };
}

const script = { title: 'Bees', scenes: [{ index: 0, title: 'Dance', narration: 'Bees dance to point at food.' }] };

test('a video in review whose worker is gone reads stale and its review routes answer 503, until a worker is back', async () => {
  const taskQueue = uniqueName('tq-gone');
  const config = configFor(taskQueue);
  const api = await serveApp(createApp({ client: env.client, config, store: new LocalArtifactStore(config.mediaRoot) }));
  let worker = await startVideoStack(env, { taskQueue });
  try {
    const created = await call(api, 'POST', '/api/videos', {
      source: { type: 'text', title: 'Bees', text: 'Bees dance.\n\nThe angle points at food.' },
      options: { review: true, maxScenes: 2 },
    });
    const id = created.body.id as string;
    const fresh = await pollUntil(
      () => call(api, 'GET', `/api/videos/${id}`),
      (r) => r.body.stage === 'awaiting_review',
    );
    expect(fresh.body.stale).toBeUndefined();
    await worker.stop();

    // Temporal knows the stage from the VideoStage search attribute: not `queued`, and flagged.
    const stale = await call(api, 'GET', `/api/videos/${id}`);
    expect(stale.status).toBe(200);
    expect(stale.body).toMatchObject({ id, status: 'running', stage: 'awaiting_review', progress: fresh.body.progress, stale: true });
    expect(stale.body).toMatchObject({ scenes: [], spend: { credits: 0 } });
    // The source's title is in the run's memo, which Temporal returns without a worker.
    expect(stale.body.title).toBe('Bees');
    expect(stale.ms).toBeLessThan(WORKER_ANSWER_WITHIN_MS);

    // Only a worker knows the script or can take an edit: 503, not 500 nor "not awaiting review".
    for (const [method, path, body] of [
      ['GET', `/api/videos/${id}/script`, undefined],
      ['PUT', `/api/videos/${id}/script`, script],
      ['POST', `/api/videos/${id}/approve`, undefined],
    ] as const) {
      const res = await call(api, method, path, body);
      expect({ method, status: res.status, code: res.body.error.code, retryAfter: res.retryAfter }).toEqual({
        method,
        status: 503,
        code: 'worker_unavailable',
        retryAfter: '5',
      });
      expect(res.ms).toBeLessThan(WORKER_ANSWER_WITHIN_MS);
    }

    worker = await startVideoStack(env, { taskQueue });
    const back = await pollUntil(
      () => call(api, 'GET', `/api/videos/${id}`),
      (r) => r.status === 200 && r.body.stale === undefined,
    );
    expect(back.body).toMatchObject({ status: 'running', stage: 'awaiting_review' });
    expect((await call(api, 'GET', `/api/videos/${id}/script`)).status).toBe(200);
    expect((await call(api, 'POST', `/api/videos/${id}/approve`)).status).toBe(202);
    await pollUntil(
      () => call(api, 'GET', `/api/videos/${id}`),
      (r) => r.body.status === 'completed',
      120_000,
    );
  } finally {
    await api.close();
    await worker.stop();
  }
}, 300_000);

test('with Temporal stopped, every route that needs it answers 503 temporal_unavailable with Retry-After within seconds', async () => {
  const taskQueue = uniqueName('tq-down');
  const config = configFor(taskQueue);
  // The API's own connection, as `npm run api` opens it; the test server's closes with the server.
  const connection = await connectClient(config);
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const api = await serveApp(createApp({ client, config, store: new LocalArtifactStore(config.mediaRoot) }));
  try {
    const id = (await call(api, 'POST', '/api/videos', { source: { type: 'text', title: 'Bees', text: 'Bees dance.' } })).body.id as string;
    const stream = fetch(`${api.url}/api/videos/${id}/events`).then(async (res) => {
      await res.text();
      return Date.now();
    });
    serverStopped = true;
    await env.teardown();
    const down = Date.now();

    const routes: [string, string, unknown?][] = [
      ['POST', '/api/videos', { source: { type: 'text', title: 'Bees', text: 'Bees dance.' } }],
      ['GET', '/api/videos'],
      ['GET', `/api/videos/${id}`],
      ['POST', `/api/videos/${id}/cancel`],
      ['GET', `/api/videos/${id}/events`],
      ['GET', `/api/videos/${id}/script`],
      ['PUT', `/api/videos/${id}/script`, script],
      ['POST', `/api/videos/${id}/approve`],
      ['GET', `/api/videos/${id}/video`],
    ];
    const answers = await Promise.all(routes.map(([method, path, body]) => call(api, method, path, body)));
    for (const [i, res] of answers.entries()) {
      expect({ route: routes[i]!.slice(0, 2), status: res.status, code: res.body.error.code, retryAfter: res.retryAfter }).toEqual({
        route: routes[i]!.slice(0, 2),
        status: 503,
        code: 'temporal_unavailable',
        retryAfter: '5',
      });
      expect(res.ms).toBeLessThan(ANSWER_WITHIN_MS);
    }
    // A stream already open ends too, rather than waiting on Temporal, so its client reconnects.
    expect((await stream) - down).toBeLessThan(ANSWER_WITHIN_MS);
  } finally {
    await api.close();
    await connection.close();
  }
}, 120_000);
