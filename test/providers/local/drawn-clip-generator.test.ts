import path from 'node:path';
import { probeMedia } from '../../../src/media/probe';
import { DrawnClipGenerator } from '../../../src/providers/local/drawn-clip-generator';
import type { ClipCheckpoint, ClipGenerator } from '../../../src/providers/contracts';
import { makeScratchDir } from '../../media/media-test-helpers';

describe('DrawnClipGenerator', () => {
  let scratch: Awaited<ReturnType<typeof makeScratchDir>>;
  const generator: ClipGenerator = new DrawnClipGenerator({ durationSec: 1 });
  const scene = { index: 2, title: 'Results: 12% better recall', narration: 'Recall improved.' };
  beforeAll(async () => {
    scratch = await makeScratchDir();
  });
  afterAll(() => scratch.cleanup());

  it('costs nothing', () => {
    expect(generator.estimateCredits(scene)).toBe(0);
  });

  it('draws a 1280x720 H.264 clip of the configured length and reports completion', async () => {
    const outPath = path.join(scratch.dir, 'clips', 'scene-2.mp4');
    const fractions: number[] = [];
    const checkpoints: ClipCheckpoint[] = [];
    const { spend } = await generator.generateClip({
      scene,
      outPath,
      signal: new AbortController().signal,
      onCheckpoint: (c) => checkpoints.push(c),
      onProgress: (f) => fractions.push(f),
    });
    expect(spend).toEqual({ credits: 0 });
    expect(fractions[fractions.length - 1]).toBe(1);
    expect(checkpoints).toEqual([]);
    const info = await probeMedia(outPath);
    expect(info.video).toMatchObject({ codec: 'h264', width: 1280, height: 720 });
    expect(Math.abs(info.durationSec - 1)).toBeLessThan(0.1);
  });

  it('stops drawing when its signal aborts', async () => {
    const controller = new AbortController();
    const slow = new DrawnClipGenerator({ durationSec: 60 });
    const run = slow.generateClip({
      scene,
      outPath: path.join(scratch.dir, 'cancelled.mp4'),
      signal: controller.signal,
      onCheckpoint: () => undefined,
      onProgress: () => controller.abort(),
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });
});
