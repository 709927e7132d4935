import fs from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApp } from '../../src/api/create-app';
import { CachedHealthCheck, checkHealth, type HealthReport } from '../../src/api/health';
import { loadConfig } from '../../src/config';
import { ACTIVITY_QUEUES } from '../../src/shared/temporal-names';
import { pollUntil } from '../helpers/poll';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';
import { makeSplitImage } from '../helpers/test-images';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';
import { serveApp, type ServedApp } from './serve-app';

let env: TestWorkflowEnvironment;
let stack: VideoStack;
/** A queue no worker polls: videos started on it stay queued and cost nothing. */
let idleQueue: string;

beforeAll(async () => {
  env = await startTestEnv();
  stack = await startVideoStack(env);
  idleQueue = uniqueName('tq-idle');
});
afterAll(async () => {
  for await (const w of env.client.workflow.list({ query: `TaskQueue = '${idleQueue}' AND ExecutionStatus = 'Running'` })) {
    await env.client.workflow.getHandle(w.workflowId).terminate('test over');
  }
  await stack?.stop();
  await env?.teardown();
});

/**
 * The test server's own client with a count of what the API asked of it: every call still goes
 * to Temporal, the wrapper only counts health checks and the runs that lists returned.
 */
function countingClient(client: Client) {
  const calls = { describeTaskQueue: 0, rowsListed: 0 };
  const service = new Proxy(client.workflowService, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return async (request: unknown) => {
        if (prop === 'describeTaskQueue') calls.describeTaskQueue += 1;
        const response = await value.call(target, request);
        if (prop === 'listWorkflowExecutions') calls.rowsListed += response.executions?.length ?? 0;
        return response;
      };
    },
  });
  return { client: Object.create(client, { workflowService: { value: service } }) as Client, calls };
}

/** Serves an app on `env`'s client (or `client`) with these variables on top of a test config. */
async function serveWith(vars: Record<string, string>, client: Client = env.client): Promise<ServedApp> {
  const config = loadConfig({ TASK_QUEUE: idleQueue, MEDIA_ROOT: stack.mediaRoot, TEMPORAL_ADDRESS: env.address, PORT: '0', ...vars });
  return serveApp(createApp({ client, config, store: stack.store }));
}

const videoBody = (title = uniqueName('title')) =>
  JSON.stringify({ source: { type: 'text', title, text: 'Bees dance to point at flowers.' } });

async function send(url: string, init: { method?: string; key?: string; headers?: Record<string, string>; body?: string } = {}) {
  const res = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    body: init.body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text.startsWith('{') ? JSON.parse(text) : text };
}

