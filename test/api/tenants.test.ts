/**
 * Tenants over HTTP, against a real Temporal server and real workers: every video belongs to the
 * tenant whose key started it, another tenant's video is a 404 on every route, admin keys see
 * all, and the per-tenant quotas refuse a start with 429 or 402.
 */
import { randomBytes } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApp } from '../../src/api/create-app';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signWebhookBody, TIMESTAMP_HEADER } from '../../src/api/webhook-routes';
import { loadConfig } from '../../src/config';
import { VIDEO_CREDITS_KEY, VIDEO_STAGE_KEY, VIDEO_TENANT_KEY, WORKFLOW_TYPE } from '../../src/shared/temporal-names';
import type { GenerateVideoInput } from '../../src/shared/video';
import { LocalArtifactStore } from '../../src/storage/local-artifact-store';
import { pollUntil } from '../helpers/poll';
import { serveApp } from '../helpers/serve-app';
import { startTestEnv } from '../helpers/temporal-test-env';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';

const KEYS = {
  alice: 'alice-key-1',
  alice2: 'alice-key-2',
  bob: 'bob-key-1',
  carol: 'carol-key-1',
  dave: 'dave-key-1',
  ops: 'ops-admin-key',
};

const WEBHOOK_SECRET = 'tenants-test-webhook-secret';

let env: TestWorkflowEnvironment;
let stack: VideoStack;

beforeAll(async () => {
  env = await startTestEnv();
  stack = await startVideoStack(env, {
    api: true,
    env: {
      API_KEYS: `alice:${KEYS.alice},alice:${KEYS.alice2},bob:${KEYS.bob},carol:${KEYS.carol},dave:${KEYS.dave}`,
      ADMIN_API_KEYS: `ops:${KEYS.ops}`,
      TENANT_MAX_RUNNING: '5',
      TENANT_QUOTAS: JSON.stringify({ bob: { maxRunning: 2 }, carol: { creditsPerDay: 100 }, dave: { maxRunning: 3 } }),
      RUNWAY_IMAGE_CREDITS: '5',
      RUNWAY_VIDEO_CREDITS_PER_SEC: '5',
      RUNWAY_DURATION_SEC: '5',
      CREATE_RATE_LIMIT: '1000',
      WEBHOOK_SECRET: WEBHOOK_SECRET,
      WEBHOOK_TENANT: 'alice',
    },
  });
});
afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

type Who = keyof typeof KEYS;

async function call(who: Who, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${KEYS[who]}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = text;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON: an MP4 or an event stream.
  }
  return { status: res.status, headers: res.headers, body: json };
}

const reviewed = (title: string, options: Record<string, unknown> = {}) => ({
  source: { type: 'text', title, text: 'Sleep clears the brain. Memory improves after rest. Naps help too.' },
  options: { review: true, reviewTimeoutSec: 3600, maxScenes: 2, ...options },
});

async function start(who: Who, title: string, options: Record<string, unknown> = {}) {
  const res = await call(who, 'POST', '/api/videos', reviewed(title, options));
  expect(res.status).toBe(202);
  return res.body.id as string;
}

const awaitingReview = (who: Who, id: string) =>
  pollUntil(
    () => call(who, 'GET', `/api/videos/${id}`),
    (r) => r.body.stage === 'awaiting_review',
  );

/** Cancels and waits until the run has ended: until then it still counts as running. */
async function cancelled(who: Who, id: string) {
  expect((await call(who, 'POST', `/api/videos/${id}/cancel`)).status).toBe(202);
  await pollUntil(
    () => call(who, 'GET', `/api/videos/${id}`),
    (r) => r.body.status === 'cancelled',
  );
}

const completed = (who: Who, id: string) =>
  pollUntil(
    () => call(who, 'GET', `/api/videos/${id}`),
    (r) => r.body.status === 'completed',
  );

