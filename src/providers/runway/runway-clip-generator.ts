/**
 * Generates scene clips with Runway in two paid steps: text → image (gen4_image), then
 * image → video (gen4_turbo). Each task id is checkpointed the moment it exists, so a retried
 * activity resumes polling instead of paying for the same clip twice. A task that fails for a
 * transient reason (INTERNAL.*, ASSET.*) clears its step from the checkpoint before the error is
 * thrown, so the retry resubmits that step rather than polling a dead task.
 */
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { RunwayML } from '@runwayml/sdk';
import type { ClipCheckpoint, ClipGenerator, GenerateClipRequest, Spend } from '../contracts';
import type { Scene } from '../../shared/video';
import { ProviderUnavailableError } from '../errors';
import { streamToFileAtomic } from '../atomic-file';
import { mapRunwayError } from './map-runway-error';
import { withScopedSignal } from '../scoped-signal';
import { pollRunwayTask, RetryableTaskFailure, type SucceededTask } from './poll-runway-task';

export interface RunwayClipGeneratorOptions {
  /** Built with maxRetries 0 (see createRunwayClient). */
  client: RunwayML;
  imageModel: string;
  videoModel: string;
  /** Output size, e.g. "1280:720"; used for both the image and the video. */
  ratio: string;
  durationSec: number;
  pollIntervalMs: number;
  /** Runway's price of the video model; gen4_turbo costs 5 credits per second. */
  creditsPerSecond?: number;
}

/** Share of the progress bar given to the image step; the video dominates the wait. */
const IMAGE_SHARE = 0.2;

type ImageParams = Parameters<RunwayML['textToImage']['create']>[0];
type VideoParams = Parameters<RunwayML['imageToVideo']['create']>[0];

/** ClipGenerator backed by Runway's text-to-image and image-to-video tasks. */
export class RunwayClipGenerator implements ClipGenerator {
  private readonly options: Required<RunwayClipGeneratorOptions>;

  constructor(options: RunwayClipGeneratorOptions) {
    this.options = { creditsPerSecond: 5, ...options };
  }

  estimateCredits(_scene: Scene): number {
    return this.options.durationSec * this.options.creditsPerSecond;
  }

  async generateClip(request: GenerateClipRequest): Promise<{ spend: Spend }> {
    const { scene, signal, resume, onCheckpoint } = request;
    const { client, imageModel, videoModel, ratio, durationSec } = this.options;
    const promptText = scene.visual ?? scene.title;
    let running: string | undefined;
    try {
      signal.throwIfAborted();
      let taskId = resume?.taskId;
      let imageTaskId = resume?.imageTaskId;
      let credits = resume?.credits ?? this.estimateCredits(scene);
      if (!taskId) {
        if (!imageTaskId) {
          const body = { model: imageModel, promptText, ratio } as ImageParams;
          await request.beforeSubmit?.();
          imageTaskId = (await this.submit((s) => client.textToImage.create(body, { signal: s }), signal)).id;
          onCheckpoint({ imageTaskId });
        }
        running = imageTaskId;
        const image = await this.wait(imageTaskId, request, 0, IMAGE_SHARE, {});
        running = undefined;
        const promptImage = image.output[0];
        if (!promptImage) throw new ProviderUnavailableError(`Runway image task ${imageTaskId} has no output`);
        const body = { model: videoModel, promptImage, promptText, ratio, duration: durationSec } as VideoParams;
        await request.beforeSubmit?.();
        const created = await this.submit((s) => client.imageToVideo.create(body, { signal: s }), signal);
        taskId = created.id;
        credits = this.estimateCredits(scene);
        onCheckpoint({ imageTaskId, taskId, credits });
      }
      running = taskId;
      const video = await this.wait(taskId, request, IMAGE_SHARE, 1, imageTaskId ? { imageTaskId } : {});
      running = undefined;
      await this.download(video, request);
      // SDK 4.x reports the charged cost on finished tasks; the estimate covers older replies.
      const reported = (video as { cost?: { credits?: number } }).cost?.credits;
      return { spend: { credits: typeof reported === 'number' ? reported : credits } };
    } catch (err) {
      if (signal.aborted && running) await this.cancelQuietly(running);
      throw signal.aborted ? (signal.reason ?? err) : err;
    }
  }

  private async submit<T>(create: (signal: AbortSignal) => PromiseLike<T>, signal: AbortSignal): Promise<T> {
    try {
      return await withScopedSignal(signal, create);
    } catch (err) {
      throw mapRunwayError(err, signal);
    }
  }

  /** Polls one task, mapping its progress into [from, to] of the clip's progress. */
  private async wait(
    taskId: string,
    request: GenerateClipRequest,
    from: number,
    to: number,
    checkpointOnRetry: ClipCheckpoint,
  ): Promise<SucceededTask> {
    try {
      return await pollRunwayTask({
        client: this.options.client,
        taskId,
        intervalMs: this.options.pollIntervalMs,
        signal: request.signal,
        onProgress: (fraction) => request.onProgress(from + (to - from) * fraction),
      });
    } catch (err) {
      // The failed task must not be resumed: keep only what is still good (the image, if any).
      if (err instanceof RetryableTaskFailure) request.onCheckpoint(checkpointOnRetry);
      throw err;
    }
  }

  private async download(task: SucceededTask, request: GenerateClipRequest): Promise<void> {
    const url = task.output[0];
    if (!url) throw new ProviderUnavailableError(`Runway task ${task.id} has no output`);
    let response: Response;
    try {
      response = await fetch(url, { signal: request.signal });
    } catch (err) {
      if (request.signal.aborted) throw err;
      throw new ProviderUnavailableError(`Runway output of task ${task.id} could not be downloaded`);
    }
    // Output URLs are signed and expire; a retry resumes the task and gets a fresh one.
    if (!response.ok || !response.body) {
      throw new ProviderUnavailableError(`Runway output of task ${task.id} answered ${response.status}`);
    }
    await streamToFileAtomic(request.outPath, response.body as WebReadableStream<Uint8Array>, request.signal);
  }

  /** Best effort: the task may already be finished or gone, which is fine. */
  private async cancelQuietly(taskId: string): Promise<void> {
    try {
      await this.options.client.tasks.delete(taskId);
    } catch {
      // 404 or a network error: nothing more can be done for a task we are abandoning.
    }
  }
}
