/**
 * The slideshow render on generated images and audio, its result probed: length, upright
 * pictures, crossfades that blend rather than dip to black, a soundtrack looped and faded out,
 * narration at the video's loudness, and the subtitle track.
 */
import path from 'node:path';
import fs from 'node:fs/promises';
import { probeMedia } from '../../src/media/probe';
import { runTool } from '../../src/media/run-tool';
import { renderSlideshow, slideshowTimeline, type SlideshowOptions } from '../../src/media/slideshow';
import { frameBrightness, makeSplitImage, pixelAt, withExifOrientation } from '../helpers/test-images';
import { makeScratchDir, makeTone, subtitleCodecs } from './media-test-helpers';

jest.setTimeout(120_000);

let dir: string;
let cleanup: () => Promise<void>;
const file = (name: string) => path.join(dir, name);

beforeAll(async () => {
  ({ dir, cleanup } = await makeScratchDir());
  // Stored sideways: yellow on the left, magenta on the right; EXIF 6 says "turn 90° clockwise to show",
  // which puts yellow on top.
  await makeSplitImage(file('sideways-raw.jpg'), 480, 240, 'yellow', 'magenta');
  await withExifOrientation(file('sideways-raw.jpg'), file('sideways.jpg'), 6);
  await makeSplitImage(file('cyan.png'), 640, 480, 'cyan');
  await makeSplitImage(file('white.webp'), 300, 500, 'white');
  await makeTone(file('tone-3s.wav'), 3);
  await makeTone(file('tone-2.5s.wav'), 2.5);
  await makeTone(file('tone-1s.wav'), 1);
  await fs.writeFile(file('captions.srt'), '1\n00:00:00,000 --> 00:00:01,500\nA caption\n');
});
afterAll(() => cleanup());

const base = (name: string): Omit<SlideshowOptions, 'slides' | 'gainDb'> => ({
  width: 640,
  height: 360,
  fit: 'letterbox',
  transition: 'fade',
  subtitlesPath: file('captions.srt'),
  outPath: file(name),
});

/** Mean volume in dB of `sec` seconds of the video's sound from `fromSec`. */
async function meanVolume(video: string, fromSec: number, sec: number): Promise<number> {
  const { stderr } = await runTool('ffmpeg', [
    '-hide_banner',
    '-ss',
    String(fromSec),
    '-t',
    String(sec),
    '-i',
    video,
    '-af',
    'volumedetect',
    '-f',
    'null',
    '-',
  ]);
  return Number(/mean_volume: (-?[\d.]+|-inf) dB/.exec(stderr)?.[1] ?? NaN);
}

describe('renderSlideshow', () => {
  let video: string;
  const seconds = [2, 2, 2];

  beforeAll(async () => {
    video = file('soundtrack.mp4');
    await renderSlideshow({
      ...base('soundtrack.mp4'),
      slides: [
        { imagePath: file('sideways.jpg'), orientation: 6, seconds: seconds[0]! },
        { imagePath: file('cyan.png'), orientation: 1, seconds: seconds[1]! },
        { imagePath: file('white.webp'), orientation: 1, seconds: seconds[2]! },
      ],
      soundtrackPath: file('tone-3s.wav'),
      gainDb: 0,
    });
  });

  it('lasts the sum of the slides, picture and sound, with a soft subtitle track', async () => {
    const info = await probeMedia(video);
    expect(Math.abs(info.durationSec - 6)).toBeLessThanOrEqual(0.1);
    expect(info.video).toMatchObject({ codec: 'h264', width: 640, height: 360 });
    expect(info.audio).toMatchObject({ codec: 'aac', sampleRate: 48000, channels: 2 });
    expect(await subtitleCodecs(video)).toEqual(['mov_text']);
  });

  it('turns an EXIF-rotated image upright', async () => {
    // The first slide, before its crossfade: yellow above, magenta below (letterboxed, centred).
    const top = await pixelAt(video, 0.5, 320, 90);
    const bottom = await pixelAt(video, 0.5, 320, 270);
    expect(top[0]).toBeGreaterThan(200); // yellow: red and green high, blue low
    expect(top[1]).toBeGreaterThan(200);
    expect(top[2]).toBeLessThan(80);
    expect(bottom[0]).toBeGreaterThan(200); // magenta: red and blue high, green low
    expect(bottom[1]).toBeLessThan(80);
    expect(bottom[2]).toBeGreaterThan(200);
  });

  it('crossfades: the frames of a transition blend both images, and none goes dark', async () => {
    const { starts, fadeSec } = slideshowTimeline(seconds, 'fade');
    // Halfway from cyan (0,255,255) to white (255,255,255), red is about half way up.
    const [red] = await pixelAt(video, starts[2]! + fadeSec / 2, 320, 180);
    expect(red).toBeGreaterThan(60);
    expect(red).toBeLessThan(200);
    const brightness = await frameBrightness(video);
    expect(brightness.length).toBeGreaterThanOrEqual(179);
    // The darkest slide (the letterboxed one) is well above black; no frame dips under half of it.
    const darkestSlide = Math.min(...[0.5, 3, 5.5].map((t) => brightness[Math.round(t * 30)]!));
    expect(darkestSlide).toBeGreaterThan(60);
    expect(Math.min(...brightness)).toBeGreaterThan(darkestSlide * 0.5);
  });

  it('loops a short soundtrack to the end and fades it out', async () => {
    const middle = await meanVolume(video, 4, 0.5); // after the 3 s track ended once
    const last = await meanVolume(video, 5.8, 0.2);
    expect(middle).toBeGreaterThan(-30);
    expect(last).toBeLessThan(middle - 10);
  });
});

