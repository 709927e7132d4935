import path from 'node:path';
import { speakToWav } from '../../src/media/espeak';
import { MediaToolError } from '../../src/media/media-tool-error';
import { probeMedia } from '../../src/media/probe';
import { analyse, makeScratchDir } from './media-test-helpers';

function meanVolumeDb(log: string): number {
  const m = /mean_volume:\s*(-?[\d.]+|-inf) dB/.exec(log);
  return m && m[1] !== '-inf' ? Number(m[1]) : -Infinity;
}

describe('speakToWav', () => {
  let scratch: Awaited<ReturnType<typeof makeScratchDir>>;
  beforeAll(async () => {
    scratch = await makeScratchDir();
  });
  afterAll(() => scratch.cleanup());

  it('writes an audible WAV of the spoken text', async () => {
    const out = path.join(scratch.dir, 'speech.wav');
    await speakToWav('-v starts with a dash; sleep helps memory.', 'en-us', out);
    const info = await probeMedia(out);
    expect(info.audio?.codec).toMatch(/^pcm_/);
    expect(info.durationSec).toBeGreaterThan(0.5);
    expect(meanVolumeDb(await analyse(out, '-af', 'volumedetect'))).toBeGreaterThan(-60);
  });

  it('rejects with MediaToolError for an unknown voice', async () => {
    const out = path.join(scratch.dir, 'unknown.wav');
    await expect(speakToWav('hello', 'xx-no-such-voice', out)).rejects.toBeInstanceOf(MediaToolError);
  });
});
