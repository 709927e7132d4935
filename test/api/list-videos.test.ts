import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { pollUntil } from '../helpers/poll';
import { startTestEnv } from '../helpers/temporal-test-env';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';

let env: TestWorkflowEnvironment;
let stack: VideoStack;
/** Oldest first: v[0] … v[4]. v[1] and v[3] are cancelled, v[3] before v[1]; the rest await review. */
const v: string[] = [];

const get = async (path: string) => {
  const res = await fetch(`${stack.apiUrl}${path}`);
  return { status: res.status, body: (await res.json()) as any };
};
const ids = (items: { id: string }[]) => items.map((i) => i.id);

async function waitFor(id: string, done: (s: any) => boolean) {
  await pollUntil(async () => (await get(`/api/videos/${id}`)).body, done);
}

beforeAll(async () => {
  env = await startTestEnv();
  stack = await startVideoStack(env, { api: true });
  // Review holds each run at awaiting_review, so the list mixes open and closed runs cheaply.
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${stack.apiUrl}/api/videos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        source: { type: 'text', title: `Video ${i}`, text: 'Plants turn light into sugar.' },
        options: { review: true },
      }),
    });
    v.push(((await res.json()) as { id: string }).id);
    // Start times one apart in order, even on a coarse clock.
    await waitFor(v[i]!, (s) => s.stage === 'awaiting_review');
  }
  // SQL visibility lists closed runs by close time: cancelling the older one last would put it first.
  for (const id of [v[3]!, v[1]!]) {
    await fetch(`${stack.apiUrl}/api/videos/${id}/cancel`, { method: 'POST' });
    await waitFor(id, (s) => s.status === 'cancelled');
  }
  await pollUntil(
    async () => (await get('/api/videos?limit=10')).body.items as { status: string; stage: string }[],
    (items) =>
      items.length === 5 &&
      items.filter((i) => i.status === 'cancelled').length === 2 &&
      items.filter((i) => i.status === 'running').length === 3,
  );
});
afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

test('pages of two walk through five videos newest first, open and closed alike, and the last page has no cursor', async () => {
  const seen: string[] = [];
  const pageSizes: number[] = [];
  let cursor: string | null = null;
  do {
    const page = await get(`/api/videos?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(page.status).toBe(200);
    seen.push(...ids(page.body.items));
    pageSizes.push(page.body.items.length);
    cursor = page.body.nextCursor;
  } while (cursor);
  expect(pageSizes).toEqual([2, 2, 1]);
  expect(seen).toEqual([...v].reverse());
});

test('a cursor keeps its place when a newer video is created between pages', async () => {
  const first = await get('/api/videos?limit=2');
  const res = await fetch(`${stack.apiUrl}/api/videos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ source: { type: 'text', title: 'Newest', text: 'Late arrival.' }, options: { review: true } }),
  });
  const newest = ((await res.json()) as { id: string }).id;
  await pollUntil(
    async () => ids((await get('/api/videos?limit=1')).body.items),
    (i) => i[0] === newest,
  );

  const second = await get(`/api/videos?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
  expect(ids(second.body.items)).toEqual([v[2], v[1]]);
  await fetch(`${stack.apiUrl}/api/videos/${newest}/cancel`, { method: 'POST' });
  await waitFor(newest, (s) => s.status === 'cancelled');
});

test('filters by run status and by stage keep the newest-first order', async () => {
  const cancelled = await get('/api/videos?status=cancelled');
  expect(ids(cancelled.body.items).filter((id) => v.includes(id))).toEqual([v[3], v[1]]);
  expect(cancelled.body.items.every((i: { status: string }) => i.status === 'cancelled')).toBe(true);

  const running = await get('/api/videos?status=running&limit=2');
  expect(ids(running.body.items)).toEqual([v[4], v[2]]);
  const rest = await get(`/api/videos?status=running&limit=2&cursor=${encodeURIComponent(running.body.nextCursor)}`);
  expect(ids(rest.body.items)).toEqual([v[0]]);
  expect(rest.body.nextCursor).toBeNull();

  const reviewing = await get('/api/videos?stage=awaiting_review&status=running');
  expect(ids(reviewing.body.items)).toEqual([v[4], v[2], v[0]]);
  const atStage = await get('/api/videos?stage=awaiting_review');
  expect(ids(atStage.body.items).filter((id) => v.includes(id))).toEqual([...v].reverse());
  expect((await get('/api/videos?stage=rendering')).body).toEqual({ items: [], nextCursor: null });
  expect((await get('/api/videos?status=completed')).body).toEqual({ items: [], nextCursor: null });
});

test('a bad status, limit or cursor gets 400 naming the parameter', async () => {
  for (const [query, field] of [
    ['status=sleeping', 'query.status'],
    ['stage=nap', 'query.stage'],
    ['limit=0', 'query.limit'],
    ['limit=abc', 'query.limit'],
    ['cursor=not-a-cursor', 'query.cursor'],
    ['colour=red', 'query'],
  ] as const) {
    const res = await get(`/api/videos?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(field);
  }
});
