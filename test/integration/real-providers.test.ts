/**
 * The whole stack with every paid provider, through the real SDKs, against fake Gemini, Runway
 * and PubMed servers on 127.0.0.1 — with throttling, a 429 and a 503 along the way.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadConfig } from '../../src/config';
import { probeMedia } from '../../src/media/probe';
import { createProviders } from '../../src/providers/create-providers';
import { startFakeGemini, type FakeGemini } from '../fakes/fake-gemini';
import { startFakePubmed, type FakePubmed } from '../fakes/fake-pubmed';
import { startFakeRunway, type FakeRunway } from '../fakes/fake-runway';
import { pollUntil } from '../helpers/poll';
import { startTestEnv } from '../helpers/temporal-test-env';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';

let env: TestWorkflowEnvironment;
let gemini: FakeGemini;
let runway: FakeRunway;
let pubmed: FakePubmed;
let stack: VideoStack;

beforeAll(async () => {
  [env, gemini, runway, pubmed] = await Promise.all([
    startTestEnv(),
    startFakeGemini({ apiKey: 'test-gemini-key' }),
    startFakeRunway({ apiKey: 'test-runway-key', pendingPolls: 1, throttledPolls: 2, runningPolls: 2 }),
    startFakePubmed(),
  ]);
  const providerEnv = {
    GEMINI_API_KEY: 'test-gemini-key',
    GOOGLE_GEMINI_BASE_URL: gemini.url,
    RUNWAYML_API_SECRET: 'test-runway-key',
    RUNWAYML_BASE_URL: runway.url,
    RUNWAY_POLL_INTERVAL_MS: '100',
    PUBMED_BASE_URL: pubmed.url,
  };
  const providerConfig = loadConfig(providerEnv);
  stack = await startVideoStack(env, {
    api: true,
    // The test compares each scene's clip with the fake Runway's output after the render.
    env: { ...providerEnv, KEEP_INTERMEDIATE_FILES: 'true' },
    deps: () => createProviders(providerConfig, { geminiFetch: (input, init) => fetch(input, init) }),
  });
});
afterAll(async () => {
  await stack?.stop();
  await Promise.all([env?.teardown(), gemini?.close(), runway?.close(), pubmed?.close()]);
});

async function createVideo(body: unknown): Promise<string> {
  const res = await fetch(`${stack.apiUrl}/api/videos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const finished = (id: string) =>
  pollUntil(
    async () => (await (await fetch(`${stack.apiUrl}/api/videos/${id}`)).json()) as Record<string, any>,
    (s) => ['completed', 'failed', 'cancelled'].includes(s.status),
    120_000,
  );

test('a PubMed paper becomes a video with Gemini narration and the Runway clips, each scene submitted once', async () => {
  pubmed.failNext({ status: 503 });
  gemini.enqueue({ kind: 'error', status: 503 });
  runway.failNextCreate({ status: 429, retryAfterSec: 1 });
  const id = await createVideo({ source: { type: 'pubmed', pmid: '31000001' }, options: { maxScenes: 3 } });
  const status = await finished(id);

  expect(status.status).toBe('completed');
  // Spend is the providers' bill: Runway's credits as the fake reports them, Gemini's tokens.
  expect(status.spend.credits).toBe(runway.billedCredits());
  expect(status.spend.billedCredits).toBe(runway.billedCredits());
  expect(status.spend.tokens).toBeGreaterThan(0);
  const video = await probeMedia(stack.store.path(id, 'video.mp4'));
  expect(video.video).toEqual(expect.objectContaining({ codec: 'h264', width: 1280, height: 720 }));
  expect(video.audio?.codec).toBe('aac');

  const script = JSON.parse(await (await import('node:fs/promises')).readFile(stack.store.path(id, 'script.json'), 'utf8'));
  for (const scene of script.scenes as { index: number; visual?: string; title: string }[]) {
    // The clip in the media folder is the fake Runway's output (640x360 test pattern), not a drawn one.
    const clip = await probeMedia(stack.store.path(id, `scene-${String(scene.index).padStart(2, '0')}.clip.mp4`));
    expect(clip.video).toEqual(expect.objectContaining({ width: 640, height: 360 }));
    expect(runway.videoTasksFor(scene.visual ?? scene.title)).toHaveLength(1);
  }
  expect(pubmed.requests.filter((r) => r.status === 503)).toHaveLength(1);
  expect(runway.requests.filter((r) => r.status === 429)).toHaveLength(1);
  expect(gemini.requests.filter((r) => r.status === 503)).toHaveLength(1);
  expect(gemini.requests.filter((r) => r.body.generationConfig?.responseModalities?.includes('AUDIO'))).toHaveLength(script.scenes.length);
});

test('a Gemini safety block fails the run at writing_script with SafetyBlocked and no retry', async () => {
  const before = gemini.requests.length;
  gemini.enqueue({ kind: 'prompt-blocked', blockReason: 'SAFETY' });
  const id = await createVideo({ source: { type: 'text', title: 'Blocked', text: 'Some text that the fake will block.' } });
  const status = await finished(id);
  expect(status.status).toBe('failed');
  expect(status.error).toEqual(expect.objectContaining({ type: 'SafetyBlocked', stage: 'writing_script' }));
  expect(gemini.requests.length - before).toBe(1);
});

test('a Runway safety failure fails the run at generating_clips with SafetyBlocked', async () => {
  runway.failNextTask('video', 'SAFETY.INPUT.TEXT', 'Prompt flagged');
  const id = await createVideo({
    source: { type: 'text', title: 'Unsafe clip', text: 'One short scene.' },
    options: { maxScenes: 2, sceneConcurrency: 1 },
  });
  const status = await finished(id);
  expect(status.status).toBe('failed');
  expect(status.error).toEqual(
    expect.objectContaining({ type: 'SafetyBlocked', stage: expect.stringMatching(/narrating|generating_clips/) }),
  );
});

test('a budget too small for the clips stops the run before anything is submitted to Runway', async () => {
  const tasksBefore = runway.tasks.length;
  const id = await createVideo({
    source: { type: 'text', title: 'Budget', text: 'A scene that costs credits.' },
    options: { maxCredits: 1 },
  });
  const status = await finished(id);
  expect(status.status).toBe('failed');
  expect(status.error.type).toBe('BudgetExceeded');
  expect(runway.tasks.length).toBe(tasksBefore);
});
