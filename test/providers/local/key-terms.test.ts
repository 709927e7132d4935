import { keyTerms } from '../../../src/providers/local/key-terms';
import { STOPWORDS } from '../../../src/providers/local/text-rank';

const sleep =
  'During deep sleep, slow brain waves replay the day’s experiences. The hippocampus sends them to the cortex. ' +
  'The hippocampus and the cortex fire together, and the cortex keeps what the hippocampus replayed.';

describe('keyTerms', () => {
  it('names the words the narration keeps coming back to, best first', () => {
    const terms = keyTerms(sleep, 3);
    expect(terms).toHaveLength(3);
    expect(terms.slice(0, 2).sort()).toEqual(['cortex', 'hippocampus']);
  });

  it('leaves out stopwords, numbers, adverbs and past verbs', () => {
    const terms = keyTerms('We found that the 120 adults who slept longer recalled remarkably more of the 40 word pairs.', 10);
    expect(terms.length).toBeGreaterThan(0);
    for (const term of terms) {
      for (const word of term.split(' ')) {
        expect(STOPWORDS.has(word.toLowerCase())).toBe(false);
        expect(word).toMatch(/\p{L}/u);
        expect(word).not.toMatch(/(ly|ed)$/);
      }
    }
  });

  it('joins two top words that stand side by side into one phrase, as first written', () => {
    const text =
      'Brain waves rise at night. Brain waves carry memories. Slow brain waves fill deep sleep, and brain waves fade by morning.';
    const terms = keyTerms(text, 3);
    expect(terms[0]).toBe('Brain waves');
    // The phrase stands for its words: neither is listed again alone.
    expect(terms.filter((t) => /brain|waves/i.test(t))).toHaveLength(1);
  });

  it('keeps the casing of the text', () => {
    expect(keyTerms('REM sleep follows deep sleep. REM sleep brings dreams. Dreams fade.', 2)).toContain('REM sleep');
  });

  it('skips terms the title already shows', () => {
    const terms = keyTerms(sleep, 3, { omit: 'The hippocampus' });
    expect(terms).not.toContain('hippocampus');
    expect(terms).toContain('cortex');
    expect(terms).toHaveLength(3);
  });

  it('gives at most the number asked for, nothing for an empty or stopword-only text, and the same terms every time', () => {
    expect(keyTerms(sleep, 1)).toHaveLength(1);
    expect(keyTerms('', 3)).toEqual([]);
    expect(keyTerms('It is what it is, and so on.', 3)).toEqual([]);
    expect(keyTerms(sleep, 4)).toEqual(keyTerms(`${sleep}`, 4));
  });
});
