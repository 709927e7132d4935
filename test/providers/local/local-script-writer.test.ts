import { LocalScriptWriter, MAX_SCENE_WORDS, packSentences, splitSentences } from '../../../src/providers/local/local-script-writer';
import { MAX_WORDS_PER_SCENE, scriptProblems } from '../../../src/shared/validate-script';
import type { SourceDocument } from '../../../src/shared/video';

const wordCount = (text: string): number => text.split(/\s+/).filter(Boolean).length;

const paper: SourceDocument = {
  title: 'Sleep duration and next-day memory in adults',
  authors: ['Ada Lovelace', 'Alan Turing'],
  journal: 'Journal of Sleep Research',
  year: 2024,
  sections: [
    {
      label: 'BACKGROUND',
      text: 'Sleep is thought to consolidate memory. Few trials have measured it at home, e.g. with wearables. We asked whether longer sleep improves recall.',
    },
    {
      label: 'METHODS',
      text:
        'We enrolled 120 adults. Each wore a tracker for two weeks and learned forty word pairs every evening before bed. Recall was tested after waking. ' +
        'Analyses adjusted for age, caffeine and reported stress levels during the study period.',
    },
    {
      text:
        'Participants who slept at least seven hours recalled 12% more pairs. The effect held in every age group. ' +
        'One remarkably long sentence that goes on and on without any full stop because it lists many many details such as the devices the participants used the rooms they slept in the times they went to bed and the snacks they ate before bedtime which were all recorded carefully.',
    },
  ],
};

function request(document: SourceDocument, maxScenes: number) {
  return { document, maxScenes, signal: new AbortController().signal };
}

