import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { concatListLine, concatScenes } from '../../src/media/concat-scenes';
import { normalizeScene } from '../../src/media/normalize-scene';
import { probeMedia, type MediaInfo } from '../../src/media/probe';
import { makeClip, makeScratchDir, makeTone } from './media-test-helpers';

function expectSceneFormat(info: MediaInfo): void {
  expect(info.video).toEqual({ codec: 'h264', width: 1280, height: 720, fps: 30 });
  expect(info.audio).toEqual({ codec: 'aac', sampleRate: 48000, channels: 2 });
}

describe('normalizeScene and concatScenes', () => {
  let scratch: Awaited<ReturnType<typeof makeScratchDir>>;
  let shortClipScene: string;
  let longClipScene: string;

  beforeAll(async () => {
    scratch = await makeScratchDir();
    const f = (name: string): string => path.join(scratch.dir, name);
    await Promise.all([
      makeClip(f('short.mp4'), 0.8, '320x240', 25),
      makeClip(f('long.mp4'), 3, '640x360', 24),
      makeTone(f('two-sec.wav'), 1.6),
      makeTone(f('one-sec.wav'), 0.8),
    ]);
    shortClipScene = f('scene-short-clip.mp4');
    longClipScene = f('scene-long-clip.mp4');
  });
  afterAll(() => scratch.cleanup());

  it('loops a clip shorter than the narration and pads the audio to the exact length', async () => {
    const fractions: number[] = [];
    await normalizeScene({
      clipPath: path.join(scratch.dir, 'short.mp4'),
      audioPath: path.join(scratch.dir, 'two-sec.wav'),
      outPath: shortClipScene,
      durationSec: 2.1,
      onProgress: (f) => fractions.push(f),
    });
    const info = await probeMedia(shortClipScene);
    expectSceneFormat(info);
    expect(Math.abs(info.durationSec - 2.1)).toBeLessThanOrEqual(0.1);
    expect(fractions[fractions.length - 1]).toBe(1);
  });

  it('cuts a clip longer than the narration down to the exact length', async () => {
    await normalizeScene({
      clipPath: path.join(scratch.dir, 'long.mp4'),
      audioPath: path.join(scratch.dir, 'one-sec.wav'),
      outPath: longClipScene,
      durationSec: 1.3,
    });
    const info = await probeMedia(longClipScene);
    expectSceneFormat(info);
    expect(Math.abs(info.durationSec - 1.3)).toBeLessThanOrEqual(0.1);
  });

  it('joins scenes into one faststart MP4 as long as their sum', async () => {
    const out = path.join(scratch.dir, "it's final.mp4");
    await concatScenes({ scenePaths: [shortClipScene, longClipScene], outPath: out });
    const info = await probeMedia(out);
    expectSceneFormat(info);
    expect(Math.abs(info.durationSec - (2.1 + 1.3))).toBeLessThanOrEqual(0.15);

    const bytes = await readFile(out);
    const moov = bytes.indexOf('moov');
    const mdat = bytes.indexOf('mdat');
    expect(moov).toBeGreaterThan(0);
    expect(mdat).toBeGreaterThan(0);
    expect(moov).toBeLessThan(mdat);
  });
});

describe('concatListLine', () => {
  it('quotes absolute paths and escapes single quotes for the concat demuxer', () => {
    expect(concatListLine("/media/v1/it's.mp4")).toBe("file '/media/v1/it'\\''s.mp4'");
  });
});
