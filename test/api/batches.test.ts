/**
 * Batches through the real stack: the HTTP API starts a `videoBatch` workflow on a real Temporal
 * server, whose items run in a worker process (src/worker.ts) with Gemini and Runway against
 * fakes on 127.0.0.1. The fakes' request logs are the witness of what a batch pays for.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { itemsFromCsv } from '../../src/api/batch-routes';
import type { FakeGemini } from '../fakes/fake-gemini';
import type { FakeRunway } from '../fakes/fake-runway';
import { startPaidApiStack, type PaidApiStack } from '../helpers/paid-api-stack';
import { pollUntil } from '../helpers/poll';
import type { ServedApp } from '../helpers/serve-app';

jest.setTimeout(400_000);

const MAX_RUNNING = 4;

let stack: PaidApiStack;
let env: TestWorkflowEnvironment;
let gemini: FakeGemini;
let runway: FakeRunway;
let api: ServedApp;

beforeAll(async () => {
  stack = await startPaidApiStack({
    name: 'batch',
    runway: { pendingPolls: 0, throttledPolls: 0, runningPolls: 1 },
    workerEnv: { RUNWAY_POLL_INTERVAL_MS: '100', RENDER_CONCURRENCY: '2' },
    apiEnv: { TENANT_MAX_RUNNING: String(MAX_RUNNING) },
  });
  ({ env, gemini, runway, api } = stack);
});
afterAll(() => stack?.stop());

type Json = Record<string, any>;
async function call(method: string, route: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${api.url}${route}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Json };
}
const batchEnded = (id: string, ms = 360_000) =>
  pollUntil(
    async () => (await call('GET', `/api/batches/${id}`)).body,
    (b) => b.status !== 'running',
    ms,
  );
const scriptCalls = () => stack.scriptCalls();
const text = (i: number) => ({
  source: { type: 'text', title: `Fact ${i}`, text: `Fact number ${i} is worth a short video.` },
  options: { maxScenes: 2 },
});

test('a batch of 20 with two duplicates pays for 18, never runs more than the quota at once, and reports every item', async () => {
  const items = [...Array.from({ length: 18 }, (_, i) => text(i)), text(0), text(1)];
  const scriptsBefore = scriptCalls();
  const videosBefore = runway.tasks.filter((t) => t.kind === 'video').length;
  const started = await call('POST', '/api/batches', { items });
  expect(started.status).toBe(202);
  expect(started.body).toMatchObject({ status: 'running', progress: 0, counts: { queued: 20 } });
  const id = started.body.id as string;

  // Watch how many of its videos run at once while it goes.
  let mostRunning = 0;
  const batch = await pollUntil(
    async () => {
      const b = (await call('GET', `/api/batches/${id}`)).body;
      mostRunning = Math.max(mostRunning, b.counts.running);
      return b;
    },
    (b) => b.status !== 'running',
    360_000,
  );
  expect(batch).toMatchObject({ status: 'completed', progress: 100, counts: { completed: 20, failed: 0, cancelled: 0 } });
  expect(mostRunning).toBeLessThanOrEqual(MAX_RUNNING);
  expect(scriptCalls() - scriptsBefore).toBe(18);
  // One video task per scene of the 18 distinct videos (2 scenes each).
  expect(runway.tasks.filter((t) => t.kind === 'video').length - videosBefore).toBe(36);

  // Each item is a video of its own, with its result; the duplicates spent nothing.
  const duplicate = (await call('GET', `/api/videos/${batch.items[18].id}`)).body;
  expect(duplicate).toMatchObject({ status: 'completed', title: 'Fact 0', spend: { credits: 0 } });
  expect(duplicate.spend.reusedSteps).toBe(5);
  expect(batch.items[0].videoUrl).toBe(`/api/videos/${batch.items[0].id}/video`);
});

test("an item's failure fails that item only; an Idempotency-Key makes the batch repeatable", async () => {
  // The next script request is refused for good: exactly one item fails.
  gemini.enqueue({ kind: 'error', status: 400 });
  const body = { items: [100, 101, 102].map(text) };
  const headers = { 'idempotency-key': 'batch-once' };
  const started = await call('POST', '/api/batches', body, headers);
  expect(started.status).toBe(202);
  const batch = await batchEnded(started.body.id);
  expect(batch.counts).toEqual({ queued: 0, running: 0, completed: 2, failed: 1, cancelled: 0 });
  expect(batch.items.find((i: Json) => i.status === 'failed').error).toMatchObject({ type: 'ProviderRejected' });

  const again = await call('POST', '/api/batches', body, headers);
  expect(again.status).toBe(200);
  expect(again.body).toMatchObject({ id: started.body.id, status: 'completed' });
  const other = await call('POST', '/api/batches', { items: [text(103)] }, headers);
  expect(other.status).toBe(409);
});

test('cancelling a batch cancels its running videos and starts no more', async () => {
  const started = await call('POST', '/api/batches', { items: [200, 201, 202, 203, 204, 205, 206, 207].map(text) });
  const id = started.body.id as string;
  await pollUntil(
    async () => (await call('GET', `/api/batches/${id}`)).body,
    (b) => b.counts.running > 0,
    60_000,
  );
  const cancel = await call('POST', `/api/batches/${id}/cancel`);
  expect(cancel.status).toBe(202);
  const batch = await batchEnded(id, 120_000);
  expect(batch.status).toBe('cancelled');
  expect(batch.counts.cancelled).toBeGreaterThanOrEqual(8 - MAX_RUNNING);
  expect(batch.counts.queued + batch.counts.running).toBe(0);
  for (const item of batch.items.filter((i: Json) => i.status === 'cancelled')) {
    const video = await call('GET', `/api/videos/${item.id}`);
    // A cancelled item that had started is a cancelled video; one that never started does not exist.
    expect([200, 404]).toContain(video.status);
    if (video.status === 200) expect(video.body.status).toBe('cancelled');
  }
  expect((await call('POST', `/api/batches/${id}/cancel`)).status).toBe(409);
});

test('a CSV body makes a batch; bad input is a 4xx that says what is wrong', async () => {
  expect(itemsFromCsv('title,text\n"Owls, at night","They hunt. ""Quietly"", too."\nBats,They see by sound.\n')).toEqual([
    { source: { type: 'text', title: 'Owls, at night', text: 'They hunt. "Quietly", too.' } },
    { source: { type: 'text', title: 'Bats', text: 'They see by sound.' } },
  ]);
  expect(itemsFromCsv('pmid\n12345\n67890')).toEqual([
    { source: { type: 'pubmed', pmid: '12345' } },
    { source: { type: 'pubmed', pmid: '67890' } },
  ]);
  const csv = await call('POST', '/api/batches', 'title,text\nMoths,Moths fly toward light.\n', { 'content-type': 'text/csv' });
  expect(csv.status).toBe(202);
  expect(csv.body.items).toHaveLength(1);
  await call('POST', `/api/batches/${csv.body.id}/cancel`);

  const cases: [unknown, Record<string, string>, number, string][] = [
    [{ items: [] }, {}, 400, 'body.items'],
    [{ items: [text(1)], pmids: ['1'] }, {}, 400, 'either items or pmids'],
    [{ pmids: ['01'] }, {}, 400, 'pmid must be 1 to 9 digits'],
    [{ items: Array.from({ length: 101 }, (_, i) => text(i)) }, {}, 400, 'body.items'],
    ['color\nred\n', { 'content-type': 'text/csv' }, 400, 'must name a pmid column'],
    ['pmid\nabc\n', { 'content-type': 'text/csv' }, 400, 'items.0.source.pmid'],
    ['<xml/>', { 'content-type': 'application/xml' }, 415, 'application/json or text/csv'],
  ];
  for (const [body, headers, status, message] of cases) {
    const answer = await call('POST', '/api/batches', body, headers);
    expect([answer.status, answer.body.error?.message]).toEqual([status, expect.stringContaining(message)]);
  }
  expect((await call('GET', '/api/batches/batch-00000000-0000-0000-0000-000000000000')).status).toBe(404);
  expect((await call('GET', '/api/batches/not-a-batch')).status).toBe(404);
});

test('a batch ended without a result (terminated) still lists its items and how each ended', async () => {
  const started = await call('POST', '/api/batches', { items: [300, 301].map(text) });
  await env.client.workflow.getHandle(started.body.id).terminate('operator');
  const batch = (await call('GET', `/api/batches/${started.body.id}`)).body;
  expect(batch).toMatchObject({ id: started.body.id, status: 'cancelled' });
  expect(batch.items.map((i: Json) => i.id)).toEqual(started.body.items.map((i: Json) => i.id));
  for (const item of batch.items) expect(['cancelled', 'running', 'failed', 'completed']).toContain(item.status);
});
