import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { drawTitleClip } from '../../../src/media/draw-title-clip';
import { probeMedia } from '../../../src/media/probe';
import { runTool } from '../../../src/media/run-tool';
import { keyTerms } from '../../../src/providers/local/key-terms';
import { DrawnClipGenerator } from '../../../src/providers/local/drawn-clip-generator';
import type { ClipGenerator } from '../../../src/providers/contracts';
import type { Scene } from '../../../src/shared/video';
import { makeScratchDir } from '../../media/media-test-helpers';

/** The first frame of a clip as raw 64x36 RGB bytes. */
async function firstFrame(clip: string): Promise<Buffer> {
  const script = 'ffmpeg -v error -i "$1" -frames:v 1 -vf scale=64:36 -f rawvideo -pix_fmt rgb24 - | base64 -w0';
  return Buffer.from((await runTool('sh', ['-c', script, 'sh', clip])).stdout, 'base64');
}

const meanAbsDiff = (a: Buffer, b: Buffer): number => a.reduce((sum, byte, i) => sum + Math.abs(byte - (b[i] ?? 0)), 0) / a.length;

describe('DrawnClipGenerator', () => {
  let scratch: Awaited<ReturnType<typeof makeScratchDir>>;
  const generator: ClipGenerator = new DrawnClipGenerator({ durationSec: 1 });
  let sceneCounter = 0;
  const uniqueScene = (title: string): Scene => {
    sceneCounter += 1;
    return { index: sceneCounter, title: `${title} (${sceneCounter})`, narration: 'Recall improved.' };
  };
  beforeAll(async () => {
    scratch = await makeScratchDir();
  });
  afterAll(() => scratch.cleanup());

  it('costs nothing: one free draw step', () => {
    const steps = generator.plan(uniqueScene('Results: 12% better recall'));
    expect(steps).toHaveLength(1);
    expect(steps.map((s) => s.credits)).toEqual([0]);
  });

  it('draws a 1280x720 H.264 clip of the configured length through submit and await', async () => {
    const scene = uniqueScene('Results: 12% better recall');
    const [step] = generator.plan(scene);
    const outPath = path.join(scratch.dir, 'clips', `scene-${scene.index}.mp4`);
    const fractions: number[] = [];

    const { taskId } = await generator.submit({ scene, step: step!.name, inputs: {} });
    const { spend } = await generator.await({
      scene,
      step: step!.name,
      taskId,
      outPath,
      signal: new AbortController().signal,
      onProgress: (f) => fractions.push(f),
    });

    expect(spend).toEqual({ credits: 0 });
    expect(fractions.at(-1)).toBe(1);
    const info = await probeMedia(outPath);
    expect(info.video).toMatchObject({ codec: 'h264', width: 1280, height: 720 });
    expect(Math.abs(info.durationSec - 1)).toBeLessThan(0.1);
  });

  it("draws on the canvas of the video's preset: 720x1280 for vertical, 960x960 for square", async () => {
    for (const [preset, size] of [
      ['vertical', { width: 720, height: 1280 }],
      ['square', { width: 960, height: 960 }],
    ] as const) {
      const scene = uniqueScene('A title long enough to wrap on a narrow canvas');
      const [step] = generator.plan(scene);
      const outPath = path.join(scratch.dir, 'clips', `${preset}-${scene.index}.mp4`);
      await generator.await({
        scene,
        step: step!.name,
        taskId: 'local',
        outPath,
        preset,
        signal: new AbortController().signal,
        onProgress: () => undefined,
      });
      expect((await probeMedia(outPath)).video).toMatchObject(size);
    }
  });

  it("shows the key terms of the scene's narration under its title", async () => {
    const scene = {
      ...uniqueScene('Sleep and memory'),
      narration: 'During deep sleep the hippocampus replays memories to the cortex. The cortex keeps what the hippocampus replays.',
    };
    const outPath = path.join(scratch.dir, 'clips', `terms-${scene.index}.mp4`);
    await generator.await({
      scene,
      step: 'draw',
      taskId: 'local',
      outPath,
      signal: new AbortController().signal,
      onProgress: () => undefined,
    });
    const drawn = await firstFrame(outPath);

    const terms = keyTerms(scene.narration, 3, { omit: scene.title });
    expect(terms).toContain('cortex');
    expect(terms.join(' · ')).toContain('hippocampus');
    const reference = async (name: string, withTerms?: string[]): Promise<Buffer> => {
      const out = path.join(scratch.dir, `${name}-${scene.index}.mp4`);
      await drawTitleClip({ title: scene.title, terms: withTerms, outPath: out, durationSec: 1, seed: scene.index });
      return firstFrame(out);
    };
    expect(meanAbsDiff(drawn, await reference('with-terms', terms))).toBeLessThan(0.5);
    expect(meanAbsDiff(drawn, await reference('title-only'))).toBeGreaterThan(1);
  });

  it('stops drawing when its signal aborts', async () => {
    const slow: ClipGenerator = new DrawnClipGenerator({ durationSec: 60 });
    const scene = uniqueScene('A minute-long title card');
    const [step] = slow.plan(scene);
    const outPath = path.join(scratch.dir, `cancelled-${scene.index}.mp4`);
    const controller = new AbortController();
    const { taskId } = await slow.submit({ scene, step: step!.name, inputs: {} });
    const startedAt = Date.now();

    const run = slow.await({ scene, step: step!.name, taskId, outPath, signal: controller.signal, onProgress: () => controller.abort() });

    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    // Drawing the whole minute takes about 50 s on two cores.
    expect(Date.now() - startedAt).toBeLessThan(20_000);
    // The clip is drawn aside and moved into place whole, so a stopped drawing leaves nothing.
    expect((await readdir(scratch.dir)).filter((f) => f.includes(`cancelled-${scene.index}`))).toEqual([]);
  });
});
