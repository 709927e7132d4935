/**
 * Scheduled and recurring videos through the real stack: Temporal Schedules on a real server fire
 * `scheduledStart` runs in a worker process (src/worker.ts, Gemini and Runway fakes), which start
 * ordinary videos and batches that the HTTP API then follows to the end.
 */
import { startPaidApiStack, type PaidApiStack } from '../helpers/paid-api-stack';
import { pollUntil } from '../helpers/poll';

jest.setTimeout(240_000);

const KEYS = { alice: 'alice-schedule-key-0123456789', bob: 'bob-schedule-key-0123456789' };
type Who = keyof typeof KEYS;

let stack: PaidApiStack;

beforeAll(async () => {
  stack = await startPaidApiStack({
    name: 'schedules',
    runway: { pendingPolls: 0, throttledPolls: 0, runningPolls: 1 },
    workerEnv: { RUNWAY_POLL_INTERVAL_MS: '100' },
    apiEnv: { API_KEYS: `alice:${KEYS.alice},bob:${KEYS.bob}` },
  });
});
afterAll(() => stack?.stop());

type Json = Record<string, any>;
async function call(who: Who, method: string, route: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${stack.api.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${KEYS[who]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}
const video = (title: string) => ({ source: { type: 'text', title, text: `${title} is a short video.` }, options: { maxScenes: 2 } });
const inSeconds = (sec: number) => new Date(Date.now() + sec * 1000).toISOString().replace(/\.\d+Z$/, 'Z');

test('a video at a given time: it starts then, as an ordinary video that completes', async () => {
  const at = inSeconds(4);
  const created = await call('alice', 'POST', '/api/schedules', { video: video('Tides at noon'), at, note: 'once' });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({
    kind: 'video',
    paused: false,
    note: 'once',
    remainingRuns: 1,
    when: { at },
    nextRunsAt: [new Date(at).toISOString()],
  });
  const id = created.body.id as string;

  const fired = await pollUntil(
    async () => (await call('alice', 'GET', `/api/schedules/${id}`)).body,
    (s) => s.recentRuns.length === 1,
    60_000,
  );
  const run = fired.recentRuns[0];
  expect(run.url).toBe(`/api/videos/${run.id}`);
  expect(Date.parse(run.scheduledAt)).toBe(Date.parse(at));
  const status = await pollUntil(
    async () => (await call('alice', 'GET', run.url)).body,
    (s) => ['completed', 'failed', 'cancelled'].includes(s.status),
    120_000,
  );
  expect(status).toMatchObject({ status: 'completed', title: 'Tides at noon', tenant: 'alice' });
  expect(fired.nextRunsAt).toEqual([]);
  // The tenant's list has it; another tenant's does not, and cannot read it.
  expect((await call('alice', 'GET', '/api/schedules')).body.schedules.map((s: Json) => s.id)).toContain(id);
  expect((await call('bob', 'GET', '/api/schedules')).body.schedules).toEqual([]);
  expect((await call('bob', 'GET', `/api/schedules/${id}`)).status).toBe(404);
  expect((await call('bob', 'DELETE', `/api/schedules/${id}`)).status).toBe(404);
});

test('a recurring schedule is paused, resumed and deleted; a paused one starts nothing', async () => {
  const created = await call('alice', 'POST', '/api/schedules', { video: video('Every few seconds'), every: '3s', paused: true });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  await new Promise((resolve) => setTimeout(resolve, 4_000));
  expect((await call('alice', 'GET', `/api/schedules/${id}`)).body.recentRuns).toEqual([]);

  const resumed = await call('alice', 'POST', `/api/schedules/${id}/resume`);
  expect(resumed.body.paused).toBe(false);
  const fired = await pollUntil(
    async () => (await call('alice', 'GET', `/api/schedules/${id}`)).body,
    (s) => s.recentRuns.length >= 1,
    30_000,
  );
  expect((await call('alice', 'POST', `/api/schedules/${id}/pause`)).body.paused).toBe(true);
  expect((await call('alice', 'DELETE', `/api/schedules/${id}`)).status).toBe(204);
  expect((await call('alice', 'GET', `/api/schedules/${id}`)).status).toBe(404);
  // What it started lives on as videos of their own; cancel them so the suite stays short.
  for (const run of fired.recentRuns) {
    const started = await pollUntil(
      async () => call('alice', 'GET', run.url),
      (r) => r.status === 200,
      30_000,
    );
    expect(started.body.title).toBe('Every few seconds');
    await call('alice', 'POST', `${run.url}/cancel`);
  }
});

test('a cron schedule in a time zone, and a scheduled batch', async () => {
  const weekly = await call('alice', 'POST', '/api/schedules', { video: video('Weekly'), cron: '0 9 * * MON', timezone: 'Europe/Paris' });
  expect(weekly.status).toBe(201);
  expect(weekly.body.when).toEqual({ cron: '0 9 * * MON', timezone: 'Europe/Paris' });
  for (const next of weekly.body.nextRunsAt as string[]) {
    const when = new Date(next);
    expect(when.getUTCDay()).toBe(1);
    // 9:00 in Paris is 8:00 UTC in winter and 7:00 in summer.
    expect([7, 8]).toContain(when.getUTCHours());
  }
  await call('alice', 'DELETE', `/api/schedules/${weekly.body.id}`);

  const batch = await call('alice', 'POST', '/api/schedules', {
    batch: { items: [video('Batch one'), video('Batch two')] },
    at: inSeconds(3),
  });
  expect(batch.status).toBe(201);
  expect(batch.body.kind).toBe('batch');
  const fired = await pollUntil(
    async () => (await call('alice', 'GET', `/api/schedules/${batch.body.id}`)).body,
    (s) => s.recentRuns.length === 1,
    60_000,
  );
  expect(fired.recentRuns[0].url).toMatch(/^\/api\/batches\/batch-/);
  const ended = await pollUntil(
    async () => call('alice', 'GET', fired.recentRuns[0].url),
    (r) => r.status === 200 && r.body.status !== 'running',
    180_000,
  );
  expect(ended.body).toMatchObject({ status: 'completed', counts: { completed: 2 } });
});

test('a saved PubMed search: each firing makes a video of each new paper, and a paper found again is not made again', async () => {
  const created = await call('alice', 'POST', '/api/schedules', {
    search: { term: 'shift workers', papers: 1, options: { maxScenes: 2 } },
    every: '3s',
  });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ kind: 'search', search: { term: 'shift workers', papers: 1 } });
  const id = created.body.id as string;
  const paperVideo = (pmid: string) => `video-${id}-pmid-${pmid}`;
  const schedule = stack.env.client.schedule.getHandle(id);
  const firings = async () => (await schedule.describe()).info.recentActions.length;
  const madeBy = async () => (await call('alice', 'GET', `/api/schedules/${id}`)).body.recentRuns.map((r: Json) => r.id) as string[];

  // The newest matching paper is made once, however many firings find it while and after it is made.
  await pollUntil(madeBy, (ids) => ids.includes(paperVideo('31000001')), 60_000);
  const first = await pollUntil(
    async () => (await call('alice', 'GET', `/api/videos/${paperVideo('31000001')}`)).body,
    (s) => ['completed', 'failed', 'cancelled'].includes(s.status),
    120_000,
  );
  expect(first).toMatchObject({ status: 'completed', tenant: 'alice', title: expect.stringContaining('shift workers') });
  const seen = await firings();
  await pollUntil(firings, (n) => n >= seen + 2, 30_000);
  expect(await madeBy()).toEqual([paperVideo('31000001')]);

  // A newer paper matching the search is made by the next firing.
  await stack.pubmed.publish('31000099', '31000001');
  await pollUntil(madeBy, (ids) => ids.includes(paperVideo('31000099')), 60_000);
  await call('alice', 'DELETE', `/api/schedules/${id}`);
  const second = await pollUntil(
    async () => (await call('alice', 'GET', `/api/videos/${paperVideo('31000099')}`)).body,
    (s) => ['completed', 'failed', 'cancelled'].includes(s.status),
    120_000,
  );
  expect(second.status).toBe('completed');

  // PubMed's log: every firing searched, newest first, one paper; each paper was fetched once.
  const searches = stack.pubmed.requests.filter((r) => r.path === '/esearch.fcgi');
  expect(searches.length).toBeGreaterThanOrEqual(seen + 3);
  for (const r of searches)
    expect(r.params).toMatchObject({ db: 'pubmed', term: 'shift workers', retmax: '1', sort: 'pub_date', retmode: 'json' });
  const fetched = stack.pubmed.requests.filter((r) => r.path === '/efetch.fcgi').map((r) => r.params.id);
  expect(fetched.sort()).toEqual(['31000001', '31000099']);
});