test("another tenant's video is a 404 on every route, exactly like a missing one; the owner and admins see it", async () => {
  const id = await start('alice', 'Alice owns this');
  await awaitingReview('alice', id);
  const described = await env.client.workflow.getHandle(id).describe();
  expect(described.typedSearchAttributes.get(VIDEO_TENANT_KEY)).toBe('alice');

  const routes: [string, string, unknown?][] = [
    ['GET', `/api/videos/${id}`],
    ['GET', `/api/videos/${id}/events`],
    ['GET', `/api/videos/${id}/script`],
    ['PUT', `/api/videos/${id}/script`, { title: 'Taken', scenes: [{ index: 0, title: 'x', narration: 'Words here.' }] }],
    ['POST', `/api/videos/${id}/approve`],
    ['POST', `/api/videos/${id}/cancel`],
    ['GET', `/api/videos/${id}/video`],
  ];
  for (const [method, path, body] of routes) {
    const theirs = await call('bob', method, path, body);
    const missing = await call('bob', method, path.replace(id, 'video-does-not-exist'), body);
    expect({ route: `${method} ${path}`, status: theirs.status }).toEqual({ route: `${method} ${path}`, status: 404 });
    expect(theirs.body.error.code).toBe(missing.body.error.code);
    expect(theirs.body.error.message.replace(id, 'ID')).toBe(missing.body.error.message.replace('video-does-not-exist', 'ID'));
  }
  // Bob's attempts changed nothing: the video still awaits Alice's review with her script.
  const script = await call('alice', 'GET', `/api/videos/${id}/script`);
  expect(script.status).toBe(200);
  expect(script.body.title).not.toBe('Taken');

  const bobList = await call('bob', 'GET', '/api/videos?limit=100');
  expect(bobList.body.items.map((v: { id: string }) => v.id)).not.toContain(id);
  const aliceList = await call('alice', 'GET', '/api/videos?limit=100');
  expect(aliceList.body.items.map((v: { id: string }) => v.id)).toContain(id);
  expect((await call('bob', 'GET', '/api/videos?tenant=alice')).status).toBe(403);

  // An admin key reads, lists (all, or one tenant's) and acts on any tenant's video.
  const seenByOps = await call('ops', 'GET', `/api/videos/${id}`);
  expect([seenByOps.status, seenByOps.body.tenant]).toEqual([200, 'alice']);
  const opsAlice = await call('ops', 'GET', '/api/videos?tenant=alice&limit=100');
  expect(opsAlice.body.items.find((v: { id: string }) => v.id === id)?.tenant).toBe('alice');
  const opsBob = await call('ops', 'GET', '/api/videos?tenant=bob&limit=100');
  expect(opsBob.body.items.map((v: { id: string }) => v.id)).not.toContain(id);

  // The owner approves; the finished MP4 is hers alone.
  expect((await call('alice', 'POST', `/api/videos/${id}/approve`)).status).toBe(202);
  await completed('alice', id);
  const mp4 = await call('alice', 'GET', `/api/videos/${id}/video`);
  expect(mp4.status).toBe(200);
  expect(mp4.headers.get('content-type')).toMatch(/video\/mp4/);
  expect((await call('bob', 'GET', `/api/videos/${id}/video`)).status).toBe(404);
  expect((await call('ops', 'GET', `/api/videos/${id}/video`)).status).toBe(200);
});

test('idempotency keys are scoped by tenant: the same key from two tenants starts two videos', async () => {
  const headers = { 'idempotency-key': 'same-key-for-both' };
  const a = await call('alice', 'POST', '/api/videos', reviewed('Same key'), headers);
  const b = await call('bob', 'POST', '/api/videos', reviewed('Same key'), headers);
  expect([a.status, b.status]).toEqual([202, 202]);
  expect(a.body.id).not.toBe(b.body.id);
  const again = await call('alice', 'POST', '/api/videos', reviewed('Same key'), headers);
  expect(again.status).toBe(200);
  expect(again.body.id).toBe(a.body.id);
  for (const [who, id] of [
    ['alice', a.body.id],
    ['bob', b.body.id],
  ] as const) {
    await cancelled(who, id);
  }
});

