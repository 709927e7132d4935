import fs from 'node:fs/promises';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApp } from '../../src/api/create-app';
import { signWebhookBody } from '../../src/api/webhook-routes';
import { loadConfig } from '../../src/config';
import { WORKFLOW_TYPE } from '../../src/shared/temporal-names';
import { LocalArtifactStore } from '../../src/storage/local-artifact-store';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';
import { serveApp } from './serve-app';

const KEY_A = 'key-a-0123456789';
const KEY_B = 'key-b-9876543210';
/** Used by the rate-limit test alone, so its count starts at zero. */
const KEY_C = 'key-c-limited-0000';
const SECRET = 'webhook-secret-for-tests';

let env: TestWorkflowEnvironment;
let stack: VideoStack;

beforeAll(async () => {
  env = await startTestEnv();
  stack = await startVideoStack(env, {
    api: true,
    env: {
      API_KEYS: `${KEY_A}, ${KEY_B},${KEY_C}`,
      WEBHOOK_SECRET: SECRET,
      BODY_LIMIT: '2kb',
      CREATE_RATE_LIMIT: '4',
      CREATE_RATE_WINDOW_SEC: '60',
    },
  });
});
afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

// Review holds each run before any rendering, so these tests cost the machine little.
const body = (title = uniqueName('title')) => ({
  source: { type: 'text', title, text: 'Frogs breathe through their skin.' },
  options: { review: true },
});