test('bad schedules are a 4xx that says what is wrong', async () => {
  const cases: [Json, number, string][] = [
    [{ video: video('x') }, 400, 'exactly one of at, cron and every'],
    [{ video: video('x'), at: inSeconds(60), cron: '0 9 * * *' }, 400, 'exactly one of at, cron and every'],
    [{ at: inSeconds(60) }, 400, 'exactly one of video, batch and search'],
    [{ video: video('x'), search: { term: 'sleep' }, every: '1d' }, 400, 'exactly one of video, batch and search'],
    [{ search: { term: ' ' }, every: '1d' }, 400, 'body.search.term'],
    [{ search: { term: 'sleep', papers: 11 }, every: '1d' }, 400, 'body.search.papers'],
    [{ video: video('x'), at: '2020-01-01T00:00:00Z' }, 400, 'the time has passed'],
    [{ video: video('x'), at: 'tomorrow' }, 400, 'body.at'],
    [{ video: video('x'), every: '5 minutes' }, 400, 'every must be a number and a unit'],
    [{ video: video('x'), cron: 'not a cron at all' }, 400, 'The schedule was refused'],
    [{ video: video('x'), cron: '0 9 * * *', timezone: 'Mars/Olympus' }, 400, 'The schedule was refused'],
    [{ video: { source: { type: 'pubmed', pmid: '0' } }, every: '1d' }, 400, 'pmid'],
  ];
  for (const [body, status, message] of cases) {
    const answer = await call('alice', 'POST', '/api/schedules', body);
    expect([answer.status, answer.body.error?.message]).toEqual([status, expect.stringContaining(message)]);
  }
});