it('narrates captions slide by slide, and holds a slide until its narration is done', async () => {
  const out = await renderSlideshow({
    ...base('narrated.mp4'),
    slides: [
      { imagePath: file('cyan.png'), orientation: 1, seconds: 3, narrationPath: file('tone-2.5s.wav') },
      { imagePath: file('white.webp'), orientation: 1, seconds: 2, narrationPath: file('tone-1s.wav') },
      { imagePath: file('sideways.jpg'), orientation: 6, seconds: 2 },
    ],
    gainDb: -8.5,
  });
  expect(out).toBe(7);
  const info = await probeMedia(file('narrated.mp4'));
  expect(Math.abs(info.durationSec - 7)).toBeLessThanOrEqual(0.1);
  // The second narration starts with its slide at 3 s; the third slide is silent.
  expect(await meanVolume(file('narrated.mp4'), 3.1, 0.5)).toBeGreaterThan(-40);
  expect(await meanVolume(file('narrated.mp4'), 5.2, 1.5)).toBeLessThan(-80);
});

it('cuts a soundtrack longer than the picture to its length', async () => {
  await makeTone(file('tone-12s.wav'), 12);
  await renderSlideshow({
    ...base('trimmed.mp4'),
    slides: [{ imagePath: file('cyan.png'), orientation: 1, seconds: 3 }],
    soundtrackPath: file('tone-12s.wav'),
    gainDb: 0,
  });
  const { stdout } = await runTool('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'a',
    '-show_entries',
    'stream=duration',
    '-of',
    'csv=p=0',
    file('trimmed.mp4'),
  ]);
  expect(Math.abs(Number(stdout.trim()) - 3)).toBeLessThanOrEqual(0.1);
  expect(Math.abs((await probeMedia(file('trimmed.mp4'))).durationSec - 3)).toBeLessThanOrEqual(0.1);
});

it('cuts between cropped slides over silence when asked to', async () => {
  await renderSlideshow({
    ...base('silent.mp4'),
    fit: 'crop',
    transition: 'none',
    slides: [
      { imagePath: file('cyan.png'), orientation: 1, seconds: 1.5 },
      { imagePath: file('white.webp'), orientation: 1, seconds: 1.5 },
    ],
    gainDb: 0,
  });
  const info = await probeMedia(file('silent.mp4'));
  expect(Math.abs(info.durationSec - 3)).toBeLessThanOrEqual(0.1);
  expect(info.audio?.codec).toBe('aac');
  // Cropped, the portrait white image fills the frame: a corner is white, not a blurred border.
  const corner = await pixelAt(file('silent.mp4'), 2.2, 4, 4);
  expect(Math.min(...corner)).toBeGreaterThan(230);
  // A cut: the frame just before it is still cyan.
  const [red] = await pixelAt(file('silent.mp4'), 1.4, 320, 180);
  expect(red).toBeLessThan(40);
  expect(await meanVolume(file('silent.mp4'), 0, 3)).toBeLessThan(-80);
});