describe('health', () => {
  const queues = 1 + ACTIVITY_QUEUES.length;

  test('/health answers from a cache: fifty concurrent requests cost one check of each task queue, and an expired report is refreshed once', async () => {
    // Workers appear as pollers shortly after they start.
    await pollUntil(
      () => checkHealth(env.client, stack.taskQueue),
      (r) => r.ok,
    );
    const { client, calls } = countingClient(env.client);
    const config = { ...stack.config, api: { ...stack.config.api, healthCacheMs: 3000 } };
    const app = createApp({ client, config, store: stack.store });
    const api = await serveApp(app);
    try {
      const burst = await Promise.all(Array.from({ length: 50 }, () => send(`${api.url}/health`)));
      for (const res of burst) {
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ ok: true, temporal: 'reachable', problems: [] });
      }
      expect(calls.describeTaskQueue).toBe(queues);
      await Promise.all(Array.from({ length: 50 }, () => send(`${api.url}/health`)));
      expect(calls.describeTaskQueue).toBe(queues);

      await pollUntil(
        async () => {
          await send(`${api.url}/health`);
          return calls.describeTaskQueue;
        },
        (n) => n > queues,
        10_000,
        100,
      );
      expect(calls.describeTaskQueue).toBe(2 * queues);
    } finally {
      await api.close();
    }
  });

  test('/api/health needs the API key and names each task queue with its pollers; /health does not', async () => {
    const api = await serveApp(
      createApp({
        client: env.client,
        config: loadConfig({
          TASK_QUEUE: stack.taskQueue,
          MEDIA_ROOT: stack.mediaRoot,
          TEMPORAL_ADDRESS: env.address,
          PORT: '0',
          API_KEYS: 'ops:ops-key-0123456789',
        }),
        store: stack.store,
      }),
    );
    try {
      const open = await send(`${api.url}/health`);
      expect(open.status).toBe(200);
      expect(Object.keys(open.body).sort()).toEqual(['ok', 'problems', 'temporal']);
      expect((await send(`${api.url}/api/health`)).status).toBe(401);
      const detailed = await send(`${api.url}/api/health`, { key: 'ops-key-0123456789' });
      expect(detailed.status).toBe(200);
      expect(detailed.body.taskQueues).toHaveLength(queues);
      expect(detailed.body.taskQueues.map((q: { name: string }) => q.name)).toContain(stack.taskQueue);
      for (const q of detailed.body.taskQueues) expect(q.pollers).toBeGreaterThanOrEqual(1);
      expect(Date.parse(detailed.body.checkedAt)).toBeGreaterThan(Date.now() - 60_000);
    } finally {
      await api.close();
    }
  });

  test('without workers both answer 503; the open one names what is missing and nothing more', async () => {
    const api = await serveWith({ TASK_QUEUE: uniqueName('tq-unpolled') });
    try {
      const open = await send(`${api.url}/health`);
      expect(open.status).toBe(503);
      expect(open.body.ok).toBe(false);
      expect(open.body.problems).toHaveLength(queues);
      expect(open.body.taskQueues).toBeUndefined();
      const detailed = await send(`${api.url}/api/health`);
      expect(detailed.status).toBe(503);
      expect(detailed.body.taskQueues.every((q: { pollers: number }) => q.pollers === 0)).toBe(true);
    } finally {
      await api.close();
    }
  });

  test('with Temporal unreachable /health answers 503 within the deadline, saying so without the cause', async () => {
    // Nothing listens on port 1: every call fails as Temporal being down would.
    const connection = Connection.lazy({ address: '127.0.0.1:1' });
    const api = await serveApp(createApp({ client: new Client({ connection }), config: stack.config, store: stack.store }));
    try {
      const startedAt = Date.now();
      const res = await send(`${api.url}/health`);
      expect(Date.now() - startedAt).toBeLessThan(8_000);
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ ok: false, temporal: 'unreachable', problems: ['Temporal is unreachable'] });
    } finally {
      await api.close();
      await connection.close();
    }
  });

  test('HEALTH_CACHE_SEC=0 checks on every request, and concurrent requests still share one check', async () => {
    let checks = 0;
    const report: HealthReport = { ok: true, temporal: 'reachable', problems: [], taskQueues: [], checkedAt: new Date().toISOString() };
    const cached = new CachedHealthCheck(
      async () => {
        checks += 1;
        await new Promise((r) => setTimeout(r, 20));
        return report;
      },
      loadConfig({ HEALTH_CACHE_SEC: '0' }).api.healthCacheMs,
    );
    await cached.report();
    await cached.report();
    expect(checks).toBe(2);
    await Promise.all(Array.from({ length: 10 }, () => cached.report()));
    expect(checks).toBe(3);
  });
});

