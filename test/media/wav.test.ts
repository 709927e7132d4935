import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { probeMedia } from '../../src/media/probe';
import { isWav, pcmToWav } from '../../src/media/wav';
import { makeScratchDir } from './media-test-helpers';

/** One second of a 24 kHz mono 16-bit tone, like the L16 audio Gemini TTS returns. */
function tonePcm(sampleRate: number, seconds: number): Buffer {
  const samples = Math.round(sampleRate * seconds);
  const pcm = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / sampleRate)), i * 2);
  return pcm;
}

describe('pcmToWav', () => {
  let scratch: Awaited<ReturnType<typeof makeScratchDir>>;
  beforeAll(async () => {
    scratch = await makeScratchDir();
  });
  afterAll(() => scratch.cleanup());

  it('produces a WAV that ffprobe reads with the right rate, channels and length', async () => {
    const wav = pcmToWav(tonePcm(24000, 1.5), { sampleRate: 24000, channels: 1, bitsPerSample: 16 });
    const file = path.join(scratch.dir, 'tone.wav');
    await writeFile(file, wav);
    const info = await probeMedia(file);
    expect(info.audio).toEqual({ codec: 'pcm_s16le', sampleRate: 24000, channels: 1 });
    expect(info.durationSec).toBeCloseTo(1.5, 2);
  });

  it('drops a trailing partial sample frame', () => {
    const wav = pcmToWav(Buffer.alloc(7), { sampleRate: 8000, channels: 2, bitsPerSample: 16 });
    expect(wav.length).toBe(44 + 4);
    expect(wav.readUInt32LE(40)).toBe(4);
  });

  it('refuses an impossible format', () => {
    expect(() => pcmToWav(Buffer.alloc(4), { sampleRate: 0, channels: 1, bitsPerSample: 16 })).toThrow(RangeError);
  });
});

describe('isWav', () => {
  it('recognises a RIFF/WAVE header and nothing else', () => {
    expect(isWav(pcmToWav(Buffer.alloc(4), { sampleRate: 8000, channels: 1, bitsPerSample: 16 }))).toBe(true);
    expect(isWav(Buffer.from('RIFF\0\0\0\0AVI LIST'))).toBe(false);
    expect(isWav(tonePcm(8000, 0.01))).toBe(false);
    expect(isWav(Buffer.alloc(0))).toBe(false);
  });
});
