/**
 * What every ClipGenerator promises: an MP4 with a video stream at the requested path, progress
 * within 0–1, a non-negative cost estimate, and a rejection when aborted.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ClipGenerator, GenerateClipRequest } from '../../../src/providers/contracts';
import type { Scene } from '../../../src/shared/video';
import { probeMedia } from '../../../src/media/probe';

const scene: Scene = {
  index: 1,
  title: 'Light and the body clock',
  narration: 'Morning light tells the body clock that the day has begun.',
  visual: 'A nurse in blue-tinted glasses walking home at sunrise',
};

export function describeClipGeneratorConformance(name: string, makeGenerator: () => ClipGenerator): void {
  describe(`${name} (ClipGenerator conformance)`, () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'clip-conformance-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    function request(outPath: string, signal: AbortSignal, progress: number[]): GenerateClipRequest {
      return {
        scene: { ...scene, visual: `${scene.visual} (${path.basename(outPath)})` },
        outPath,
        signal,
        onCheckpoint: () => undefined,
        onProgress: (f) => progress.push(f),
      };
    }

    it('estimates a finite, non-negative cost', () => {
      const credits = makeGenerator().estimateCredits(scene);
      expect(Number.isFinite(credits)).toBe(true);
      expect(credits).toBeGreaterThanOrEqual(0);
    });

    it('writes an MP4 with a video stream at outPath and reports progress within 0–1', async () => {
      const outPath = path.join(dir, 'nested', `clip-${Date.now()}.mp4`);
      const progress: number[] = [];
      const { spend } = await makeGenerator().generateClip(request(outPath, new AbortController().signal, progress));
      const info = await probeMedia(outPath);
      expect(info.video).toBeDefined();
      expect(info.video?.width).toBeGreaterThan(0);
      expect(info.durationSec).toBeGreaterThan(0.5);
      expect(progress.every((p) => p >= 0 && p <= 1)).toBe(true);
      expect(spend.credits).toBeGreaterThanOrEqual(0);
    });

    it('rejects when its signal is already aborted and writes nothing', async () => {
      const progress: number[] = [];
      await expect(
        makeGenerator().generateClip(request(path.join(dir, 'aborted.mp4'), AbortSignal.abort(), progress)),
      ).rejects.toBeDefined();
      expect(await readdir(dir)).not.toContain('aborted.mp4');
    });
  });
}
