import { GeminiNarrator } from '../../../src/providers/gemini/gemini-narrator';
import { GeminiScriptWriter } from '../../../src/providers/gemini/gemini-script-writer';
import { startFakeGemini, type FakeGemini } from '../../fakes/fake-gemini';
import { geminiTestClient } from '../../fakes/gemini-test-client';
import { describeNarratorConformance } from '../conformance/narrator-conformance';
import { describeScriptWriterConformance } from '../conformance/script-writer-conformance';

let fake: FakeGemini;
beforeAll(async () => {
  fake = await startFakeGemini();
});
afterAll(() => fake.close());

describeScriptWriterConformance(
  'GeminiScriptWriter against the fake Gemini API',
  () => new GeminiScriptWriter({ client: geminiTestClient(fake.url), model: 'gemini-test-flash', attempts: 2 }),
);

describeNarratorConformance(
  'GeminiNarrator against the fake Gemini API',
  () => new GeminiNarrator({ client: geminiTestClient(fake.url), model: 'gemini-test-tts' }),
  { voice: 'Kore' },
);