test('a tenant at its running limit gets 429 too_many_running; repeats, admins and other tenants are not held', async () => {
  const first = await call('bob', 'POST', '/api/videos', reviewed('Bob one'), { 'idempotency-key': 'bob-one' });
  expect(first.status).toBe(202);
  await start('bob', 'Bob two');
  const third = await call('bob', 'POST', '/api/videos', reviewed('Bob three'));
  expect(third.status).toBe(429);
  expect(third.body.error.code).toBe('too_many_running');
  expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);

  // A repeat of an accepted request is not a new video: it answers 200 even at the limit.
  const repeat = await call('bob', 'POST', '/api/videos', reviewed('Bob one'), { 'idempotency-key': 'bob-one' });
  expect(repeat.status).toBe(200);
  expect(repeat.body.id).toBe(first.body.id);
  // Others are counted apart; an admin key is not held to quotas.
  await start('alice', 'Alice is not Bob');
  await start('ops', 'Operators start what they need');

  // Once one of Bob's videos has ended, he may start another.
  expect((await call('bob', 'POST', `/api/videos/${first.body.id}/cancel`)).status).toBe(202);
  const next = await pollUntil(
    () => call('bob', 'POST', '/api/videos', reviewed('Bob three'), { 'idempotency-key': 'bob-three' }),
    (r) => r.status !== 429,
    30_000,
    500,
  );
  expect(next.status).toBe(202);
});

test('concurrent starts of one tenant cannot pass its running limit together', async () => {
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => call('dave', 'POST', '/api/videos', reviewed(`Dave ${i}`))));
  const statuses = answers.map((a) => a.status).sort();
  expect(statuses).toEqual([202, 202, 202, 429, 429, 429, 429, 429]);
  for (const a of answers) if (a.status === 202) await call('dave', 'POST', `/api/videos/${a.body.id}/cancel`);
});

test('daily credits: a running video counts its budget, an ended one what it spent; past the quota is 402', async () => {
  // Budget of a 2-scene video at these prices: (2 + 1) clips x (5 + 5 s x 5) = 90 credits.
  const first = await start('carol', 'Carol first');
  const memo = (await env.client.workflow.getHandle(first).describe()).memo;
  expect(memo?.maxCredits).toBe(90);

  const refused = await call('carol', 'POST', '/api/videos', reviewed('Carol second'));
  expect(refused.status).toBe(402);
  expect(refused.body.error.code).toBe('credit_quota_exceeded');
  expect(refused.body.error.details).toEqual({ creditsPerDay: 100, used: 90, remaining: 10, budget: 90 });
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);

  // A budget that fits is accepted.
  const small = await start('carol', 'Carol small', { maxCredits: 10 });
  expect((await call('carol', 'POST', '/api/videos', reviewed('Carol too much', { maxCredits: 1 }))).status).toBe(402);

  // The first video ends having spent 0 (local clips): it no longer holds its 90 credits.
  await awaitingReview('carol', first);
  expect((await call('carol', 'POST', `/api/videos/${first}/approve`)).status).toBe(202);
  await completed('carol', first);
  const ended = await env.client.workflow.getHandle(first).describe();
  expect(ended.typedSearchAttributes.get(VIDEO_CREDITS_KEY)).toBe(0);
  const third = await pollUntil(
    () => call('carol', 'POST', '/api/videos', reviewed('Carol third'), { 'idempotency-key': 'carol-third' }),
    (r) => r.status !== 402,
    30_000,
    500,
  );
  expect(third.status).toBe(202);
  for (const id of [small, third.body.id]) await call('carol', 'POST', `/api/videos/${id}/cancel`);
});

test("two keys of one tenant share its videos and its idempotency keys (a key's rotation)", async () => {
  const headers = { 'idempotency-key': 'rotated' };
  const first = await call('alice', 'POST', '/api/videos', reviewed('Rotation'), headers);
  expect(first.status).toBe(202);
  const second = await call('alice2', 'POST', '/api/videos', reviewed('Rotation'), headers);
  expect(second.status).toBe(200);
  expect(second.body.id).toBe(first.body.id);
  expect((await call('alice2', 'POST', `/api/videos/${first.body.id}/cancel`)).status).toBe(202);
});

