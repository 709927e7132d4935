/**
 * A clip generator that needs no key and no network: it draws the scene's title, and under it
 * the key terms of its narration (so the picture says more than a heading), over a moving
 * gradient with ffmpeg. Each scene's index seeds its colours so consecutive scenes differ. It has
 * one free step, `draw`; there is no remote task, so submitting only names the work and the
 * drawing happens while the step is awaited, where progress and cancellation reach ffmpeg.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { drawTitleClip } from '../../media/draw-title-clip';
import { clipCanvas, presetOf, type PresetName } from '../../shared/presets';
import type { Scene } from '../../shared/video';
import type { AwaitClipStepRequest, ClipGenerator, ClipStep, ClipStepOutcome, SubmitClipStepRequest } from '../contracts';
import { produceFileAtomic } from '../atomic-file';
import { ProviderRejectedError } from '../errors';
import { keyTerms } from './key-terms';

export interface DrawnClipGeneratorOptions {
  /** Length of each drawn clip; normalisation loops it to the narration's length. */
  durationSec: number;
}

const DRAW_STEP = 'draw';
/** Three terms read at a glance; layoutTerms drops any that would not fit a narrow canvas. */
const TERMS_PER_CLIP = 3;

export class DrawnClipGenerator implements ClipGenerator {
  constructor(private readonly options: DrawnClipGeneratorOptions) {}

  cacheKey(scene: Scene, preset: PresetName | undefined): unknown {
    const { title, narration, index } = scene;
    return {
      provider: 'drawn',
      durationSec: this.options.durationSec,
      title,
      terms: keyTerms(narration, TERMS_PER_CLIP, { omit: title }),
      index,
      canvas: clipCanvas(presetOf(preset)),
    };
  }

  /** Drawing is free, whatever the scene. */
  plan(): ClipStep[] {
    return [{ name: DRAW_STEP, credits: 0, submitted: false }];
  }

  /** Not called by the workflow (the step is not `submitted`); names the work for direct callers. */
  async submit(request: SubmitClipStepRequest): Promise<{ taskId: string }> {
    if (request.step !== DRAW_STEP) throw new ProviderRejectedError(`The local clip drawer has no step named ${request.step}`);
    return { taskId: `draw-scene-${request.scene.index}` };
  }

  async await(request: AwaitClipStepRequest): Promise<ClipStepOutcome> {
    const { scene, outPath, signal, onProgress } = request;
    const canvas = clipCanvas(presetOf(request.preset));
    signal.throwIfAborted();
    if (!outPath) throw new ProviderRejectedError('The local clip drawer only makes final clips');
    await mkdir(path.dirname(outPath), { recursive: true });
    await produceFileAtomic(outPath, (tmpPath) =>
      drawTitleClip({
        title: scene.title,
        terms: keyTerms(scene.narration, TERMS_PER_CLIP, { omit: scene.title }),
        outPath: tmpPath,
        durationSec: this.options.durationSec,
        seed: scene.index,
        signal,
        onProgress,
        ...canvas,
      }),
    );
    onProgress(1);
    return { spend: { credits: 0 } };
  }

  /** Nothing runs anywhere once the drawing stopped. */
  async cancel(): Promise<void> {}
}
