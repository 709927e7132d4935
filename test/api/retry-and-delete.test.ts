/**
 * Retry and delete through the real stack: a worker process running src/worker.ts with Gemini and
 * Runway (the real SDKs against fakes on 127.0.0.1), the real HTTP API, a real Temporal server.
 * The fakes' request logs are the witness that a retry pays for nothing twice.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FakeGemini } from '../fakes/fake-gemini';
import type { FakeRunway } from '../fakes/fake-runway';
import { startPaidApiStack, type PaidApiStack } from '../helpers/paid-api-stack';
import { pollUntil } from '../helpers/poll';
import type { ServedApp } from '../helpers/serve-app';

jest.setTimeout(240_000);

let stack: PaidApiStack;
let gemini: FakeGemini;
let runway: FakeRunway;
let mediaRoot: string;
let env: TestWorkflowEnvironment;
let api: ServedApp;

beforeAll(async () => {
  stack = await startPaidApiStack({
    name: 'retry',
    // About 2 s per task at 200 ms polls: long enough to cancel mid-clip, short enough to finish fast.
    runway: { pendingPolls: 1, throttledPolls: 0, runningPolls: 8 },
    workerEnv: { RUNWAY_POLL_INTERVAL_MS: '200' },
    // Without the step cache, so that what a retry reuses is only what it took over from its own run
    // (the fakes write the same narrations for every video; test/api/step-cache-and-revisions.test.ts covers the cache).
    apiEnv: { CACHE_SCOPE: 'off' },
  });
  ({ env, gemini, runway, mediaRoot, api } = stack);
});
afterAll(() => stack?.stop());

type Json = Record<string, any>;
async function call(method: string, route: string, body?: unknown): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await fetch(`${api.url}${route}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {}, headers: res.headers };
}
const statusOf = async (id: string) => (await call('GET', `/api/videos/${id}`)).body;
const waitFor = (id: string, done: (s: Json) => boolean, ms = 120_000) => pollUntil(() => statusOf(id), done, ms);
const ended = (s: Json) => ['completed', 'failed', 'cancelled'].includes(s.status);

/** Gemini calls by kind, from the fake's own log. */
const scriptCalls = () => gemini.requests.filter((r) => !JSON.stringify(r.body).includes('AUDIO')).length;
const narrationCalls = () => gemini.requests.filter((r) => JSON.stringify(r.body).includes('AUDIO')).length;
const tasks = (kind: 'image' | 'video') => runway.tasks.filter((t) => t.kind === kind);

function resetLogs(): void {
  gemini.requests.length = 0;
  runway.tasks.length = 0;
  runway.deletedTaskIds.length = 0;
}

const createVideo = async (title: string) => {
  const created = await call('POST', '/api/videos', {
    source: { type: 'text', title, text: 'Bees dance to tell others where flowers are.\n\nThe angle of the dance points at the food.' },
    options: { maxScenes: 3, sceneConcurrency: 1, voice: 'Kore' },
  });
  expect(created.status).toBe(202);
  return created.body.id as string;
};

