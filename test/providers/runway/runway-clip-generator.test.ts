import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { RunwayClipGenerator } from '../../../src/providers/runway/runway-clip-generator';
import { createRunwayClient } from '../../../src/providers/runway/create-runway-client';
import type { ClipCheckpoint, GenerateClipRequest } from '../../../src/providers/contracts';
import { ProviderTaskFailedError, ProviderUnavailableError, RateLimitedError, SafetyBlockedError } from '../../../src/providers/errors';
import type { Scene } from '../../../src/shared/video';
import { probeMedia } from '../../../src/media/probe';
import { startFakeRunway, type FakeRunway } from '../../fakes/fake-runway';

let sceneCounter = 0;
function uniqueScene(): Scene {
  sceneCounter += 1;
  return {
    index: sceneCounter,
    title: `Scene ${sceneCounter}`,
    narration: 'Words.',
    visual: `A lighthouse at dusk, take ${sceneCounter}-${Date.now()}`,
  };
}

interface Recorded {
  request: GenerateClipRequest;
  checkpoints: ClipCheckpoint[];
  progress: number[];
}

describe('RunwayClipGenerator', () => {
  let fake: FakeRunway;
  let generator: RunwayClipGenerator;
  let dir: string;

  function clipRequest(overrides: Partial<GenerateClipRequest> = {}): Recorded {
    const checkpoints: ClipCheckpoint[] = [];
    const progress: number[] = [];
    const request: GenerateClipRequest = {
      scene: uniqueScene(),
      outPath: path.join(dir, `clip-${sceneCounter}.mp4`),
      signal: new AbortController().signal,
      onCheckpoint: (c) => checkpoints.push(c),
      onProgress: (f) => progress.push(f),
      ...overrides,
    };
    return { request, checkpoints, progress };
  }

  beforeAll(async () => {
    fake = await startFakeRunway({ pendingPolls: 1, throttledPolls: 1, runningPolls: 2 });
    generator = new RunwayClipGenerator({
      client: createRunwayClient({ apiKey: 'test-key', baseUrl: fake.url }),
      imageModel: 'gen4_image',
      videoModel: 'gen4_turbo',
      ratio: '1280:720',
      durationSec: 5,
      pollIntervalMs: 5,
    });
    dir = await mkdtemp(path.join(os.tmpdir(), 'runway-clip-'));
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('estimates 5 credits per second of gen4_turbo video', () => {
    expect(generator.estimateCredits(uniqueScene())).toBe(25);
  });

  it('goes text → image → video, checkpoints each task, reports progress and downloads the MP4', async () => {
    const { request, checkpoints, progress } = clipRequest();
    const { spend } = await generator.generateClip(request);

    const info = await probeMedia(request.outPath);
    expect(info.video?.codec).toBe('h264');
    const [image, video] = fake.tasks.filter((t) => t.promptText === request.scene.visual);
    expect(image).toMatchObject({ kind: 'image', model: 'gen4_image', ratio: '1280:720' });
    expect(video).toMatchObject({ kind: 'video', model: 'gen4_turbo', duration: 5, promptImage: `${fake.url}/outputs/${image?.id}.png` });
    expect(checkpoints).toEqual([{ imageTaskId: image?.id }, { imageTaskId: image?.id, taskId: video?.id, credits: 25 }]);
    expect(progress.length).toBeGreaterThan(4);
    expect(progress.every((p, i) => p >= 0 && p <= 1 && (i === 0 || p >= (progress[i - 1] ?? 0)))).toBe(true);
    expect(progress.at(-1)).toBe(1);
    expect(spend.credits).toBe(25);
  });

  it('resumes polling a checkpointed video task without creating any task', async () => {
    const first = clipRequest();
    await generator.generateClip(first.request);
    const saved = first.checkpoints.at(-1);
    const before = fake.tasks.length;

    const retry = clipRequest({ scene: first.request.scene, resume: saved, outPath: path.join(dir, 'resumed.mp4') });
    await generator.generateClip(retry.request);

    expect(fake.tasks).toHaveLength(before);
    expect(fake.videoTasksFor(first.request.scene.visual ?? '')).toHaveLength(1);
    expect((await probeMedia(retry.request.outPath)).video).toBeDefined();
    expect(retry.checkpoints).toEqual([]);
  });

  it('resumes a checkpointed image task and only creates the video task', async () => {
    const scene = uniqueScene();
    const { id: imageTaskId } = await createImageOnly(scene);
    const retry = clipRequest({ scene, resume: { imageTaskId } });
    await generator.generateClip(retry.request);
    expect(fake.tasks.filter((t) => t.promptText === scene.visual).map((t) => t.kind)).toEqual(['image', 'video']);
    expect(retry.checkpoints[0]).toMatchObject({ imageTaskId });
  });

  async function createImageOnly(scene: Scene): Promise<{ id: string }> {
    const client = createRunwayClient({ apiKey: 'test-key', baseUrl: fake.url });
    return client.textToImage.create({ model: 'gen4_image', promptText: scene.visual ?? scene.title, ratio: '1280:720' });
  }

  it('turns a SAFETY failure into a non-retryable SafetyBlockedError', async () => {
    fake.failNextTask('video', 'SAFETY.INPUT.TEXT', 'The prompt was flagged.');
    const { request } = clipRequest();
    const err = await generator.generateClip(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SafetyBlockedError);
    expect((err as SafetyBlockedError).retryable).toBe(false);
    expect(await readdir(dir)).not.toContain(path.basename(request.outPath));
  });

  it('makes an INTERNAL failure retryable and drops the failed task from the checkpoint', async () => {
    fake.failNextTask('video', 'INTERNAL.BAD_OUTPUT.CODE01');
    const { request, checkpoints } = clipRequest();
    const err = await generator.generateClip(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderTaskFailedError);
    expect((err as ProviderTaskFailedError).retryable).toBe(true);
    const last = checkpoints.at(-1);
    expect(last?.taskId).toBeUndefined();
    expect(last?.imageTaskId).toBe(checkpoints[0]?.imageTaskId);

    const retry = clipRequest({ scene: request.scene, resume: last });
    await generator.generateClip(retry.request);
    expect(fake.tasks.filter((t) => t.promptText === request.scene.visual).map((t) => t.kind)).toEqual(['image', 'video', 'video']);
  });

  it('makes other failures non-retryable', async () => {
    fake.failNextTask('image', 'INPUT_PREPROCESSING.UNSUPPORTED');
    const err = await generator.generateClip(clipRequest().request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderTaskFailedError);
    expect((err as ProviderTaskFailedError).retryable).toBe(false);
  });

  it('turns 429 into RateLimitedError with the Retry-After delay, after one request', async () => {
    fake.failNextCreate({ status: 429, retryAfterSec: 7 });
    const before = fake.requests.length;
    const err = await generator.generateClip(clipRequest().request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(7000);
    expect(fake.requests.length - before).toBe(1);
  });

  it('turns 5xx into ProviderUnavailableError', async () => {
    fake.failNextCreate({ status: 502 });
    await expect(generator.generateClip(clipRequest().request)).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('deletes the running task and rejects with the abort reason when aborted', async () => {
    const slow = await startFakeRunway({ runningPolls: 10_000 });
    try {
      const slowGenerator = new RunwayClipGenerator({
        client: createRunwayClient({ apiKey: 'test-key', baseUrl: slow.url }),
        imageModel: 'gen4_image',
        videoModel: 'gen4_turbo',
        ratio: '1280:720',
        durationSec: 5,
        pollIntervalMs: 5,
      });
      const controller = new AbortController();
      const { request } = clipRequest({ signal: controller.signal });
      const pending = slowGenerator.generateClip(request);
      const deadline = Date.now() + 10_000;
      while (!slow.tasks.some((t) => t.polls > 3) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const reason = new Error('cancelled by test');
      controller.abort(reason);
      await expect(pending).rejects.toBe(reason);
      expect(slow.deletedTaskIds).toEqual([slow.tasks[0]?.id]);
    } finally {
      await slow.close();
    }
  });
});
