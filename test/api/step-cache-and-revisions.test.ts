/**
 * The step cache and revisions through the real stack: a worker process running src/worker.ts
 * with Gemini and Runway (the real SDKs against fakes on 127.0.0.1), the real HTTP API and a real
 * Temporal server. The fakes' request logs are the witness of what was paid for: the same text
 * started twice pays once, another tenant pays for its own, and a revision pays exactly for the
 * scenes it changed.
 */
import type { FakeGemini } from '../fakes/fake-gemini';
import type { FakeRunway } from '../fakes/fake-runway';
import { startPaidApiStack, type PaidApiStack } from '../helpers/paid-api-stack';
import { pollUntil } from '../helpers/poll';
import type { ServedApp } from '../helpers/serve-app';

jest.setTimeout(240_000);

const KEYS = { alice: 'alice-cache-key-0123456789', bob: 'bob-cache-key-0123456789' };
type Who = keyof typeof KEYS;

let stack: PaidApiStack;
let gemini: FakeGemini;
let runway: FakeRunway;
let api: ServedApp;

beforeAll(async () => {
  stack = await startPaidApiStack({
    name: 'cache',
    runway: { pendingPolls: 0, throttledPolls: 0, runningPolls: 1 },
    workerEnv: { RUNWAY_POLL_INTERVAL_MS: '100' },
    apiEnv: { API_KEYS: `alice:${KEYS.alice},bob:${KEYS.bob}` },
  });
  ({ gemini, runway, api } = stack);
});
afterAll(() => stack?.stop());