test('a failed video retried pays only for the step that failed and the steps never reached', async () => {
  resetLogs();
  // Scenes run one at a time; the first video task is flagged, so scene 0's clip fails and the run stops there.
  runway.failNextTask('video', 'SAFETY.INPUT.TEXT', 'The prompt was flagged.');
  const id = await createVideo('A failed run, retried');
  const failed = await waitFor(id, ended);
  expect(failed.status).toBe('failed');
  expect(failed.error.type).toBe('SafetyBlocked');
  // The refused clip reads failed, not cancelled like the steps its failure stopped.
  expect((failed.scenes as Json[]).map((s) => s.clip)).toContain('failed');
  const narratedBefore = (failed.scenes as Json[]).filter((s) => s.narration === 'done').length;
  expect(narratedBefore).toBeGreaterThanOrEqual(1);
  expect(tasks('image')).toHaveLength(1);
  expect(scriptCalls()).toBe(1);

  const retried = await call('POST', `/api/videos/${id}/retry`);
  expect(retried.status).toBe(202);
  expect(retried.body.retryOf).toBe(id);
  expect(retried.headers.get('location')).toBe(`/api/videos/${retried.body.id}`);
  const done = await waitFor(retried.body.id, ended);
  expect(done.status).toBe('completed');
  expect(done.retryOf).toBe(id);
  const scenes = (done.scenes as Json[]).length;

  // Across both runs: one script, one narration per scene, one image per scene (scene 0's was
  // handed over), and one video per scene besides the flagged one, which Runway did not bill.
  expect(scriptCalls()).toBe(1);
  expect(narrationCalls()).toBe(scenes);
  expect(tasks('image')).toHaveLength(scenes);
  expect(tasks('video')).toHaveLength(scenes + 1);
  expect(tasks('video').filter((t) => t.failure)).toHaveLength(1);
  expect(new Set(tasks('image').map((t) => t.promptText)).size).toBe(scenes);
  expect(runway.billedCredits()).toBe(scenes * 30);

  // The new video owns its files: the old one can be deleted without harm to it.
  expect((await call('DELETE', `/api/videos/${id}`)).status).toBe(204);
  const mp4 = await fetch(`${api.url}/api/videos/${retried.body.id}/video`);
  expect(mp4.status).toBe(200);
  expect((await mp4.arrayBuffer()).byteLength).toBe(done.result.bytes);

  // Only a failed or cancelled video can be retried.
  const again = await call('POST', `/api/videos/${retried.body.id}/retry`);
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('not_retryable');
});

test('a cancelled video keeps what it finished, and its retry takes it over', async () => {
  resetLogs();
  const id = await createVideo('A cancelled run, retried');
  // Cancel once scene 0's clip is done and scene 1's is under way.
  await waitFor(id, (s) => s.scenes?.[0]?.clip === 'done' && s.scenes?.[1]?.clip === 'running', 60_000);
  expect((await call('POST', `/api/videos/${id}/cancel`)).status).toBe(202);
  const cancelled = await waitFor(id, ended);
  expect(cancelled.status).toBe('cancelled');
  // The finished narrations and clip are still stored.
  const kept = await fs.readdir(path.join(mediaRoot, id));
  expect(kept).toContain('scene-00.clip.mp4');
  expect(kept).toContain('scene-00.wav');
  const billedBefore = runway.billedCredits();

  const retried = await call('POST', `/api/videos/${id}/retry`);
  expect(retried.status).toBe(202);
  const done = await waitFor(retried.body.id, ended);
  expect(done.status).toBe('completed');
  const scenes = (done.scenes as Json[]).length;

  expect(scriptCalls()).toBe(1);
  expect(narrationCalls()).toBe(scenes);
  // Scene 0 was not submitted again; tasks deleted by the cancel were never finished, so never billed.
  expect(runway.tasks.filter((t) => t.promptText === tasks('video')[0]?.promptText && t.kind === 'video')).toHaveLength(1);
  expect(runway.billedCredits()).toBe(scenes * 30);
  expect(runway.billedCredits()).toBeGreaterThan(billedBefore);
});

test('DELETE removes a video, running or not: its files go and it leaves the list', async () => {
  resetLogs();
  const running = await createVideo('Deleted while running');
  await waitFor(running, (s) => s.scenes?.[0]?.clip === 'running', 60_000);
  const deleted = await call('DELETE', `/api/videos/${running}`);
  expect(deleted.status).toBe(204);
  expect(await fs.readdir(path.join(mediaRoot, running)).catch(() => [])).toEqual([]);
  // Runway's open tasks were deleted by the cancel, so nothing more is billed for this video.
  expect(runway.deletedTaskIds.length).toBeGreaterThanOrEqual(1);
  // Gone at once from this API, although Temporal deletes the run's history a little later.
  expect((await call('GET', `/api/videos/${running}`)).status).toBe(404);
  const listed = ((await call('GET', '/api/videos?limit=100')).body.items as Json[]).map((i) => i.id);
  expect(listed).not.toContain(running);
  await pollUntil(
    () =>
      env.client.workflow
        .getHandle(running)
        .describe()
        .then(
          () => 'still there',
          (err: Error) => err.name,
        ),
    (outcome) => outcome === 'WorkflowNotFoundError',
    120_000,
    1_000,
  );
  const gone = await call('DELETE', `/api/videos/${running}`);
  expect(gone.status).toBe(404);
  expect(gone.body.error.code).toBe('not_found');
});
