import { contentStems, pageRank, rankSentences, stem, summarise } from '../../../src/providers/local/text-rank';

const wordCount = (text: string): number => text.split(/\s+/).filter(Boolean).length;

/** A section about sleep and memory, with off-topic sentences first, in the middle and last. */
const section = [
  'Funding came from a private foundation.',
  "Sleep strengthens memory by replaying the day's learning in the hippocampus.",
  'During deep sleep the hippocampus replays new memory traces to the cortex.',
  'The weather during the study was unusually warm.',
  'Memory traces replayed during sleep become stable in the cortex.',
  'Participants in the sleep group recalled more words than those kept awake.',
  'The authors thank the technicians.',
];

describe('rankSentences', () => {
  it('ranks sentences that share the section’s words above off-topic ones', () => {
    const scores = rankSentences(section);
    expect(scores).toHaveLength(section.length);
    const [funding, , replays, weather, , , thanks] = scores as [number, number, number, number, number, number, number];
    expect(replays).toBeGreaterThan(funding);
    expect(replays).toBeGreaterThan(weather);
    expect(replays).toBeGreaterThan(thanks);
    // A sentence sharing no word with the others keeps only the damping floor, 1 - 0.85.
    expect(weather).toBeCloseTo(0.15, 6);
  });

  it('gives every sentence the same score when none shares a word', () => {
    expect(rankSentences(['Cats purr.', 'Rain falls.', 'Stocks rose.'])).toEqual([0.15, 0.15, 0.15].map((s) => expect.closeTo(s, 9)));
  });

  it('returns nothing for no sentences', () => {
    expect(rankSentences([])).toEqual([]);
  });
});

describe('summarise', () => {
  it('keeps the central sentences in their original order and drops the off-topic ones', () => {
    const summary = summarise(section, { maxWords: 40 });
    expect(summary).not.toContain(section[0]);
    expect(summary).not.toContain(section[3]);
    expect(summary).toContain(section[2]);
    const positions = summary.map((s) => section.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
  });

  it('never goes over the word budget, however small', () => {
    for (const maxWords of [5, 12, 20, 33, 40]) {
      const summary = summarise(section, { maxWords });
      expect(summary.reduce((sum, s) => sum + wordCount(s), 0)).toBeLessThanOrEqual(maxWords);
    }
    expect(summarise(section, { maxWords: 3 })).toEqual([]);
  });

  it('returns a text that already fits whole, in order', () => {
    expect(summarise(section.slice(0, 3), { maxWords: 100 })).toEqual(section.slice(0, 3));
  });

  it('also honours a fits test, trying lower-ranked sentences when a better one does not pass', () => {
    const shortOnly = summarise(section, { maxWords: 100, fits: (chosen) => chosen.every((s) => wordCount(s) <= 10) });
    expect(shortOnly.length).toBeGreaterThan(0);
    expect(shortOnly.every((s) => wordCount(s) <= 10)).toBe(true);
    expect(shortOnly).toContain(section[4]);
  });

  it('is deterministic and breaks ties by original order', () => {
    expect(summarise(section, { maxWords: 30 })).toEqual(summarise([...section], { maxWords: 30 }));
    // Three unrelated sentences tie: the budget goes to the earliest.
    expect(summarise(['Cats purr softly.', 'Rain falls hard.', 'Stocks rose sharply.'], { maxWords: 6 })).toEqual([
      'Cats purr softly.',
      'Rain falls hard.',
    ]);
    expect(summarise(['Stocks rose sharply.', 'Rain falls hard.', 'Cats purr softly.'], { maxWords: 3 })).toEqual(['Stocks rose sharply.']);
  });
});

describe('pageRank', () => {
  it('scores the hub of a star above its leaves, and an isolated vertex at the floor', () => {
    const star = [
      [0, 1, 1, 1, 0],
      [1, 0, 0, 0, 0],
      [1, 0, 0, 0, 0],
      [1, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
    ];
    const [hub, leaf, , , alone] = pageRank(star) as [number, number, number, number, number];
    expect(hub).toBeGreaterThan(leaf);
    expect(alone).toBeCloseTo(0.15, 9);
    // Converged: the fixed point of the hub's update, hub = 0.15 + 0.85 · 3 · leaf.
    expect(hub).toBeCloseTo(0.15 + 0.85 * 3 * leaf, 5);
  });
});

describe('stem and contentStems', () => {
  it('folds plurals, -ing and -ed forms and case onto one stem', () => {
    expect(['memories', 'Memory', 'memory’s'].map(stem)).toEqual(['memory', 'memory', 'memory']);
    expect(['replays', 'replaying', 'replayed'].map(stem)).toEqual(['replay', 'replay', 'replay']);
    expect(['analysis', 'virus', 'class'].map(stem)).toEqual(['analysis', 'virus', 'class']);
  });

  it('drops stopwords', () => {
    expect(contentStems('The brain keeps what it learns during the night.')).toEqual(['brain', 'keep', 'learn', 'night']);
  });
});