describe('listing bounded in reads', () => {
  const listQueue = uniqueName('tq-list');
  /** Newest first, as the API must order them: start time, then id, both descending. */
  let expected: string[] = [];

  beforeAll(async () => {
    // Twelve queued videos are more than TENANT_MAX_RUNNING allows by default.
    const api = await serveWith({ TASK_QUEUE: listQueue, TENANT_MAX_RUNNING: '0' });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push((await send(`${api.url}/api/videos`, { body: videoBody(`List ${i}`) })).body.id);
      const started = await Promise.all(
        ids.map(async (id) => ({ id, t: (await env.client.workflow.getHandle(id).describe()).startTime.getTime() })),
      );
      expected = started.sort((a, b) => b.t - a.t || (a.id < b.id ? 1 : -1)).map((s) => s.id);
      await pollUntil(
        async () => (await env.client.workflow.count(`TaskQueue = '${listQueue}'`)).count,
        (n) => n === 12,
      );
    } finally {
      await api.close();
    }
  });
  afterAll(async () => {
    for (const id of expected) await env.client.workflow.getHandle(id).terminate('test over');
  });

  async function walk(url: string, limit: number, calls?: { rowsListed: number }) {
    const seen: string[] = [];
    const pages: { items: number; rows: number }[] = [];
    let cursor: string | null = null;
    do {
      const before = calls?.rowsListed ?? 0;
      const page = await send(`${url}/api/videos?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((i: { id: string }) => i.id));
      pages.push({ items: page.body.items.length, rows: (calls?.rowsListed ?? 0) - before });
      cursor = page.body.nextCursor;
      expect(pages.length).toBeLessThan(100);
    } while (cursor);
    return { seen, pages };
  }

  test('with LIST_MAX_SCAN=5, pages of 1, 3 and 10 each walk all twelve videos newest first, and no request reads more than 5 runs', async () => {
    const { client, calls } = countingClient(env.client);
    const api = await serveWith({ TASK_QUEUE: listQueue, LIST_MAX_SCAN: '5' }, client);
    try {
      for (const limit of [1, 3, 10]) {
        const { seen, pages } = await walk(api.url, limit, calls);
        expect(seen).toEqual(expected);
        for (const page of pages) {
          expect(page.rows).toBeLessThanOrEqual(5);
          expect(page.items).toBeLessThanOrEqual(limit);
          // Windows are narrowed to what the budget can read, so every page makes progress here.
          expect(page.items).toBeGreaterThan(0);
        }
      }
    } finally {
      await api.close();
    }
  });

  test('with the default budget the same walk gives full pages', async () => {
    const api = await serveWith({ TASK_QUEUE: listQueue });
    try {
      const { seen, pages } = await walk(api.url, 5);
      expect(seen).toEqual(expected);
      expect(pages.map((p) => p.items)).toEqual([5, 5, 2]);
    } finally {
      await api.close();
    }
  });
});

describe('rate limits', () => {
  test('reads past READ_RATE_LIMIT get 429 rate_limited with Retry-After, counted per tenant and apart from creates', async () => {
    const api = await serveWith({ API_KEYS: 'alice:alice-read-0001,bob:bob-read-0002', READ_RATE_LIMIT: '3', READ_RATE_WINDOW_SEC: '60' });
    try {
      const remaining: (string | null)[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await send(`${api.url}/api/videos`, { key: 'alice-read-0001' });
        expect(res.status).toBe(200);
        remaining.push(res.headers.get('ratelimit-remaining'));
      }
      expect(remaining).toEqual(['2', '1', '0']);
      for (const path of ['/api/videos', '/api/videos/some-video', '/api/videos/some-video/events', '/api/health']) {
        const res = await send(`${api.url}${path}`, { key: 'alice-read-0001' });
        expect(res.status).toBe(429);
        expect(res.body.error.code).toBe('rate_limited');
        expect(res.body.error.message).toContain('3 reads per 60 s');
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      }
      expect((await send(`${api.url}/api/videos`, { key: 'bob-read-0002' })).status).toBe(200);
      expect((await send(`${api.url}/api/videos`, { key: 'alice-read-0001', body: videoBody() })).status).toBe(202);
      // A request without a valid key is refused before it is counted.
      expect((await send(`${api.url}/api/videos`, { key: 'not-a-key' })).status).toBe(401);
    } finally {
      await api.close();
    }
  });

  test('the create limit counts creates: invalid bodies before a valid one are not counted', async () => {
    const api = await serveWith({ CREATE_RATE_LIMIT: '2' });
    try {
      for (let i = 0; i < 5; i++) {
        expect((await send(`${api.url}/api/videos`, { body: JSON.stringify({ source: { type: 'text', title: '' } }) })).status).toBe(400);
      }
      const notJson = await send(`${api.url}/api/videos`, { body: videoBody(), headers: { 'content-type': 'text/plain' } });
      expect(notJson.status).toBe(415);
      expect((await send(`${api.url}/api/videos`, { body: videoBody() })).status).toBe(202);
      expect((await send(`${api.url}/api/videos`, { body: videoBody() })).status).toBe(202);
      const third = await send(`${api.url}/api/videos`, { body: videoBody() });
      expect(third.status).toBe(429);
      expect(third.body.error.message).toContain('2 creates per 60 s');
    } finally {
      await api.close();
    }
  });

  test('uploads, batches and schedules are creates too: they share the limit with videos', async () => {
    const api = await serveWith({ CREATE_RATE_LIMIT: '2' });
    const image = path.join(stack.mediaRoot, `${uniqueName('limit')}.png`);
    await makeSplitImage(image, 64, 48, 'teal');
    try {
      const form = new FormData();
      form.append('file', new Blob([await fs.readFile(image)]), 'teal.png');
      expect((await fetch(`${api.url}/api/uploads`, { method: 'POST', body: form })).status).toBe(201);
      expect((await send(`${api.url}/api/videos`, { body: videoBody() })).status).toBe(202);
      const batch = await send(`${api.url}/api/batches`, { body: JSON.stringify({ pmids: ['31000001'] }) });
      const schedule = await send(`${api.url}/api/schedules`, { body: JSON.stringify({ video: JSON.parse(videoBody()), every: '1d' }) });
      expect([batch.status, schedule.status]).toEqual([429, 429]);
      expect(schedule.body.error.message).toContain('2 creates per 60 s');
    } finally {
      await api.close();
      await fs.rm(image, { force: true });
    }
  });

  test('without TRUST_PROXY the socket address is the caller: X-Forwarded-For does not buy a new bucket', async () => {
    const api = await serveWith({ CREATE_RATE_LIMIT: '1' });
    try {
      expect((await send(`${api.url}/api/videos`, { body: videoBody(), headers: { 'x-forwarded-for': '203.0.113.1' } })).status).toBe(202);
      expect((await send(`${api.url}/api/videos`, { body: videoBody(), headers: { 'x-forwarded-for': '203.0.113.2' } })).status).toBe(429);
    } finally {
      await api.close();
    }
  });

  test('with TRUST_PROXY=loopback each forwarded client has its own bucket, and addresses a client prepends are ignored', async () => {
    const api = await serveWith({ CREATE_RATE_LIMIT: '1', TRUST_PROXY: 'loopback' });
    const create = (forwardedFor: string) =>
      send(`${api.url}/api/videos`, { body: videoBody(), headers: { 'x-forwarded-for': forwardedFor } });
    try {
      expect((await create('203.0.113.1')).status).toBe(202);
      expect((await create('203.0.113.2')).status).toBe(202);
      expect((await create('203.0.113.1')).status).toBe(429);
      // The proxy appends the address it saw; whatever the client wrote before it is not trusted.
      expect((await create('198.51.100.7, 203.0.113.1')).status).toBe(429);
    } finally {
      await api.close();
    }
  });

  test('with TRUST_PROXY=1 the last X-Forwarded-For entry, the one the proxy wrote, is the caller', async () => {
    const api = await serveWith({ CREATE_RATE_LIMIT: '1', TRUST_PROXY: '1' });
    const create = (forwardedFor: string) =>
      send(`${api.url}/api/videos`, { body: videoBody(), headers: { 'x-forwarded-for': forwardedFor } });
    try {
      expect((await create('203.0.113.1')).status).toBe(202);
      expect((await create('198.51.100.7, 203.0.113.1')).status).toBe(429);
      expect((await create('203.0.113.1, 203.0.113.2')).status).toBe(202);
    } finally {
      await api.close();
    }
  });

  test('/health, /openapi.json and /metrics are not counted as reads', async () => {
    const api = await serveWith({ READ_RATE_LIMIT: '1' });
    try {
      expect((await send(`${api.url}/api/videos`)).status).toBe(200);
      expect((await send(`${api.url}/api/videos`)).status).toBe(429);
      for (const path of ['/health', '/openapi.json', '/metrics']) expect((await send(`${api.url}${path}`)).status).not.toBe(429);
    } finally {
      await api.close();
    }
  });

  test('TRUST_PROXY takes a hop count or proxy addresses, and refuses true and anything else', () => {
    const trust = (value: string) => loadConfig({ TRUST_PROXY: value }).api.trustProxy;
    expect(loadConfig({}).api.trustProxy).toBe(false);
    expect(trust('false')).toBe(false);
    expect(trust('2')).toBe(2);
    expect(trust('loopback, 10.0.0.0/8, fd00::/8, 192.0.2.10')).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.10']);
    expect(() => trust('true')).toThrow(/TRUST_PROXY=true would believe any X-Forwarded-For/);
    expect(() => trust('10.0.0.0/33')).toThrow(/TRUST_PROXY has entries .*10\.0\.0\.0\/33/);
    expect(() => trust('proxy.internal')).toThrow(/proxy\.internal/);
  });
});
