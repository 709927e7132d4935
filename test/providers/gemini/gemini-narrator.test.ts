import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GeminiNarrator } from '../../../src/providers/gemini/gemini-narrator';
import { ProviderUnavailableError, SafetyBlockedError } from '../../../src/providers/errors';
import { probeMedia } from '../../../src/media/probe';
import { startFakeGemini, type FakeGemini } from '../../fakes/fake-gemini';
import { geminiTestClient } from '../../fakes/gemini-test-client';

const MODEL = 'gemini-test-tts';

describe('GeminiNarrator', () => {
  let fake: FakeGemini;
  let narrator: GeminiNarrator;
  let dir: string;
  const signal = new AbortController().signal;

  beforeAll(async () => {
    fake = await startFakeGemini();
    narrator = new GeminiNarrator({ client: geminiTestClient(fake.url), model: MODEL });
    dir = await mkdtemp(path.join(os.tmpdir(), 'gemini-narrator-'));
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('asks for AUDIO in the requested voice and frames the L16 PCM reply as a 24 kHz mono WAV', async () => {
    fake.enqueue({ kind: 'audio-pcm', seconds: 1.5 });
    const outPath = path.join(dir, 'pcm.wav');
    const { spend } = await narrator.narrate({ text: 'Light shifts the body clock.', voice: 'Kore', outPath, signal });

    expect(spend).toEqual({ credits: 0, tokens: 200 });
    const info = await probeMedia(outPath);
    expect(info.audio).toEqual({ codec: 'pcm_s16le', sampleRate: 24000, channels: 1 });
    expect(info.durationSec).toBeCloseTo(1.5, 2);

    const sent = fake.requests.at(-1);
    expect(sent?.model).toBe(MODEL);
    expect(sent?.body.generationConfig?.responseModalities).toEqual(['AUDIO']);
    expect(sent?.body.generationConfig?.speechConfig?.voiceConfig?.prebuiltVoiceConfig?.voiceName).toBe('Kore');
    expect(JSON.stringify(sent?.body.contents)).toContain('Light shifts the body clock.');
  });

  it('reads the sample rate from the mime type', async () => {
    fake.enqueue({ kind: 'audio-pcm', seconds: 1, sampleRate: 16000 });
    const outPath = path.join(dir, 'pcm16k.wav');
    await narrator.narrate({ text: 'Sixteen kilohertz.', voice: 'Puck', outPath, signal });
    const info = await probeMedia(outPath);
    expect(info.audio?.sampleRate).toBe(16000);
    expect(info.durationSec).toBeCloseTo(1, 2);
  });

  it('writes a WAV reply as it came', async () => {
    fake.enqueue({ kind: 'audio-wav', seconds: 0.8 });
    const outPath = path.join(dir, 'as-is.wav');
    await narrator.narrate({ text: 'Already a WAV.', voice: 'Kore', outPath, signal });
    const data = await readFile(outPath);
    expect(data.toString('ascii', 0, 4)).toBe('RIFF');
    expect((await probeMedia(outPath)).durationSec).toBeCloseTo(0.8, 2);
  });

  it('turns a safety block into SafetyBlockedError and writes nothing', async () => {
    fake.enqueue({ kind: 'finish', finishReason: 'PROHIBITED_CONTENT' });
    const outPath = path.join(dir, 'blocked.wav');
    await expect(narrator.narrate({ text: 'Blocked.', voice: 'Kore', outPath, signal })).rejects.toBeInstanceOf(SafetyBlockedError);
    expect(await readdir(dir)).not.toContain('blocked.wav');
  });

  it('turns 503 into ProviderUnavailableError', async () => {
    fake.enqueue({ kind: 'error', status: 503 });
    const outPath = path.join(dir, 'unavailable.wav');
    await expect(narrator.narrate({ text: 'Busy.', voice: 'Kore', outPath, signal })).rejects.toBeInstanceOf(ProviderUnavailableError);
  });
});
