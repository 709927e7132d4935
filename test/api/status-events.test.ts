import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApp } from '../../src/api/create-app';
import { pollUntil } from '../helpers/poll';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';
import { readEventStream, serveApp, type ServedApp, type SseEvent } from './serve-app';

let env: TestWorkflowEnvironment;
let stack: VideoStack;
let app: ReturnType<typeof createApp>;
let api: ServedApp;

beforeAll(async () => {
  env = await startTestEnv();
  stack = await startVideoStack(env);
  // The app is built here rather than by the stack, to look at its broadcaster.
  app = createApp({ client: env.client, config: stack.config, store: stack.store });
  api = await serveApp(app);
});
afterAll(async () => {
  await api?.close();
  await stack?.stop();
  await env?.teardown();
});

async function startVideo(options: Record<string, unknown> = {}): Promise<string> {
  const res = await fetch(`${api.url}/api/videos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      source: { type: 'text', title: 'Why the sky is blue', text: 'Air scatters blue light more than red light. So the sky looks blue.' },
      options: { maxScenes: 3, ...options },
    }),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

test('a followed video streams a snapshot per change and ends with one final event at completion', async () => {
  const id = await startVideo();
  const stream = await readEventStream(`${api.url}/api/videos/${id}/events`);

  expect(stream.status).toBe(200);
  expect(stream.contentType).toMatch(/^text\/event-stream/);
  const names = stream.events.map((e) => e.event);
  expect(names.slice(0, -1).every((n) => n === 'status')).toBe(true);
  expect(names.at(-1)).toBe('end');
  const last = stream.events.at(-1)?.data;
  expect(last).toEqual(expect.objectContaining({ id, status: 'completed', stage: 'done', progress: 100 }));
  expect(last.result.videoUrl).toBe(`${api.url}/api/videos/${id}/video`);

  // Every event is a whole snapshot, consecutive ones differ, and progress never goes down.
  const bodies = stream.events.map((e) => e.data);
  for (const body of bodies) expect(body).toEqual(expect.objectContaining({ id, stage: expect.any(String), scenes: expect.any(Array) }));
  for (let i = 1; i < bodies.length; i++) {
    expect(JSON.stringify(bodies[i])).not.toBe(JSON.stringify(bodies[i - 1]));
    expect(bodies[i].progress).toBeGreaterThanOrEqual(bodies[i - 1].progress);
  }
  expect(new Set(bodies.map((b) => b.stage)).size).toBeGreaterThanOrEqual(3);
  expect(app.broadcaster.activePollers).toBe(0);
});

test('twenty clients watching one video share one poller, and all of them get the final event', async () => {
  const id = await startVideo({ review: true });
  await pollUntil(
    async () => (await (await fetch(`${api.url}/api/videos/${id}`)).json()) as { stage: string },
    (s) => s.stage === 'awaiting_review',
  );

  const firstEvents: SseEvent[] = [];
  const streams = Array.from({ length: 20 }, () =>
    readEventStream(`${api.url}/api/videos/${id}/events`, { onEvent: (e) => e.event === 'status' && firstEvents.push(e) }),
  );
  await pollUntil(
    async () => firstEvents.length,
    (n) => n >= 20,
    30_000,
  );
  expect(app.broadcaster.activePollers).toBe(1);
  expect(firstEvents.every((e) => e.data.stage === 'awaiting_review')).toBe(true);

  const cancel = await fetch(`${api.url}/api/videos/${id}/cancel`, { method: 'POST' });
  expect(cancel.status).toBe(202);
  const ended = await Promise.all(streams);
  for (const s of ended) expect(s.events.at(-1)).toEqual({ event: 'end', data: expect.objectContaining({ id, status: 'cancelled' }) });
  expect(app.broadcaster.activePollers).toBe(0);
});

test('a finished video streams its final status at once, and an unknown one gets 404', async () => {
  const id = await startVideo({ review: true });
  await fetch(`${api.url}/api/videos/${id}/cancel`, { method: 'POST' });
  await pollUntil(
    async () => (await (await fetch(`${api.url}/api/videos/${id}`)).json()) as { status: string },
    (s) => s.status === 'cancelled',
  );
  const stream = await readEventStream(`${api.url}/api/videos/${id}/events`);
  expect(stream.events).toEqual([{ event: 'end', data: expect.objectContaining({ status: 'cancelled' }) }]);

  const unknown = await readEventStream(`${api.url}/api/videos/${uniqueName('nope')}/events`);
  expect(unknown.status).toBe(404);
});

test('a quiet stream carries keep-alive comments at the configured interval until the video ends', async () => {
  const quietApp = createApp({
    client: env.client,
    config: { ...stack.config, api: { ...stack.config.api, sseKeepAliveMs: 300 } },
    store: stack.store,
  });
  const quiet = await serveApp(quietApp);
  try {
    // A review holds the video still, so only keep-alive comments flow.
    const id = await startVideo({ review: true });
    const comments: string[] = [];
    const stream = readEventStream(`${quiet.url}/api/videos/${id}/events`, { onComment: (line) => comments.push(line) });
    await pollUntil(
      async () => comments.filter((c) => c === ': keep-alive').length,
      (n) => n >= 2,
      10_000,
    );
    await fetch(`${quiet.url}/api/videos/${id}/cancel`, { method: 'POST' });
    const ended = await stream;
    expect(ended.events.at(-1)?.event).toBe('end');
    expect(comments.filter((c) => c === ': keep-alive').length).toBeGreaterThanOrEqual(2);
  } finally {
    await quiet.close();
  }
});

test('closing the app ends every open stream at once, without an end event, so clients reconnect elsewhere', async () => {
  const closingApp = createApp({ client: env.client, config: stack.config, store: stack.store });
  const served = await serveApp(closingApp);
  try {
    // A review holds the video still: only closing the app can end these streams.
    const id = await startVideo({ review: true });
    const firstEvents: SseEvent[] = [];
    const streams = Array.from({ length: 3 }, () =>
      readEventStream(`${served.url}/api/videos/${id}/events`, { onEvent: (e) => firstEvents.push(e) }),
    );
    await pollUntil(
      async () => firstEvents.length,
      (n) => n >= 3,
      10_000,
    );

    const closedAt = Date.now();
    closingApp.close();
    const ended = await Promise.all(streams);
    expect(Date.now() - closedAt).toBeLessThan(1_000);
    for (const s of ended) expect(s.events.map((e) => e.event)).toEqual(['status']);
    expect(closingApp.broadcaster.activePollers).toBe(0);
    await fetch(`${api.url}/api/videos/${id}/cancel`, { method: 'POST' });
  } finally {
    await served.close();
  }
});
