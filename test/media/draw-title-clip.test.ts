import path from 'node:path';
import { drawTitleClip, layoutTerms, layoutTitle } from '../../src/media/draw-title-clip';
import { probeMedia } from '../../src/media/probe';
import { runTool } from '../../src/media/run-tool';
import { analyse, makeScratchDir } from './media-test-helpers';

/** One frame at `atSec`, shrunk to 64x36 RGB bytes, so frames can be compared cheaply. */
async function frameAt(clip: string, atSec: number): Promise<Buffer> {
  const { stdout } = await runTool('sh', [
    '-c',
    'ffmpeg -v error -ss "$1" -i "$2" -frames:v 1 -vf scale=64:36 -f rawvideo -pix_fmt rgb24 - | base64 -w0',
    'sh',
    String(atSec),
    clip,
  ]);
  return Buffer.from(stdout, 'base64');
}

function meanAbsDiff(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}

/** Rows `from` to `to` (exclusive) of a 64x36 RGB frame from frameAt. */
const rows = (frame: Buffer, from: number, to: number): Buffer => frame.subarray(from * 64 * 3, to * 64 * 3);

describe('drawTitleClip', () => {
  let scratch: Awaited<ReturnType<typeof makeScratchDir>>;
  let clip: string;
  beforeAll(async () => {
    scratch = await makeScratchDir();
    clip = path.join(scratch.dir, 'title.mp4');
    await drawTitleClip({
      title: `Effects of "coffee": 100% real, on sleep; a [randomised] trial \\ of adults`,
      outPath: clip,
      durationSec: 1.5,
      seed: 3,
    });
  });
  afterAll(() => scratch.cleanup());

  it('renders a 1280x720 30 fps H.264 clip of the asked length without audio', async () => {
    const info = await probeMedia(clip);
    expect(info.video).toEqual({ codec: 'h264', width: 1280, height: 720, fps: 30 });
    expect(info.audio).toBeUndefined();
    expect(info.durationSec).toBeGreaterThan(1.4);
    expect(info.durationSec).toBeLessThan(1.6);
  });

  it('moves: frames at different times differ and no stretch of it is frozen', async () => {
    const early = await frameAt(clip, 0.1);
    const late = await frameAt(clip, 1.3);
    expect(early.length).toBe(64 * 36 * 3);
    expect(meanAbsDiff(early, late)).toBeGreaterThan(1);
    const log = await analyse(clip, '-vf', 'freezedetect=n=0.0001:d=0.2');
    expect(log).not.toContain('freeze_start');
  });

  it('is not black', async () => {
    const log = await analyse(clip, '-vf', 'blackdetect=d=0.1');
    expect(log).not.toContain('black_start');
  });

  it('uses different colours for different seeds', async () => {
    const other = path.join(scratch.dir, 'other.mp4');
    await drawTitleClip({ title: 'Same title', outPath: other, durationSec: 0.5, seed: 4 });
    const again = path.join(scratch.dir, 'again.mp4');
    await drawTitleClip({ title: 'Same title', outPath: again, durationSec: 0.5, seed: 5 });
    expect(meanAbsDiff(await frameAt(other, 0), await frameAt(again, 0))).toBeGreaterThan(5);
  });

  it('draws the key terms on a line under the title', async () => {
    const draw = async (name: string, terms?: string[]): Promise<Buffer> => {
      const out = path.join(scratch.dir, `${name}.mp4`);
      await drawTitleClip({ title: 'Sleep and memory', terms, outPath: out, durationSec: 0.5, seed: 7 });
      return frameAt(out, 0);
    };
    const titleOnly = await draw('terms-none');
    const sleep = await draw('terms-sleep', ['hippocampus', 'deep sleep', 'cortex']);
    const other = await draw('terms-other', ['caffeine', 'word pairs', 'tracker']);
    expect(meanAbsDiff(titleOnly, sleep)).toBeGreaterThan(0.5);
    // Same title, other terms: the title above (rows 0-18 of 36) and the gradient below are the
    // same, and the line just under the title (rows 19-22, y 380-440 of 720) differs.
    expect(meanAbsDiff(rows(sleep, 0, 18), rows(other, 0, 18))).toBeLessThan(0.5);
    expect(meanAbsDiff(rows(sleep, 19, 22), rows(other, 19, 22))).toBeGreaterThan(3);
    expect(meanAbsDiff(rows(sleep, 23, 36), rows(other, 23, 36))).toBeLessThan(0.5);
  });

  it('rejects with an AbortError when cancelled mid-render', async () => {
    const controller = new AbortController();
    const run = drawTitleClip({
      title: 'Cancelled',
      outPath: path.join(scratch.dir, 'cancelled.mp4'),
      durationSec: 60,
      seed: 1,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('layoutTitle', () => {
  it('keeps a short title on one line at the largest size', () => {
    expect(layoutTitle('Sleep and memory')).toEqual({ lines: ['Sleep and memory'], fontSize: 72 });
  });

  it('wraps a long title onto at most three lines', () => {
    const { lines } = layoutTitle(
      'A randomised controlled trial of intermittent fasting versus continuous calorie restriction in adults with obesity',
    );
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.length).toBeLessThanOrEqual(3);
  });

  it('on a vertical canvas takes shorter lines, up to five', () => {
    const { lines } = layoutTitle('How a good night of sleep helps the brain keep what it learnt', { width: 720, height: 1280 });
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.length).toBeLessThanOrEqual(5);
    // 13, 16 or 20 characters a line, at 72, 60 or 50 px: never wider than a 720-px canvas.
    expect(lines.every((l) => l.length <= 20)).toBe(true);
  });

  it('truncates with an ellipsis what does not fit in three lines', () => {
    const { lines } = layoutTitle('word '.repeat(60));
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/…$/);
  });
});

describe('layoutTerms', () => {
  it('joins the terms with middle dots at half the title size', () => {
    expect(layoutTerms(['sleep', 'memory', ' hippo\ncampus '])).toEqual({ line: 'sleep · memory · hippo campus', fontSize: 36 });
  });

  it('drops terms from the end until the line fits a narrow canvas', () => {
    const terms = ['hippocampus', 'consolidation', 'slow-wave sleep'];
    expect(layoutTerms(terms)?.line).toBe('hippocampus · consolidation · slow-wave sleep');
    expect(layoutTerms(terms, { width: 720, height: 1280 })?.line).toBe('hippocampus · consolidation');
  });

  it('cuts a lone term too long for the line, and draws nothing without terms', () => {
    expect(layoutTerms(['x'.repeat(80)])?.line).toMatch(/^x{47}…$/);
    expect(layoutTerms([])).toBeUndefined();
    expect(layoutTerms(['  '])).toBeUndefined();
  });
});
