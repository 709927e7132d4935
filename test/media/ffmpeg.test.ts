import path from 'node:path';
import { parseFfmpegProgress, runFfmpeg, type FfmpegProgress } from '../../src/media/ffmpeg';
import { MediaToolError } from '../../src/media/media-tool-error';
import { probeMedia } from '../../src/media/probe';
import { makeScratchDir } from './media-test-helpers';

const block = (text: string): string[] => text.trim().split('\n');

describe('parseFfmpegProgress', () => {
  it('reads out_time_us and speed from a progress block', () => {
    const p = parseFfmpegProgress(
      block(`
frame=45
fps=0.00
out_time_us=1500000
out_time_ms=1500000
out_time=00:00:01.500000
speed=2.98x
progress=continue`),
    );
    expect(p).toEqual({ outTimeSec: 1.5, speed: 2.98, done: false });
  });

  it('treats out_time_ms as microseconds, as ffmpeg prints it', () => {
    expect(parseFfmpegProgress(['out_time_ms=2500000', 'progress=continue'])?.outTimeSec).toBe(2.5);
  });

  it('falls back to the clock form of out_time', () => {
    expect(parseFfmpegProgress(['out_time=01:02:03.250000', 'progress=end'])).toEqual({
      outTimeSec: 3723.25,
      done: true,
    });
  });

  it('ignores N/A and the negative start times ffmpeg prints before the first frame', () => {
    expect(parseFfmpegProgress(['out_time_us=N/A', 'out_time=N/A', 'speed=N/A', 'progress=continue'])).toBeUndefined();
    expect(
      parseFfmpegProgress(['out_time_us=-9223372036854775807', 'out_time=-2562047:47:16.854775', 'progress=continue']),
    ).toBeUndefined();
    expect(parseFfmpegProgress(['out_time_us=N/A', 'out_time=00:00:00.400000', 'speed=N/A'])).toEqual({
      outTimeSec: 0.4,
      done: false,
    });
  });

  it('adds a clamped fraction when the total length is known, 1 at the end', () => {
    expect(parseFfmpegProgress(['out_time_us=1000000'], 4)?.fraction).toBe(0.25);
    expect(parseFfmpegProgress(['out_time_us=5000000'], 4)?.fraction).toBe(1);
    expect(parseFfmpegProgress(['out_time_us=3900000', 'progress=end'], 4)?.fraction).toBe(1);
  });
});

describe('runFfmpeg', () => {
  let scratch: Awaited<ReturnType<typeof makeScratchDir>>;
  beforeAll(async () => {
    scratch = await makeScratchDir();
  });
  afterAll(() => scratch.cleanup());

  it('renders a 2 s clip and reports rising progress up to its end', async () => {
    const out = path.join(scratch.dir, 'progress.mp4');
    const reports: FfmpegProgress[] = [];
    await runFfmpeg(
      [
        ...['-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25:duration=2'],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', out],
      ],
      { totalSec: 2, onProgress: (p) => reports.push(p) },
    );
    expect(reports.length).toBeGreaterThan(0);
    const last = reports[reports.length - 1] as FfmpegProgress;
    expect(last.done).toBe(true);
    expect(last.fraction).toBe(1);
    expect(last.outTimeSec).toBeCloseTo(2, 0);
    const times = reports.map((r) => r.outTimeSec);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect((await probeMedia(out)).durationSec).toBeCloseTo(2, 1);
  });

  it('rejects with MediaToolError on an invalid filter', async () => {
    const out = path.join(scratch.dir, 'bad.mp4');
    await expect(runFfmpeg(['-f', 'lavfi', '-i', 'nosuchsource=x', out])).rejects.toBeInstanceOf(MediaToolError);
  });
});
