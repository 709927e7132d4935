import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ACTIVITY_QUEUES, WORKFLOW_TYPE } from '../../src/shared/temporal-names';
import { pollUntil } from '../helpers/poll';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';

let env: TestWorkflowEnvironment;
let stack: VideoStack;

beforeAll(async () => {
  env = await startTestEnv();
  stack = await startVideoStack(env, { api: true });
});
afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

const textBody = (title = 'Coffee and attention') => ({
  source: { type: 'text', title, text: 'Caffeine blocks adenosine receptors. People feel more alert for a few hours.' },
  options: { maxScenes: 3 },
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any>, headers: res.headers };
}

async function countWorkflows(): Promise<number> {
  return (await env.client.workflow.count(`WorkflowType = '${WORKFLOW_TYPE}' AND TaskQueue = '${stack.taskQueue}'`)).count;
}

test('a posted text video completes and its MP4 is served whole and by range', async () => {
  const started = await post('/api/videos', textBody());
  expect(started.status).toBe(202);
  expect(started.body).toEqual(expect.objectContaining({ id: expect.any(String), status: expect.stringMatching(/queued|running/) }));
  expect(started.body.webUiUrl).toContain(`/workflows/${started.body.id}/`);

  const done = await pollUntil(
    async () => (await (await fetch(`${stack.apiUrl}/api/videos/${started.body.id}`)).json()) as Record<string, any>,
    (s) => s.status !== 'queued' && s.status !== 'running',
  );
  expect(done.status).toBe('completed');
  expect(done.progress).toBe(100);
  expect(done.result).toEqual({ videoUrl: expect.stringMatching(/\/video$/), durationSec: expect.any(Number), bytes: expect.any(Number) });

  const whole = await fetch(done.result.videoUrl);
  expect(whole.status).toBe(200);
  expect(whole.headers.get('content-type')).toBe('video/mp4');
  expect((await whole.arrayBuffer()).byteLength).toBe(done.result.bytes);

  const part = await fetch(done.result.videoUrl, { headers: { range: 'bytes=0-99' } });
  expect(part.status).toBe(206);
  expect((await part.arrayBuffer()).byteLength).toBe(100);
});

test.each([
  ['a missing source', {}, 'body.source'],
  ['an unknown source type', { source: { type: 'url', url: 'x' } }, 'body.source.type'],
  ['a non-numeric PMID', { source: { type: 'pubmed', pmid: '12ab' } }, 'body.source.pmid'],
  ['an empty text', { source: { type: 'text', title: 'T', text: '  ' } }, 'body.source.text'],
  ['an unknown option', { source: { type: 'text', title: 'T', text: 'x' }, options: { speed: 2 } }, 'body.options'],
  ['a negative budget', { source: { type: 'text', title: 'T', text: 'x' }, options: { maxCredits: -1 } }, 'body.options.maxCredits'],
])('%s gets 400 naming the field and starts no workflow', async (_name, body, field) => {
  const before = await countWorkflows();
  const res = await post('/api/videos', body);
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('invalid_request');
  expect(res.body.error.message).toContain(field);
  expect(await countWorkflows()).toBe(before);
});

test('malformed JSON gets 400 with a JSON error body', async () => {
  const res = await post('/api/videos', '{"source": ');
  expect(res.status).toBe(400);
  expect(res.body.error).toEqual(expect.objectContaining({ code: 'invalid_request', message: expect.stringContaining('JSON') }));
});

test('an unknown video id gets 404 on every read', async () => {
  for (const suffix of ['', '/video', '/script']) {
    const res = await fetch(`${stack.apiUrl}/api/videos/${uniqueName('nope')}${suffix}`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as any).error.code).toBe('not_found');
  }
});

test('the same Idempotency-Key returns the same video, and another body with it gets 409', async () => {
  const key = uniqueName('key');
  const [a, b] = await Promise.all([
    post('/api/videos', textBody('Same'), { 'idempotency-key': key }),
    post('/api/videos', textBody('Same'), { 'idempotency-key': key }),
  ]);
  expect([a.status, b.status].sort()).toEqual([200, 202]);
  expect(a.body.id).toBe(b.body.id);
  const conflict = await post('/api/videos', textBody('Different'), { 'idempotency-key': key });
  expect(conflict.status).toBe(409);
  expect(conflict.body.error.code).toBe('idempotency_conflict');
});

test('health is 200 while workers poll every task queue; the pollers per queue are in /api/health', async () => {
  const res = await fetch(`${stack.apiUrl}/health`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ ok: true, temporal: 'reachable', problems: [] });
  const details = await fetch(`${stack.apiUrl}/api/health`);
  const body = (await details.json()) as any;
  expect(details.status).toBe(200);
  expect(body.taskQueues).toHaveLength(1 + ACTIVITY_QUEUES.length);
  for (const queue of body.taskQueues) expect(queue.pollers).toBeGreaterThanOrEqual(1);
});

test('the OpenAPI document describes the create endpoint', async () => {
  const doc = (await (await fetch(`${stack.apiUrl}/openapi.json`)).json()) as any;
  expect(doc.openapi).toMatch(/^3\./);
  expect(doc.paths['/api/videos'].post.requestBody.content['application/json'].schema.properties.source).toBeDefined();
});
