import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { RunwayClipGenerator, type RunwayClipGeneratorOptions } from '../../../src/providers/runway/runway-clip-generator';
import { createRunwayClient } from '../../../src/providers/runway/create-runway-client';
import {
  ProviderRejectedError,
  ProviderTaskFailedError,
  ProviderUnavailableError,
  RateLimitedError,
  SafetyBlockedError,
  SubmissionUnconfirmedError,
  TaskFailedTransientError,
} from '../../../src/providers/errors';
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
    visual: `A lighthouse at dusk, take ${sceneCounter}-${randomUUID().slice(0, 8)}`,
  };
}

/** A generator against `baseUrl` with the project's models; options override the defaults. */
function runwayGenerator(baseUrl: string, overrides: Partial<RunwayClipGeneratorOptions> = {}): RunwayClipGenerator {
  return new RunwayClipGenerator({
    client: createRunwayClient({ apiKey: 'test-key', baseUrl }),
    imageModel: 'gen4_image',
    videoModel: 'gen4_turbo',
    ratio: '1280:720',
    durationSec: 5,
    pollIntervalMs: 5,
    ...overrides,
  });
}

const noProgress = (): void => undefined;
const liveSignal = (): AbortSignal => new AbortController().signal;
const errorOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (err: unknown) => err,
  );