type Json = Record<string, any>;
async function call(who: Who, method: string, route: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${api.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${KEYS[who]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}
const finished = (who: Who, id: string) =>
  pollUntil(
    async () => (await call(who, 'GET', `/api/videos/${id}`)).body,
    (s) => ['completed', 'failed', 'cancelled'].includes(s.status),
    180_000,
  );

/** What the fakes were asked to make so far: scripts, narrations, Runway images and videos. */
function paidCalls() {
  const audio = gemini.requests.filter((r) => JSON.stringify(r.body).includes('AUDIO'));
  return {
    scripts: gemini.requests.length - audio.length,
    narrations: audio.map((r) => JSON.stringify(r.body)),
    images: runway.tasks.filter((t) => t.kind === 'image').map((t) => t.promptText),
    videos: runway.tasks.filter((t) => t.kind === 'video').map((t) => t.promptText),
  };
}
const count = (calls: ReturnType<typeof paidCalls>) => ({
  scripts: calls.scripts,
  narrations: calls.narrations.length,
  images: calls.images.length,
  videos: calls.videos.length,
});

async function makeVideo(who: Who, body: Json): Promise<Json> {
  const created = await call(who, 'POST', '/api/videos', body);
  expect(created.status).toBe(202);
  const status = await finished(who, created.body.id);
  expect(status.error).toBeUndefined();
  expect(status.status).toBe('completed');
  return status;
}

const SIX_SCENES = {
  title: 'How bees find their way home',
  scenes: [
    'Bees leave the hive each morning to find flowers.',
    'They remember where the sun stands in the sky.',
    'They count the landmarks they fly past.',
    'A returning bee dances to show the others the way.',
    'The angle of the dance points toward the food.',
    'So the whole hive learns from one good flight.',
  ].map((narration, i) => ({ title: `Step ${i + 1}`, narration, visual: `A drawing of step ${i + 1}: ${narration}` })),
};

describe('the step cache', () => {
  const body = {
    source: { type: 'text', title: 'Why owls hunt at night', text: 'Owls see well in the dark. Their prey is awake at night.' },
  };

  it('the same text started twice pays once: the second run spends nothing and says what it reused', async () => {
    const first = await makeVideo('alice', body);
    const afterFirst = count(paidCalls());
    const scenes = first.scenes.length as number;
    expect(afterFirst).toEqual({ scripts: 1, narrations: scenes, images: scenes, videos: scenes });
    expect(first.spend.credits).toBeGreaterThan(0);
    expect(first.spend.reusedSteps).toBeUndefined();

    const second = await makeVideo('alice', body);
    expect(count(paidCalls())).toEqual(afterFirst);
    expect(second.spend.credits).toBe(0);
    expect(second.spend.tokens).toBeUndefined();
    expect(second.spend.reusedSteps).toBe(1 + 2 * scenes);
    expect(second.spend.savedCredits).toBeGreaterThan(0);
    expect(second.scenes.map((s: Json) => s.reused)).toEqual(Array.from({ length: scenes }, () => ['narration', 'clip']));
    expect(second.result.durationSec).toBeCloseTo(first.result.durationSec, 1);
  });

  it("is kept per tenant: another tenant's identical video pays for its own", async () => {
    const before = count(paidCalls());
    const bobs = await makeVideo('bob', body);
    const after = count(paidCalls());
    expect(after.scripts - before.scripts).toBe(1);
    expect(after.videos - before.videos).toBe(bobs.scenes.length);
    expect(bobs.spend.reusedSteps).toBeUndefined();
  });
});

describe('POST /api/videos/:id/revisions', () => {
  let original: Json;

  beforeAll(async () => {
    gemini.enqueue({ kind: 'json', value: SIX_SCENES });
    original = await makeVideo('alice', {
      source: { type: 'text', title: SIX_SCENES.title, text: 'Bees navigate by the sun and by landmarks.' },
      options: { maxScenes: 6 },
    });
    expect(original.scenes).toHaveLength(6);
  });

  it('redoes exactly the edited scene: one narration, one image, one video, no script', async () => {
    const before = paidCalls();
    const edited = 'A returning bee waggles in a figure of eight to show the way.';
    const revised = await call('alice', 'POST', `/api/videos/${original.id}/revisions`, {
      scenes: [{ index: 3, narration: edited, visual: 'A bee dancing a figure of eight' }],
    });
    expect(revised.status).toBe(202);
    expect(revised.body.revisionOf).toBe(original.id);
    const status = await finished('alice', revised.body.id);
    expect(status.status).toBe('completed');

    const after = paidCalls();
    expect(after.scripts).toBe(before.scripts);
    expect(after.narrations.slice(before.narrations.length)).toEqual([expect.stringContaining('figure of eight to show the way')]);
    expect(after.images.slice(before.images.length)).toEqual(['A bee dancing a figure of eight']);
    expect(after.videos.slice(before.videos.length)).toEqual(['A bee dancing a figure of eight']);
    expect(status.scenes.map((s: Json) => s.reused ?? [])).toEqual([0, 1, 2, 3, 4, 5].map((i) => (i === 3 ? [] : ['narration', 'clip'])));
    expect(status.spend.credits).toBe(30);

    const script = await call('alice', 'GET', `/api/videos/${revised.body.id}/script`);
    expect(script.body.scenes[3]).toMatchObject({ narration: edited, visual: 'A bee dancing a figure of eight' });
    expect(script.body.scenes[2]).toEqual((await call('alice', 'GET', `/api/videos/${original.id}/script`)).body.scenes[2]);
  });

  it('takes a whole edited script too, and refuses what cannot be revised', async () => {
    const script = (await call('alice', 'GET', `/api/videos/${original.id}/script`)).body;
    const before = count(paidCalls());
    const whole = await call('alice', 'POST', `/api/videos/${original.id}/revisions`, { script: { ...script, title: 'Bees, revised' } });
    expect(whole.status).toBe(202);
    expect(await finished('alice', whole.body.id)).toMatchObject({ status: 'completed', title: 'Bees, revised', spend: { credits: 0 } });
    expect(count(paidCalls())).toEqual(before);

    const refusals: [Json, number, string][] = [
      [{ scenes: [{ index: 9, narration: 'No such scene.' }] }, 400, 'no scene 9'],
      [{ scenes: [{ index: 1, narration: '' }] }, 400, 'body.scenes.0.narration'],
      [{ script, scenes: [{ index: 1, title: 'Both' }] }, 400, 'either script or scenes'],
      [{}, 400, 'either script or scenes'],
    ];
    for (const [edit, status, message] of refusals) {
      const answer = await call('alice', 'POST', `/api/videos/${original.id}/revisions`, edit);
      expect([answer.status, answer.body.error.message]).toEqual([status, expect.stringContaining(message)]);
    }
    expect((await call('bob', 'POST', `/api/videos/${original.id}/revisions`, { script })).status).toBe(404);
  });
});
