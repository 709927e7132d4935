/**
 * Generates scene clips with Runway in two paid steps: text → image (gen4_image), then
 * image → video (gen4_turbo). Each step is a Runway task: `submit` creates it and returns its id,
 * `await` polls it (and, for the video, downloads the result). The orchestrator records the id
 * between the two calls, so a task is paid for once and every later wait resumes it. Nothing here
 * deletes a task except `cancel`, which only a user's cancel reaches.
 */
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { RunwayML } from '@runwayml/sdk';
import type { AwaitClipStepRequest, ClipGenerator, ClipStep, ClipStepOutcome, SubmitClipStepRequest } from '../contracts';
import type { Scene } from '../../shared/video';
import { ProviderRejectedError, ProviderUnavailableError } from '../errors';
import { streamToFileAtomic } from '../atomic-file';
import { mapRunwaySubmitError } from './map-runway-submit-error';
import { pollRunwayTask, type SucceededTask } from './poll-runway-task';
import { PRESETS, type PresetName } from '../../shared/presets';

export interface RunwayClipGeneratorOptions {
  /** Built with maxRetries 0 (see createRunwayClient). */
  client: RunwayML;
  imageModel: string;
  videoModel: string;
  /** Output size, e.g. "1280:720"; used for both the image and the video. */
  ratio: string;
  durationSec: number;
  pollIntervalMs: number;
  /**
   * Runway's price of one image.
   * @default 5 (gen4_image at 720p)
   */
  imageCredits?: number;
  /**
   * Runway's price of one second of video.
   * @default 5 (gen4_turbo)
   */
  videoCreditsPerSecond?: number;
}

type ImageParams = Parameters<RunwayML['textToImage']['create']>[0];
type VideoParams = Parameters<RunwayML['imageToVideo']['create']>[0];

export const RUNWAY_STEPS = { image: 'image', video: 'video' } as const;

/** Runway's prompt limit; a longer visual would be refused at submission. */
const PROMPT_LIMIT = 1000;

/** ClipGenerator backed by Runway's text-to-image and image-to-video tasks. */
export class RunwayClipGenerator implements ClipGenerator {
  private readonly options: Required<RunwayClipGeneratorOptions>;

  constructor(options: RunwayClipGeneratorOptions) {
    this.options = { imageCredits: 5, videoCreditsPerSecond: 5, ...options };
  }

  cacheKey(scene: Scene, preset: PresetName | undefined): unknown {
    const { imageModel, videoModel, durationSec } = this.options;
    const ratio = preset ? PRESETS[preset].runwayRatio : this.options.ratio;
    return { provider: 'runway', imageModel, videoModel, durationSec, ratio, prompt: (scene.visual || scene.title).slice(0, PROMPT_LIMIT) };
  }

  plan(_scene: Scene): ClipStep[] {
    return [
      { name: RUNWAY_STEPS.image, credits: this.options.imageCredits },
      { name: RUNWAY_STEPS.video, credits: this.options.durationSec * this.options.videoCreditsPerSecond },
    ];
  }

  async submit(request: SubmitClipStepRequest): Promise<{ taskId: string }> {
    const { client, imageModel, videoModel, durationSec } = this.options;
    // A video's preset decides the shape; runs without one keep the configured RUNWAY_RATIO.
    const ratio = request.preset ? PRESETS[request.preset].runwayRatio : this.options.ratio;
    const promptText = (request.scene.visual || request.scene.title).slice(0, PROMPT_LIMIT);
    const what = `Runway ${request.step} submission for scene ${request.scene.index}`;
    let create: () => PromiseLike<{ id: string }>;
    if (request.step === RUNWAY_STEPS.image) {
      const body = { model: imageModel, promptText, ratio } as ImageParams;
      create = () => client.textToImage.create(body);
    } else if (request.step === RUNWAY_STEPS.video) {
      const promptImage = request.inputs[RUNWAY_STEPS.image];
      if (!promptImage) throw new ProviderRejectedError(`${what} has no image to start from`);
      const body = { model: videoModel, promptImage, promptText, ratio, duration: durationSec } as VideoParams;
      create = () => client.imageToVideo.create(body);
    } else {
      throw new ProviderRejectedError(`Runway has no clip step named ${request.step}`);
    }
    try {
      return { taskId: (await create()).id };
    } catch (err) {
      throw mapRunwaySubmitError(err, what);
    }
  }

  async await(request: AwaitClipStepRequest): Promise<ClipStepOutcome> {
    const task = await pollRunwayTask({
      client: this.options.client,
      taskId: request.taskId,
      intervalMs: this.options.pollIntervalMs,
      signal: request.signal,
      onProgress: request.onProgress,
    });
    const output = task.output[0];
    if (!output) throw new ProviderUnavailableError(`Runway task ${task.id} has no output`);
    if (request.outPath) await this.download(task, output, request.outPath, request.signal);
    return { output: request.outPath ? undefined : output, spend: { credits: this.billed(task, request.step) } };
  }

  /** Best effort: a task that already finished or is gone needs nothing more. */
  async cancel(taskId: string): Promise<void> {
    try {
      await this.options.client.tasks.delete(taskId);
    } catch {
      // 404 or a network error: the task is finished, gone, or will finish on its own.
    }
  }

  /** The cost Runway reports on the finished task; the quote when an older reply has none. */
  private billed(task: SucceededTask, step: string): number {
    const reported = (task as { cost?: { credits?: number } }).cost?.credits;
    if (typeof reported === 'number') return reported;
    return step === RUNWAY_STEPS.image ? this.options.imageCredits : this.options.durationSec * this.options.videoCreditsPerSecond;
  }

  private async download(task: SucceededTask, url: string, outPath: string, signal: AbortSignal): Promise<void> {
    let response: Response;
    try {
      response = await fetch(url, { signal });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new ProviderUnavailableError(`Runway output of task ${task.id} could not be downloaded`);
    }
    // Output URLs are signed and expire; a retry polls the task again and gets a fresh one.
    if (!response.ok || !response.body) {
      throw new ProviderUnavailableError(`Runway output of task ${task.id} answered ${response.status}`);
    }
    await streamToFileAtomic(outPath, response.body as WebReadableStream<Uint8Array>, signal);
  }
}
