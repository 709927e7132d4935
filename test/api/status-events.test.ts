import { spawn } from 'node:child_process';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApp } from '../../src/api/create-app';
import { loadConfig } from '../../src/config';
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

describe('bounded streams', () => {
  const textVideo = {
    source: { type: 'text', title: 'Why leaves fall', text: 'Trees drop leaves to save water.' },
    options: { review: true },
  };

  async function startAs(url: string, key?: string): Promise<string> {
    const res = await fetch(`${url}/api/videos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      body: JSON.stringify(textVideo),
    });
    expect(res.status).toBe(202);
    return ((await res.json()) as { id: string }).id;
  }

  /** Opens a stream and resolves once its first event arrived; `close` aborts it. */
  async function openStream(url: string, headers: Record<string, string> = {}) {
    const abort = new AbortController();
    let first: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => (first = resolve));
    const done = readEventStream(url, { headers, signal: abort.signal, onEvent: () => first() }).catch(() => undefined);
    await arrived;
    return { close: () => abort.abort(), done };
  }

  test('a tenant past SSE_MAX_STREAMS_PER_TENANT, and anyone past SSE_MAX_STREAMS, gets 429 too_many_streams with Retry-After before a stream starts', async () => {
    const config = loadConfig({
      TASK_QUEUE: stack.taskQueue,
      MEDIA_ROOT: stack.mediaRoot,
      TEMPORAL_ADDRESS: env.address,
      PORT: '0',
      API_KEYS: 'alice:alice-key-0001,bob:bob-key-0002',
      SSE_MAX_STREAMS: '3',
      SSE_MAX_STREAMS_PER_TENANT: '2',
      SSE_MAX_AGE_SEC: '600',
    });
    const capped = createApp({ client: env.client, config, store: stack.store });
    const served = await serveApp(capped);
    const alice = { authorization: 'Bearer alice-key-0001' };
    const bob = { authorization: 'Bearer bob-key-0002' };
    try {
      const aliceVideo = await startAs(served.url, 'alice-key-0001');
      const bobVideo = await startAs(served.url, 'bob-key-0002');
      const events = (id: string) => `${served.url}/api/videos/${id}/events`;
      const a1 = await openStream(events(aliceVideo), alice);
      const a2 = await openStream(events(aliceVideo), alice);

      const refused = await fetch(events(aliceVideo), { headers: alice });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await refused.json()) as any).error).toEqual({ code: 'too_many_streams', message: expect.stringContaining('per caller') });
      // The oldest of alice's streams ends at its maximum age at the latest.
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(590);
      expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(600);

      const b1 = await openStream(events(bobVideo), bob);
      const full = await fetch(events(bobVideo), { headers: bob });
      expect(full.status).toBe(429);
      expect(((await full.json()) as any).error.message).toMatch(/this server/i);
      expect(capped.broadcaster.streams.open).toBe(3);
      expect(capped.broadcaster.streams.openFor('alice')).toBe(2);

      // A stream that ends gives its slot back at once.
      a1.close();
      await pollUntil(
        async () => capped.broadcaster.streams.open,
        (n) => n === 2,
        5_000,
        20,
      );
      const b2 = await openStream(events(bobVideo), bob);
      expect(capped.broadcaster.streams.openFor('bob')).toBe(2);
      for (const s of [a2, b1, b2]) s.close();
      await pollUntil(
        async () => [capped.broadcaster.streams.open, capped.broadcaster.streams.callers],
        ([open, callers]) => open === 0 && callers === 0,
        5_000,
        20,
      );
      for (const id of [aliceVideo, bobVideo]) await env.client.workflow.getHandle(id).terminate('test over');
    } finally {
      await served.close();
    }
  });

  test('a stream ends at its maximum age with a retry hint and event: reconnect, and EventSource comes back to a fresh snapshot', async () => {
    const aging = createApp({
      client: env.client,
      config: { ...stack.config, api: { ...stack.config.api, sseMaxAgeMs: 1500 } },
      store: stack.store,
    });
    const served = await serveApp(aging);
    try {
      const id = await startAs(served.url);
      const url = `${served.url}/api/videos/${id}/events`;
      const openedAt = Date.now();
      const text = await (await fetch(url)).text();
      const lived = Date.now() - openedAt;
      // Between 90 % and 100 % of the maximum age, plus the time to answer.
      expect(lived).toBeGreaterThanOrEqual(1300);
      expect(lived).toBeLessThan(3000);
      expect(text).toMatch(/^id: 1\nevent: status\ndata: \{/);
      expect(text.endsWith('retry: 1000\nevent: reconnect\ndata: {"reason":"max_age","maxAgeSec":2}\n\n')).toBe(true);
      expect(aging.broadcaster.streams.open).toBe(0);

      // A real EventSource (Node's, behind a flag) follows the hint: it reconnects and reads a new snapshot.
      const script = `
        const seen = [];
        const es = new EventSource(process.argv[1]);
        es.addEventListener('status', (e) => {
          seen.push('status:' + JSON.parse(e.data).id);
          if (seen.some((s) => s.startsWith('reconnect'))) { console.log(JSON.stringify(seen)); process.exit(0); }
        });
        es.addEventListener('reconnect', (e) => seen.push('reconnect:' + JSON.parse(e.data).reason));
        setTimeout(() => { console.log(JSON.stringify(seen)); process.exit(1); }, 20000);
      `;
      const child = spawn(process.execPath, ['--experimental-eventsource', '--no-warnings', '-e', script, url], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(0);
      const seen = JSON.parse(out) as string[];
      expect(seen[0]).toBe(`status:${id}`);
      expect(seen.filter((s) => s.startsWith('reconnect'))).toEqual(['reconnect:max_age']);
      expect(seen.indexOf('reconnect:max_age')).toBe(seen.length - 2);
      expect(seen.at(-1)).toBe(`status:${id}`);
      await pollUntil(
        async () => aging.broadcaster.streams.open,
        (n) => n === 0,
        5_000,
        20,
      );
      await env.client.workflow.getHandle(id).terminate('test over');
    } finally {
      await served.close();
    }
  });

  test('every way a stream ends gives its slot back: end event, error, client close and the API stopping', async () => {
    const counted = createApp({ client: env.client, config: stack.config, store: stack.store });
    const served = await serveApp(counted);
    const streams = counted.broadcaster.streams;
    const backToZero = () =>
      pollUntil(
        async () => [streams.open, streams.callers],
        ([open, callers]) => open === 0 && callers === 0,
        10_000,
        20,
      );
    try {
      // The end event: the video is cancelled while watched.
      const ending = await startAs(served.url);
      const watched = await openStream(`${served.url}/api/videos/${ending}/events`);
      expect(streams.open).toBe(1);
      await fetch(`${served.url}/api/videos/${ending}/cancel`, { method: 'POST' });
      await watched.done;
      await backToZero();

      // An error event: the run is deleted from Temporal while watched, so its status cannot be read.
      const deleted = await startAs(served.url);
      const errors: string[] = [];
      const failing = readEventStream(`${served.url}/api/videos/${deleted}/events`, { onEvent: (e) => errors.push(e.event) });
      await pollUntil(
        async () => errors.length,
        (n) => n >= 1,
        10_000,
        20,
      );
      await env.client.workflowService.deleteWorkflowExecution({
        namespace: env.client.options.namespace,
        workflowExecution: { workflowId: deleted },
      });
      expect((await failing).events.at(-1)?.event).toBe('error');
      await backToZero();

      // The client leaving.
      const held = await startAs(served.url);
      const leaving = await Promise.all(Array.from({ length: 5 }, () => openStream(`${served.url}/api/videos/${held}/events`)));
      expect(streams.open).toBe(5);
      for (const s of leaving) s.close();
      await backToZero();

      // The API stopping.
      const staying = await Promise.all(Array.from({ length: 3 }, () => openStream(`${served.url}/api/videos/${held}/events`)));
      expect(streams.open).toBe(3);
      counted.close();
      await Promise.all(staying.map((s) => s.done));
      await backToZero();
      await env.client.workflow.getHandle(held).terminate('test over');
    } finally {
      await served.close();
    }
  });
});