test('a run started before tenants existed (no VideoTenant) is seen only by admin keys', async () => {
  const videoId = `video-untenanted-${randomBytes(4).toString('hex')}`;
  const input: GenerateVideoInput = {
    videoId,
    source: { type: 'text', title: 'Old run', text: 'An old run. It has no tenant.' },
    options: { review: true, reviewTimeoutSec: 3600, maxScenes: 2, voice: 'en-us', sceneConcurrency: 2 },
  };
  await env.client.workflow.start(WORKFLOW_TYPE, {
    workflowId: videoId,
    taskQueue: stack.taskQueue,
    args: [input],
    typedSearchAttributes: [{ key: VIDEO_STAGE_KEY, value: 'queued' }],
  });
  expect((await call('alice', 'GET', `/api/videos/${videoId}`)).status).toBe(404);
  expect((await call('ops', 'GET', `/api/videos/${videoId}`)).status).toBe(200);
  expect((await call('ops', 'POST', `/api/videos/${videoId}/cancel`)).status).toBe(202);
});

test("a webhook delivery starts its video as WEBHOOK_TENANT: that tenant's key sees it, no other does", async () => {
  const body = JSON.stringify(reviewed('From the webhook'));
  const delivery = { timestamp: Math.floor(Date.now() / 1000), deliveryId: `delivery-${randomBytes(4).toString('hex')}`, body };
  const res = await fetch(`${stack.apiUrl}/api/webhooks/videos`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: signWebhookBody(WEBHOOK_SECRET, delivery),
      [TIMESTAMP_HEADER]: String(delivery.timestamp),
      [DELIVERY_HEADER]: delivery.deliveryId,
    },
    body,
  });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  expect((await call('alice', 'GET', `/api/videos/${id}`)).body.tenant).toBe('alice');
  expect((await call('bob', 'GET', `/api/videos/${id}`)).status).toBe(404);
  expect((await call('alice', 'POST', `/api/videos/${id}/cancel`)).status).toBe(202);
});

test('with admin keys configured, only they read the detailed health check', async () => {
  expect((await call('alice', 'GET', '/api/health')).status).toBe(403);
  expect((await call('ops', 'GET', '/api/health')).body.taskQueues).toEqual(expect.any(Array));
});

test('with admin keys configured, only they may use the codec endpoint', async () => {
  const config = loadConfig({
    TASK_QUEUE: stack.taskQueue,
    MEDIA_ROOT: stack.mediaRoot,
    TEMPORAL_ADDRESS: env.address,
    API_KEYS: `alice:${KEYS.alice}`,
    ADMIN_API_KEYS: `ops:${KEYS.ops}`,
    PAYLOAD_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  });
  const api = await serveApp(createApp({ client: env.client, config, store: new LocalArtifactStore(config.mediaRoot) }));
  try {
    const decode = (key: string) =>
      fetch(`${api.url}/codec/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ payloads: [] }),
      });
    expect((await decode(KEYS.alice)).status).toBe(401);
    expect((await decode(KEYS.ops)).status).toBe(200);
  } finally {
    await api.close();
  }
});

describe('API_KEYS, ADMIN_API_KEYS and TENANT_QUOTAS are checked at start-up, without quoting a key', () => {
  const load = (env: Record<string, string>) => () => loadConfig({ TEMPORAL_ADDRESS: '127.0.0.1:1', ...env });

  test('named, bare and admin keys each get their tenant', () => {
    const config = load({ API_KEYS: 'alice:a-secret, plain-secret', ADMIN_API_KEYS: 'ops:o-secret' })();
    expect(config.api.keys.map((k) => [k.tenant, k.admin])).toEqual([
      ['alice', false],
      [expect.stringMatching(/^key:[0-9a-f]{16}$/), false],
      ['ops', true],
    ]);
  });

  test.each([
    [{ API_KEYS: 'alice:' }, /API_KEYS: entry 1 \(alice\) has no key/],
    [{ API_KEYS: 'webhook:secret-1' }, /tenant name webhook is reserved/],
    [{ API_KEYS: 'alice:dup-secret', ADMIN_API_KEYS: 'ops:dup-secret' }, /key number 2 is listed twice/],
    [{ TENANT_QUOTAS: '{not json' }, /TENANT_QUOTAS is not valid JSON/],
    [{ TENANT_QUOTAS: '{"alice":{"maxRunning":-1}}' }, /TENANT_QUOTAS: alice.maxRunning/],
  ])('%j is refused', (env, message) => {
    expect(load(env)).toThrow(message);
    try {
      load(env)();
    } catch (err) {
      expect((err as Error).message).not.toMatch(/secret/);
    }
  });
});
