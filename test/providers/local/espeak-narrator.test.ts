import path from 'node:path';
import { probeMedia } from '../../../src/media/probe';
import { EspeakNarrator, listEspeakVoices } from '../../../src/providers/local/espeak-narrator';
import { makeScratchDir } from '../../media/media-test-helpers';

describe('EspeakNarrator', () => {
  let scratch: Awaited<ReturnType<typeof makeScratchDir>>;
  const narrator = new EspeakNarrator({ fallbackVoice: 'en-us' });
  beforeAll(async () => {
    scratch = await makeScratchDir();
  });
  afterAll(() => scratch.cleanup());

  it('knows espeak-ng voices by language, name and file', async () => {
    const voices = await listEspeakVoices();
    expect(voices.has('en-us')).toBe(true);
    expect(voices.has('en-gb')).toBe(true);
    expect(voices.has('english_(america)')).toBe(true);
    expect(voices.has('gmw/en-us')).toBe(true);
  });

  it('uses a requested espeak-ng voice and falls back for voices of other providers', async () => {
    await expect(narrator.resolveVoice('en-gb')).resolves.toBe('en-gb');
    await expect(narrator.resolveVoice('EN-GB+f3')).resolves.toBe('EN-GB+f3');
    await expect(narrator.resolveVoice('Kore')).resolves.toBe('en-us');
    await expect(narrator.resolveVoice('')).resolves.toBe('en-us');
  });

  it('speaks a scene into a WAV file at no cost, even with a foreign voice name', async () => {
    const outPath = path.join(scratch.dir, 'scenes', 'scene-1.wav');
    const { spend } = await narrator.narrate({
      text: 'Longer sleep helped people remember more.',
      voice: 'Kore',
      outPath,
      signal: new AbortController().signal,
    });
    expect(spend).toEqual({ credits: 0 });
    const info = await probeMedia(outPath);
    expect(info.audio?.codec).toMatch(/^pcm_/);
    expect(info.durationSec).toBeGreaterThan(0.5);
  });
});