describe('LocalScriptWriter', () => {
  const writer = new LocalScriptWriter();

  it('opens with a title scene naming the title, journal, year and first author', async () => {
    const { script, spend } = await writer.writeScript(request(paper, 20));
    expect(spend).toEqual({ credits: 0 });
    expect(script.title).toBe(paper.title);
    const first = script.scenes[0];
    expect(first).toMatchObject({ index: 0, title: paper.title, visual: paper.title });
    expect(first?.narration).toContain(paper.title);
    expect(first?.narration).toContain('Journal of Sleep Research');
    expect(first?.narration).toContain('2024');
    expect(first?.narration).toContain('Ada Lovelace');
  });

  it('keeps every scene at 40 words or fewer, splitting an overlong sentence', async () => {
    const { script } = await writer.writeScript(request(paper, 20));
    for (const scene of script.scenes) expect(wordCount(scene.narration)).toBeLessThanOrEqual(MAX_SCENE_WORDS);
    const allText = script.scenes
      .slice(1)
      .map((s) => s.narration)
      .join(' ');
    expect(allText).toContain('snacks they ate before bedtime');
  });

  it('numbers scenes in order and titles them by section label, a short head clause, or key terms', async () => {
    const { script } = await writer.writeScript(request(paper, 20));
    script.scenes.forEach((scene, i) => expect(scene.index).toBe(i));
    expect(script.scenes[1]?.title).toBe('BACKGROUND');
    const unlabelled = script.scenes.find((s) => s.narration.startsWith('Participants who slept'));
    // Its first sentence has no short clause: the scene is named by its key terms, never a cut phrase.
    expect(unlabelled?.title).toBe('Participants, hours and pairs');
    for (const scene of script.scenes) expect(scene.visual).toBe(scene.title);
  });

  it('never writes more than maxScenes and keeps a scene for every section when it must cut', async () => {
    const full = await writer.writeScript(request(paper, 50));
    expect(full.script.scenes.length).toBeGreaterThan(4);
    const { script } = await writer.writeScript(request(paper, 4));
    expect(script.scenes).toHaveLength(4);
    expect(script.scenes.map((s) => s.title)).toEqual([paper.title, 'BACKGROUND', 'METHODS', 'Participants, hours and pairs']);
    expect(script.scenes[2]?.narration.startsWith('We enrolled 120 adults.')).toBe(true);
    expect((await writer.writeScript(request(paper, 1))).script.scenes).toHaveLength(1);
  });

  describe('when a section is longer than its scenes', () => {
    // Off-topic sentences open the section and sit between the ones it is about.
    const findings = [
      'This work was funded by a private foundation in Geneva.',
      "Sleep strengthens memory by replaying the day's learning in the hippocampus.",
      'The weather during the study was unusually warm for the season.',
      'During deep sleep the hippocampus replays new memory traces to the cortex.',
      'Memory traces replayed during sleep become stable in the cortex.',
      'Participants in the sleep group recalled more words than those kept awake all night.',
      'The authors thank the technicians of the laboratory for their help.',
    ];
    const doc: SourceDocument = {
      title: 'Sleep and memory',
      authors: [],
      sections: [
        { label: 'AIM', text: 'We asked whether sleep helps memory.' },
        { label: 'FINDINGS', text: findings.join(' ') },
      ],
    };

    it('narrates its most central sentences in their original order, not its first ones', async () => {
      const { script } = await writer.writeScript(request(doc, 3));
      expect(script.scenes.map((s) => s.title)).toEqual(['Sleep and memory', 'AIM', 'FINDINGS']);
      // The short section fits its scene and is read whole.
      expect(script.scenes[1]?.narration).toBe('We asked whether sleep helps memory.');
      const narration = script.scenes[2]?.narration ?? '';
      expect(narration).not.toContain(findings[0]);
      expect(narration).not.toContain(findings[2]);
      expect(narration).toContain(findings[3]);
      const kept = splitSentences(narration);
      expect(kept.length).toBeGreaterThan(1);
      const positions = kept.map((s) => findings.indexOf(s));
      expect(positions.every((p) => p >= 0)).toBe(true);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    });

    it('stays under the word limit and passes the script rules', async () => {
      expect(MAX_SCENE_WORDS).toBeLessThanOrEqual(MAX_WORDS_PER_SCENE);
      for (const maxScenes of [2, 3, 4]) {
        const { script } = await writer.writeScript(request(doc, maxScenes));
        expect(script.scenes.length).toBeLessThanOrEqual(maxScenes);
        for (const scene of script.scenes) expect(wordCount(scene.narration)).toBeLessThanOrEqual(MAX_SCENE_WORDS);
        expect(scriptProblems(script)).toEqual([]);
      }
    });

    it('fills a second scene with the next most central sentence when it has two', async () => {
      const { script } = await writer.writeScript(request(doc, 4));
      const narrations = script.scenes.slice(2).map((s) => s.narration);
      expect(narrations).toHaveLength(2);
      expect(narrations.join(' ')).toContain(findings[5]);
      expect(narrations.join(' ')).not.toContain(findings[0]);
    });

    it('falls back to its first words when no whole sentence fits a scene', async () => {
      const run = `${'sleep helps memory and '.repeat(25)}that is all.`;
      const { script } = await writer.writeScript(request({ title: 'Run-on', authors: [], sections: [{ text: run }] }, 2));
      expect(script.scenes).toHaveLength(2);
      const narration = script.scenes[1]?.narration ?? '';
      expect(wordCount(narration)).toBeGreaterThan(0);
      expect(wordCount(narration)).toBeLessThanOrEqual(MAX_SCENE_WORDS);
      expect(run.startsWith(narration)).toBe(true);
    });

    it('is read whole when the scenes allow', async () => {
      const { script } = await writer.writeScript(request(doc, 20));
      const all = script.scenes
        .slice(2)
        .map((s) => s.narration)
        .join(' ');
      expect(all).toBe(findings.join(' '));
    });
  });

  it('titles a scene by the clause after an opening phrase, and never starts with a connective', async () => {
    const doc: SourceDocument = {
      title: 'Sleep',
      authors: [],
      sections: [
        { text: "During deep sleep, slow brain waves replay the day's experiences. The hippocampus and the cortex fire together." },
        { text: 'So the brain keeps what matters. Memories settle overnight.' },
      ],
    };
    const { script } = await writer.writeScript(request(doc, 6));
    expect(script.scenes.slice(1).map((s) => s.title)).toEqual([
      "Slow brain waves replay the day's experiences",
      'The brain keeps what matters',
    ]);
  });

  it('is deterministic', async () => {
    const a = await writer.writeScript(request(paper, 6));
    const b = await writer.writeScript(request(structuredClone(paper), 6));
    expect(b).toEqual(a);
  });

  it('keeps the title scene short when the title is very long', async () => {
    const doc = { ...paper, title: 'word '.repeat(60).trim() };
    const { script } = await writer.writeScript(request(doc, 3));
    expect(wordCount(script.scenes[0]?.narration ?? '')).toBeLessThanOrEqual(MAX_SCENE_WORDS);
  });

  it('refuses to start when already cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(writer.writeScript({ document: paper, maxScenes: 4, signal: controller.signal })).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});

describe('splitSentences and packSentences', () => {
  it('splits at sentence ends but not inside abbreviations followed by lower case', () => {
    expect(splitSentences('It works, e.g. here. Then (2) more! Really?  Yes.')).toEqual([
      'It works, e.g. here.',
      'Then (2) more!',
      'Really?',
      'Yes.',
    ]);
  });

  it('packs whole sentences greedily up to the word limit', () => {
    expect(packSentences(['a b c.', 'd e.', 'f g h i.'], 5)).toEqual(['a b c. d e.', 'f g h i.']);
  });
});
