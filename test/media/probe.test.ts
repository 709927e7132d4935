import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MediaToolError } from '../../src/media/media-tool-error';
import { probeMedia } from '../../src/media/probe';
import { runTool } from '../../src/media/run-tool';
import { makeScratchDir } from './media-test-helpers';

describe('probeMedia', () => {
  let scratch: Awaited<ReturnType<typeof makeScratchDir>>;
  beforeAll(async () => {
    scratch = await makeScratchDir();
  });
  afterAll(() => scratch.cleanup());

  it('reports duration, size, video and audio streams of an MP4', async () => {
    const out = path.join(scratch.dir, 'av.mp4');
    await runTool('ffmpeg', [
      ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=1'],
      ...['-f', 'lavfi', '-i', 'sine=sample_rate=44100:duration=1'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ac', '2', '-shortest', out],
    ]);
    const info = await probeMedia(out);
    expect(info.durationSec).toBeGreaterThan(0.9);
    expect(info.durationSec).toBeLessThan(1.2);
    expect(info.sizeBytes).toBeGreaterThan(1000);
    expect(info.video).toEqual({ codec: 'h264', width: 320, height: 180, fps: 25 });
    expect(info.audio).toEqual({ codec: 'aac', sampleRate: 44100, channels: 2 });
  });

  it('rejects with MediaToolError for a file that is not media', async () => {
    const junk = path.join(scratch.dir, 'junk.mp4');
    await writeFile(junk, 'not a video');
    await expect(probeMedia(junk)).rejects.toBeInstanceOf(MediaToolError);
  });
});