/** A port on this machine that nothing listens on: bound by a server that is then closed. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  return port;
}

describe('RunwayClipGenerator', () => {
  let fake: FakeRunway;
  let generator: RunwayClipGenerator;
  let dir: string;

  beforeAll(async () => {
    fake = await startFakeRunway({ pendingPolls: 1, throttledPolls: 1, runningPolls: 2 });
    generator = runwayGenerator(fake.url);
    dir = await mkdtemp(path.join(os.tmpdir(), 'runway-clip-'));
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  const tasksFor = (scene: Scene) => fake.tasks.filter((t) => t.promptText === scene.visual);
  const clipPath = (scene: Scene, label = 'clip') => path.join(dir, `${label}-${scene.index}.mp4`);

  /** Submits and awaits the image step; resolves with its output, the video's starting image. */
  async function makeImage(scene: Scene): Promise<string> {
    const { taskId } = await generator.submit({ scene, step: 'image', inputs: {} });
    const { output } = await generator.await({ scene, step: 'image', taskId, signal: liveSignal(), onProgress: noProgress });
    if (!output) throw new Error('the image step handed back no output');
    return output;
  }

  describe('plan', () => {
    it('quotes the image at 5 credits and 5 s of gen4_turbo video at 5 credits a second by default', () => {
      expect(generator.plan(uniqueScene())).toEqual([
        { name: 'image', credits: 5 },
        { name: 'video', credits: 25 },
      ]);
    });

    it('quotes the configured image price and duration × price per second', () => {
      const priced = runwayGenerator(fake.url, { imageCredits: 8, videoCreditsPerSecond: 12, durationSec: 10 });
      expect(priced.plan(uniqueScene()).map((s) => s.credits)).toEqual([8, 120]);
    });
  });

  describe('steps', () => {
    it('goes text → image → video with the configured models, ratio and duration, and downloads the MP4', async () => {
      const scene = uniqueScene();
      const progress: number[] = [];
      const onProgress = (f: number) => progress.push(f);

      const image = await generator.submit({ scene, step: 'image', inputs: {} });
      const imageOutcome = await generator.await({ scene, step: 'image', taskId: image.taskId, signal: liveSignal(), onProgress });
      const video = await generator.submit({ scene, step: 'video', inputs: { image: imageOutcome.output ?? '' } });
      const videoOutcome = await generator.await({
        scene,
        step: 'video',
        taskId: video.taskId,
        outPath: clipPath(scene),
        signal: liveSignal(),
        onProgress,
      });

      expect(tasksFor(scene)).toEqual([
        expect.objectContaining({ id: image.taskId, kind: 'image', model: 'gen4_image', ratio: '1280:720' }),
        expect.objectContaining({
          id: video.taskId,
          kind: 'video',
          model: 'gen4_turbo',
          ratio: '1280:720',
          duration: 5,
          promptImage: `${fake.url}/outputs/${image.taskId}.png`,
        }),
      ]);
      expect(imageOutcome.output).toBe(`${fake.url}/outputs/${image.taskId}.png`);
      expect(videoOutcome.output).toBeUndefined();
      expect((await probeMedia(clipPath(scene))).video?.codec).toBe('h264');
      expect(progress.length).toBeGreaterThan(4);
      expect(progress.filter((p) => !(p >= 0 && p <= 1))).toEqual([]);
      expect(progress.at(-1)).toBe(1);
    });

    it('reports as spend the cost Runway bills on the finished task, not its own quote', async () => {
      const cheapQuotes = runwayGenerator(fake.url, { imageCredits: 1, videoCreditsPerSecond: 1 });
      const scene = uniqueScene();
      const billedBefore = fake.billedCredits();

      const image = await cheapQuotes.submit({ scene, step: 'image', inputs: {} });
      const imageOutcome = await cheapQuotes.await({
        scene,
        step: 'image',
        taskId: image.taskId,
        signal: liveSignal(),
        onProgress: noProgress,
      });
      const video = await cheapQuotes.submit({ scene, step: 'video', inputs: { image: imageOutcome.output ?? '' } });
      const videoOutcome = await cheapQuotes.await({
        scene,
        step: 'video',
        taskId: video.taskId,
        outPath: clipPath(scene),
        signal: liveSignal(),
        onProgress: noProgress,
      });

      expect([imageOutcome.spend, videoOutcome.spend]).toEqual([{ credits: 5 }, { credits: 25 }]);
      expect(fake.billedCredits() - billedBefore).toBe(30);
    });

    it('resumes by awaiting the same task id again, creating no task', async () => {
      const scene = uniqueScene();
      const promptImage = await makeImage(scene);
      const { taskId } = await generator.submit({ scene, step: 'video', inputs: { image: promptImage } });
      await generator.await({ scene, step: 'video', taskId, outPath: clipPath(scene), signal: liveSignal(), onProgress: noProgress });
      const tasksBefore = fake.tasks.length;
      const requestsBefore = fake.requests.length;

      const again = await generator.await({
        scene,
        step: 'video',
        taskId,
        outPath: clipPath(scene, 'resumed'),
        signal: liveSignal(),
        onProgress: noProgress,
      });

      expect(fake.tasks).toHaveLength(tasksBefore);
      expect(fake.requests.slice(requestsBefore).filter((r) => r.method === 'POST')).toEqual([]);
      expect(fake.videoTasksFor(scene.visual ?? '')).toHaveLength(1);
      expect((await probeMedia(clipPath(scene, 'resumed'))).video).toBeDefined();
      expect(again.spend).toEqual({ credits: 25 });
    });

    it('refuses the video step without an image to start from, before any request', async () => {
      const scene = uniqueScene();
      const requestsBefore = fake.requests.length;
      const err = await errorOf(generator.submit({ scene, step: 'video', inputs: {} }));
      expect(err).toBeInstanceOf(ProviderRejectedError);
      expect(fake.requests.length).toBe(requestsBefore);
    });
  });

  describe('presets', () => {
    it.each([
      ['vertical', '720:1280'],
      ['square', '960:960'],
      ['1080p', '1280:720'],
    ] as const)('a %s video asks Runway for %s, image and video alike', async (preset, ratio) => {
      const scene = uniqueScene();
      const image = await generator.submit({ scene, step: 'image', inputs: {}, preset });
      const { output } = await generator.await({
        scene,
        step: 'image',
        taskId: image.taskId,
        preset,
        signal: liveSignal(),
        onProgress: noProgress,
      });
      await generator.submit({ scene, step: 'video', inputs: { image: output ?? '' }, preset });
      expect(tasksFor(scene).map((t) => t.ratio)).toEqual([ratio, ratio]);
    });
  });

  describe('task failures', () => {
    it('turns a SAFETY failure into a non-retryable SafetyBlockedError and writes no clip', async () => {
      const scene = uniqueScene();
      const promptImage = await makeImage(scene);
      fake.failNextTask('video', 'SAFETY.INPUT.TEXT', 'The prompt was flagged.');
      const { taskId } = await generator.submit({ scene, step: 'video', inputs: { image: promptImage } });

      const err = await errorOf(
        generator.await({ scene, step: 'video', taskId, outPath: clipPath(scene), signal: liveSignal(), onProgress: noProgress }),
      );

      expect(err).toBeInstanceOf(SafetyBlockedError);
      expect((err as SafetyBlockedError).retryable).toBe(false);
      expect(existsSync(clipPath(scene))).toBe(false);
    });

    it.each(['INTERNAL.BAD_OUTPUT.CODE01', 'ASSET.INVALID'])(
      'turns %s into TaskFailedTransientError, and the step can be submitted again from the same image',
      async (code) => {
        const scene = uniqueScene();
        const promptImage = await makeImage(scene);
        fake.failNextTask('video', code);
        const failed = await generator.submit({ scene, step: 'video', inputs: { image: promptImage } });

        const err = await errorOf(
          generator.await({ scene, step: 'video', taskId: failed.taskId, signal: liveSignal(), onProgress: noProgress }),
        );
        expect(err).toBeInstanceOf(TaskFailedTransientError);
        expect((err as TaskFailedTransientError).retryable).toBe(false);

        const again = await generator.submit({ scene, step: 'video', inputs: { image: promptImage } });
        await generator.await({
          scene,
          step: 'video',
          taskId: again.taskId,
          outPath: clipPath(scene),
          signal: liveSignal(),
          onProgress: noProgress,
        });
        expect(tasksFor(scene).map((t) => t.kind)).toEqual(['image', 'video', 'video']);
        expect((await probeMedia(clipPath(scene))).video).toBeDefined();
      },
    );

    it('turns other failure codes into a non-retryable ProviderTaskFailedError', async () => {
      const scene = uniqueScene();
      fake.failNextTask('image', 'INPUT_PREPROCESSING.UNSUPPORTED');
      const { taskId } = await generator.submit({ scene, step: 'image', inputs: {} });

      const err = await errorOf(generator.await({ scene, step: 'image', taskId, signal: liveSignal(), onProgress: noProgress }));

      expect(err).toBeInstanceOf(ProviderTaskFailedError);
      expect(err).not.toBeInstanceOf(TaskFailedTransientError);
      expect((err as ProviderTaskFailedError).retryable).toBe(false);
    });
  });

  describe('submission failures', () => {
    it('turns 429 into RateLimitedError with the Retry-After delay, after exactly one request', async () => {
      fake.failNextCreate({ status: 429, retryAfterSec: 7 });
      const requestsBefore = fake.requests.length;

      const err = await errorOf(generator.submit({ scene: uniqueScene(), step: 'image', inputs: {} }));

      expect(err).toBeInstanceOf(RateLimitedError);
      expect((err as RateLimitedError).retryAfterMs).toBe(7000);
      expect(fake.requests.length - requestsBefore).toBe(1);
    });

    it('turns a 400 into a non-retryable ProviderRejectedError', async () => {
      // An empty visual and title leave an empty prompt, which Runway's validation refuses.
      const scene = { ...uniqueScene(), title: '', visual: '' };
      const tasksBefore = fake.tasks.length;

      const err = await errorOf(generator.submit({ scene, step: 'image', inputs: {} }));

      expect(err).toBeInstanceOf(ProviderRejectedError);
      expect((err as ProviderRejectedError).retryable).toBe(false);
      expect(fake.tasks).toHaveLength(tasksBefore);
    });

    it('turns a 5xx answered after the task was created into SubmissionUnconfirmedError', async () => {
      const scene = uniqueScene();
      fake.failNextCreate({ status: 502, afterCreate: true });

      const err = await errorOf(generator.submit({ scene, step: 'image', inputs: {} }));

      expect(err).toBeInstanceOf(SubmissionUnconfirmedError);
      expect((err as SubmissionUnconfirmedError).retryable).toBe(false);
      expect(tasksFor(scene)).toEqual([expect.objectContaining({ answerLost: true })]);
    });

    it('turns a connection dropped after the task was created into SubmissionUnconfirmedError', async () => {
      const scene = uniqueScene();
      fake.failNextCreate({ status: 'drop' });

      const err = await errorOf(generator.submit({ scene, step: 'image', inputs: {} }));

      expect(err).toBeInstanceOf(SubmissionUnconfirmedError);
      expect(tasksFor(scene)).toEqual([expect.objectContaining({ answerLost: true })]);
    });

    it('turns a client timeout into SubmissionUnconfirmedError, since Runway may have created the task', async () => {
      const slowToAnswer = await startFakeRunway({ createLatencyMs: 1000 });
      try {
        const impatient = runwayGenerator(slowToAnswer.url, {
          client: createRunwayClient({ apiKey: 'test-key', baseUrl: slowToAnswer.url, timeoutMs: 200 }),
        });
        const scene = uniqueScene();

        const err = await errorOf(impatient.submit({ scene, step: 'image', inputs: {} }));

        expect(err).toBeInstanceOf(SubmissionUnconfirmedError);
        expect(slowToAnswer.tasks.map((t) => t.promptText)).toEqual([scene.visual]);
      } finally {
        await slowToAnswer.close();
      }
    });

    it('turns a refused connection into a retryable ProviderUnavailableError: nothing could have been created', async () => {
      const port = await closedPort();
      const unreachable = runwayGenerator(`http://127.0.0.1:${port}`);

      const err = await errorOf(unreachable.submit({ scene: uniqueScene(), step: 'image', inputs: {} }));

      expect(err).toBeInstanceOf(ProviderUnavailableError);
      expect((err as ProviderUnavailableError).retryable).toBe(true);
    });
  });

  describe('abort and cancel', () => {
    let slow: FakeRunway;
    let slowGenerator: RunwayClipGenerator;
    beforeEach(async () => {
      slow = await startFakeRunway({ runningPolls: 10_000 });
      slowGenerator = runwayGenerator(slow.url);
    });
    afterEach(() => slow.close());

    it('rejects a wait aborted mid-poll with the abort reason and deletes nothing', async () => {
      const scene = uniqueScene();
      const { taskId } = await slowGenerator.submit({ scene, step: 'image', inputs: {} });
      const controller = new AbortController();
      const pending = errorOf(slowGenerator.await({ scene, step: 'image', taskId, signal: controller.signal, onProgress: noProgress }));
      const deadline = Date.now() + 10_000;
      while (!slow.tasks.some((t) => t.polls > 3) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const reason = new Error('cancelled by test');

      controller.abort(reason);

      expect(await pending).toBe(reason);
      expect(slow.tasks.find((t) => t.id === taskId)?.polls).toBeGreaterThan(3);
      expect(slow.deletedTaskIds).toEqual([]);
      expect(slow.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    });

    it('cancel deletes the task, so Runway stops it and no longer knows it', async () => {
      const scene = uniqueScene();
      const { taskId } = await slowGenerator.submit({ scene, step: 'image', inputs: {} });

      await slowGenerator.cancel(taskId);

      expect(slow.deletedTaskIds).toEqual([taskId]);
      expect(slow.tasks.find((t) => t.id === taskId)?.cancelled).toBe(true);
      const afterwards = await errorOf(createRunwayClient({ apiKey: 'test-key', baseUrl: slow.url }).tasks.retrieve(taskId));
      expect(afterwards).toMatchObject({ status: 404 });
    });

    it('cancel of an unknown task id resolves without throwing', async () => {
      await expect(slowGenerator.cancel(randomUUID())).resolves.toBeUndefined();
      expect(slow.deletedTaskIds).toEqual([]);
    });
  });
});