async function call(p: string, init: { method?: string; key?: string; headers?: Record<string, string>; body?: string } = {}) {
  const res = await fetch(`${stack.apiUrl}${p}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.key ? { authorization: `Bearer ${init.key}` } : {}),
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    body: init.body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text.startsWith('{') ? JSON.parse(text) : text };
}

const countWorkflows = async () =>
  (await env.client.workflow.count(`WorkflowType = '${WORKFLOW_TYPE}' AND TaskQueue = '${stack.taskQueue}'`)).count;

test('every /api route needs a valid bearer key and says how to authenticate', async () => {
  for (const [p, method] of [
    ['/api/videos', 'GET'],
    ['/api/videos', 'POST'],
    ['/api/videos/video-x', 'GET'],
    ['/api/videos/video-x/events', 'GET'],
    ['/api/videos/video-x/cancel', 'POST'],
    ['/api/nothing-here', 'GET'],
  ] as const) {
    for (const key of [undefined, 'wrong-key', `${KEY_A}x`, KEY_A.slice(0, -1)]) {
      const res = await call(p, { method, key, body: method === 'POST' ? JSON.stringify(body()) : undefined });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="reelflow"/);
      expect(res.body.error.code).toBe('unauthorized');
    }
  }
  expect((await call('/api/videos', { key: KEY_A })).status).toBe(200);
  expect((await call('/api/videos', { key: KEY_B })).status).toBe(200);
});

test('/health and /openapi.json stay open without a key', async () => {
  expect((await call('/health')).status).toBe(200);
  expect((await call('/openapi.json')).status).toBe(200);
});

test('an Idempotency-Key is scoped by API key: two keys with one Idempotency-Key get two videos', async () => {
  const idem = uniqueName('idem');
  const payload = JSON.stringify(body('Scoped'));
  const a = await call('/api/videos', { method: 'POST', key: KEY_A, body: payload, headers: { 'idempotency-key': idem } });
  const b = await call('/api/videos', { method: 'POST', key: KEY_B, body: payload, headers: { 'idempotency-key': idem } });
  const a2 = await call('/api/videos', { method: 'POST', key: KEY_A, body: payload, headers: { 'idempotency-key': idem } });
  expect([a.status, b.status, a2.status]).toEqual([202, 202, 200]);
  expect(a.body.id).not.toBe(b.body.id);
  expect(a2.body.id).toBe(a.body.id);
});

test('a body over the limit gets 413 before anything starts', async () => {
  const before = await countWorkflows();
  const big = JSON.stringify({ source: { type: 'text', title: 'Big', text: 'x'.repeat(4096) } });
  const res = await call('/api/videos', { method: 'POST', key: KEY_B, body: big });
  expect(res.status).toBe(413);
  expect(res.body.error.code).toBe('payload_too_large');
  expect(await countWorkflows()).toBe(before);
});

test('creates past the per-key limit get 429 with Retry-After, while another key still may create', async () => {
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 6; i++) {
    const res = await call('/api/videos', { method: 'POST', key: KEY_C, body: JSON.stringify(body()) });
    statuses.push(res.status);
    if (res.status === 429) {
      retryAfter = res.headers.get('retry-after');
      expect(res.body.error.code).toBe('rate_limited');
    }
  }
  expect(statuses).toEqual([202, 202, 202, 202, 429, 429]);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(60);
  // Reads are counted apart from creates, and other keys count on their own.
  expect((await call('/api/videos', { key: KEY_C })).status).toBe(200);
  expect((await call('/api/videos', { method: 'POST', key: KEY_A, body: JSON.stringify(body()) })).status).toBe(202);
});

test('encoded ../ in a video id never reaches a file outside MEDIA_ROOT', async () => {
  const outside = path.join(path.dirname(stack.mediaRoot), `${path.basename(stack.mediaRoot)}-secret`);
  await fs.mkdir(outside, { recursive: true });
  await fs.writeFile(path.join(outside, 'video.mp4'), 'secret');
  try {
    const escape = `..%2F${path.basename(outside)}`;
    for (const id of [
      escape,
      `..%252F${path.basename(outside)}`,
      '%2e%2e',
      '..',
      `%2e%2e%2f%2e%2e%2fetc%2fpasswd`,
      '%00',
      'a%2F..%2F..%2Fb',
    ]) {
      const res = await call(`/api/videos/${id}/video`, { key: KEY_A });
      expect(res.status).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain('secret');
    }
    expect(() => new LocalArtifactStore(stack.mediaRoot).path(`../${path.basename(outside)}`, 'video.mp4')).toThrow(/Unsafe/);
  } finally {
    await fs.rm(outside, { recursive: true, force: true });
  }
});

describe('the signed webhook', () => {
  const deliver = (raw: string, headers: Record<string, string>) => call('/api/webhooks/videos', { method: 'POST', body: raw, headers });
  const now = () => Math.floor(Date.now() / 1000);
  const signed = (raw: string, delivery = uniqueName('delivery'), timestamp = now()) => ({
    'x-reelflow-signature': signWebhookBody(SECRET, { timestamp, deliveryId: delivery, body: raw }),
    'x-reelflow-delivery': delivery,
    'x-reelflow-timestamp': String(timestamp),
  });

  test('starts a video without an API key, and a replayed delivery returns it with 200 and starts nothing', async () => {
    const raw = JSON.stringify(body('From a webhook'));
    const headers = signed(raw);
    const first = await deliver(raw, headers);
    expect(first.status).toBe(202);
    const before = await countWorkflows();
    const replay = await deliver(raw, headers);
    expect(replay.status).toBe(200);
    expect(replay.body.id).toBe(first.body.id);
    expect(await countWorkflows()).toBe(before);
    // The delivery id now belongs to that body: another body under it is a conflict.
    const other = JSON.stringify(body('Another'));
    expect((await deliver(other, signed(other, headers['x-reelflow-delivery']))).status).toBe(409);
  });

  test('refuses a missing, malformed or wrong signature with 401, checked over the raw bytes', async () => {
    const raw = JSON.stringify(body());
    const good = signed(raw);
    // Same JSON value, other bytes: the signature no longer matches.
    const respaced = raw.replace('{', '{ ');
    for (const headers of [
      { 'x-reelflow-delivery': 'd1' },
      { ...good, 'x-reelflow-signature': good['x-reelflow-signature'].replace('sha256=', 'sha1=') },
      { ...good, 'x-reelflow-signature': `sha256=${'0'.repeat(64)}` },
      {
        ...good,
        'x-reelflow-signature': signWebhookBody('other-secret', { timestamp: now(), deliveryId: good['x-reelflow-delivery'], body: raw }),
      },
      { ...good, 'x-reelflow-signature': 'sha256=abc' },
    ]) {
      const res = await deliver(raw, headers);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_signature');
    }
    expect((await deliver(respaced, good)).status).toBe(401);
  });

  test('a signed delivery without a delivery id or with an invalid body gets 400', async () => {
    const raw = JSON.stringify(body());
    const { 'x-reelflow-delivery': _delivery, ...withoutDelivery } = signed(raw);
    expect((await deliver(raw, withoutDelivery)).status).toBe(400);
    const invalid = JSON.stringify({ source: { type: 'pubmed', pmid: 'abc' } });
    const res = await deliver(invalid, signed(invalid));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('body.source.pmid');
    expect((await deliver('{"source":', signed('{"source":'))).status).toBe(400);
  });

  test('is 404 when no secret is configured', async () => {
    const config = loadConfig({ TASK_QUEUE: stack.taskQueue, MEDIA_ROOT: stack.mediaRoot, TEMPORAL_ADDRESS: env.address });
    const api = await serveApp(createApp({ client: env.client, config, store: stack.store }));
    try {
      const raw = JSON.stringify(body());
      const res = await fetch(`${api.url}/api/webhooks/videos`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signed(raw) },
        body: raw,
      });
      expect(res.status).toBe(404);
    } finally {
      await api.close();
    }
  });
});
