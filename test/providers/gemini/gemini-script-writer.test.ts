import { GeminiScriptWriter } from '../../../src/providers/gemini/gemini-script-writer';
import {
  InvalidProviderReplyError,
  ProviderRejectedError,
  ProviderUnavailableError,
  RateLimitedError,
  SafetyBlockedError,
} from '../../../src/providers/errors';
import type { SourceDocument } from '../../../src/shared/video';
import { startFakeGemini, type FakeGemini } from '../../fakes/fake-gemini';
import { geminiTestClient } from '../../fakes/gemini-test-client';

const MODEL = 'gemini-test-flash';

const document: SourceDocument = {
  title: 'Morning light and sleep in shift workers',
  sections: [
    { label: 'BACKGROUND', text: 'Night-shift workers struggle to fall asleep.' },
    { label: 'RESULTS', text: 'Blue-blocking glasses brought sleep 21 minutes earlier.' },
  ],
  authors: ['Okafor AN', 'Müller J'],
  journal: 'J Sleep Circadian Res',
  year: 2023,
};

const validReply = {
  title: 'Light, glasses and sleep',
  scenes: [
    { title: 'Intro', narration: 'Why do night-shift workers sleep badly?', visual: 'A nurse at dawn' },
    { title: 'The trial', narration: 'Nurses wore blue-blocking glasses on the way home.' },
  ],
};

describe('GeminiScriptWriter', () => {
  let fake: FakeGemini;
  let writer: GeminiScriptWriter;
  const signal = new AbortController().signal;

  beforeAll(async () => {
    fake = await startFakeGemini();
    writer = new GeminiScriptWriter({ client: geminiTestClient(fake.url), model: MODEL, attempts: 3 });
  });
  afterAll(() => fake.close());

  it('asks for JSON with a schema bounded to maxScenes and returns the script with the title scene first', async () => {
    fake.enqueue({ kind: 'json', value: validReply });
    const before = fake.requests.length;
    const { script, spend } = await writer.writeScript({ document, maxScenes: 5, signal });

    expect(script.title).toBe('Light, glasses and sleep');
    expect(script.scenes.map((s) => [s.index, s.title])).toEqual([
      [0, 'Light, glasses and sleep'],
      [1, 'The trial'],
    ]);
    expect(script.scenes[0]?.visual).toBe('A nurse at dawn');
    expect(spend).toEqual({ credits: 0, tokens: 200 });

    const sent = fake.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ model: MODEL, apiKey: 'test-key', status: 200 });
    const config = sent[0]?.body.generationConfig;
    expect(config?.responseMimeType).toBe('application/json');
    expect(config?.responseJsonSchema?.properties?.scenes?.maxItems).toBe(5);
    expect(JSON.stringify(sent[0]?.body.contents)).toContain('Blue-blocking glasses brought sleep 21 minutes earlier.');
  });

  it('asks again after an invalid reply and succeeds with the next valid one', async () => {
    fake.enqueue({ kind: 'text', text: '{"title": "cut off' }, { kind: 'json', value: validReply });
    const before = fake.requests.length;
    const { script } = await writer.writeScript({ document, maxScenes: 5, signal });
    expect(script.scenes).toHaveLength(2);
    expect(fake.requests.length - before).toBe(2);
  });

  it('fails with InvalidProviderReplyError after `attempts` invalid replies', async () => {
    const tooLong = { title: 'T', scenes: [{ title: 'A', narration: 'word '.repeat(41) }] };
    const tooMany = { title: 'T', scenes: Array.from({ length: 6 }, () => ({ title: 'A', narration: 'Short.' })) };
    fake.enqueue({ kind: 'text', text: 'not json' }, { kind: 'json', value: tooLong }, { kind: 'json', value: tooMany });
    const before = fake.requests.length;
    const err = await writer.writeScript({ document, maxScenes: 5, signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidProviderReplyError);
    expect((err as Error).message).toContain('more than 5');
    expect(fake.requests.length - before).toBe(3);
  });

  it('turns 503 into ProviderUnavailableError after a single request (no SDK retries)', async () => {
    fake.enqueue({ kind: 'error', status: 503 });
    const before = fake.requests.length;
    await expect(writer.writeScript({ document, maxScenes: 5, signal })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(fake.requests.length - before).toBe(1);
  });

  it('turns 429 into RateLimitedError carrying the RetryInfo delay', async () => {
    fake.enqueue({ kind: 'error', status: 429, retryDelaySec: 37 });
    const err = await writer.writeScript({ document, maxScenes: 5, signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(37_000);
  });

  it('turns a rejected API key into ProviderRejectedError', async () => {
    const badKey = new GeminiScriptWriter({ client: geminiTestClient(fake.url, 'wrong-key'), model: MODEL, attempts: 3 });
    const err = await badKey.writeScript({ document, maxScenes: 5, signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderRejectedError);
    expect((err as Error).message).not.toContain('wrong-key');
  });

  it.each([
    ['a blocked prompt', { kind: 'prompt-blocked' as const, blockReason: 'PROHIBITED_CONTENT' }],
    ['a SAFETY finish reason', { kind: 'finish' as const, finishReason: 'SAFETY' }],
  ])('turns %s into SafetyBlockedError without asking again', async (_name, behaviour) => {
    fake.enqueue(behaviour);
    const before = fake.requests.length;
    const err = await writer.writeScript({ document, maxScenes: 5, signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SafetyBlockedError);
    expect((err as SafetyBlockedError).retryable).toBe(false);
    expect(fake.requests.length - before).toBe(1);
  });

  it('rejects with the abort when aborted while waiting for Gemini', async () => {
    fake.enqueue({ kind: 'delay', ms: 2000 });
    const controller = new AbortController();
    const pending = writer.writeScript({ document, maxScenes: 5, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
