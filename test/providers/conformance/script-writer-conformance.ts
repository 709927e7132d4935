/**
 * What every ScriptWriter promises, whichever service is behind it. Adapter test files call this
 * with a factory; the factory runs inside each test, so it may use servers started in beforeAll.
 */
import type { ScriptWriter } from '../../../src/providers/contracts';
import type { SourceDocument } from '../../../src/shared/video';

const document: SourceDocument = {
  title: 'Blue-blocking glasses help night-shift nurses sleep',
  sections: [
    {
      label: 'BACKGROUND',
      text: 'Night-shift workers often struggle to fall asleep after their shift, because morning light tells the body clock that the day has begun.',
    },
    {
      label: 'METHODS',
      text: 'Sixty-four nurses wore blue-blocking glasses or clear glasses on the commute home, two weeks each, in random order.',
    },
    { label: 'RESULTS', text: 'With blue-blocking glasses they fell asleep 21 minutes earlier and slept 34 minutes longer.' },
    { label: 'CONCLUSIONS', text: 'Blocking morning light on the way home is a cheap way to help night-shift workers sleep.' },
  ],
  authors: ['Okafor AN', 'Müller J'],
  journal: 'J Sleep Circadian Res',
  year: 2023,
};

const words = (text: string): number => text.split(/\s+/).filter(Boolean).length;

export function describeScriptWriterConformance(name: string, makeWriter: () => ScriptWriter): void {
  describe(`${name} (ScriptWriter conformance)`, () => {
    it('writes a titled script whose first scene is the title scene', async () => {
      const { script, spend } = await makeWriter().writeScript({ document, maxScenes: 6, signal: new AbortController().signal });
      expect(script.title.trim()).not.toBe('');
      expect(script.scenes.length).toBeGreaterThanOrEqual(1);
      expect(script.scenes[0]?.title).toBe(script.title);
      expect(script.scenes.map((s) => s.index)).toEqual(script.scenes.map((_, i) => i));
      expect(spend.credits).toBeGreaterThanOrEqual(0);
    });

    it.each([2, 4, 6])('keeps to at most %i scenes', async (maxScenes) => {
      const { script } = await makeWriter().writeScript({ document, maxScenes, signal: new AbortController().signal });
      expect(script.scenes.length).toBeLessThanOrEqual(maxScenes);
    });

    it('keeps every narration speakable in about 15 seconds (40 words)', async () => {
      const { script } = await makeWriter().writeScript({ document, maxScenes: 6, signal: new AbortController().signal });
      for (const scene of script.scenes) {
        expect(scene.title.trim()).not.toBe('');
        expect(scene.narration.trim()).not.toBe('');
        expect(words(scene.narration)).toBeLessThanOrEqual(40);
      }
    });

    it('rejects when its signal is already aborted', async () => {
      await expect(makeWriter().writeScript({ document, maxScenes: 4, signal: AbortSignal.abort() })).rejects.toBeDefined();
    });
  });
}
