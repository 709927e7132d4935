/**
 * A clip generator that needs no key and no network: it draws the scene's title over a moving
 * gradient with ffmpeg. Each scene's index seeds its colours so consecutive scenes differ.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { drawTitleClip } from '../../media/draw-title-clip';
import type { ClipGenerator, GenerateClipRequest, Spend } from '../contracts';

export interface DrawnClipGeneratorOptions {
  /** Length of each drawn clip; normalisation loops it to the narration's length. */
  durationSec: number;
}

export class DrawnClipGenerator implements ClipGenerator {
  constructor(private readonly options: DrawnClipGeneratorOptions) {}

  /** Drawing is free, whatever the scene. */
  estimateCredits(): number {
    return 0;
  }

  async generateClip(request: GenerateClipRequest): Promise<{ spend: Spend }> {
    const { scene, outPath, signal, onProgress } = request;
    signal.throwIfAborted();
    await mkdir(path.dirname(outPath), { recursive: true });
    await drawTitleClip({
      title: scene.title,
      outPath,
      durationSec: this.options.durationSec,
      seed: scene.index,
      signal,
      onProgress,
    });
    onProgress(1);
    return { spend: { credits: 0 } };
  }
}
