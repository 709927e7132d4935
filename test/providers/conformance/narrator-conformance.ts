/**
 * What every Narrator promises: a playable, audible WAV at the requested path, and nothing left
 * behind when aborted.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Narrator } from '../../../src/providers/contracts';
import { probeMedia } from '../../../src/media/probe';
import { maxVolumeDb } from './media-checks';

export interface NarratorConformanceOptions {
  /** A voice the adapter understands. */
  voice: string;
}

export function describeNarratorConformance(name: string, makeNarrator: () => Narrator, options: NarratorConformanceOptions): void {
  describe(`${name} (Narrator conformance)`, () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'narrator-conformance-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('writes a playable, non-silent WAV at outPath', async () => {
      const outPath = path.join(dir, 'nested', 'scene-1.wav');
      const text = 'Blue-blocking glasses helped night-shift nurses fall asleep twenty minutes sooner.';
      const { spend } = await makeNarrator().narrate({ text, voice: options.voice, outPath, signal: new AbortController().signal });
      const info = await probeMedia(outPath);
      expect(info.audio?.codec).toMatch(/^pcm_/);
      expect(info.audio?.sampleRate).toBeGreaterThanOrEqual(8000);
      expect(info.durationSec).toBeGreaterThan(0.3);
      expect(await maxVolumeDb(outPath)).toBeGreaterThan(-40);
      expect(spend.credits).toBeGreaterThanOrEqual(0);
    });

    it('rejects when its signal is already aborted and writes nothing', async () => {
      const outPath = path.join(dir, 'aborted.wav');
      await expect(
        makeNarrator().narrate({ text: 'Never spoken.', voice: options.voice, outPath, signal: AbortSignal.abort() }),
      ).rejects.toBeDefined();
      expect(await readdir(dir)).not.toContain('aborted.wav');
    });
  });
}
