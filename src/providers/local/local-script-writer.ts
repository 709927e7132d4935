/**
 * A script writer that needs no key and no network: it reads the document's own sentences
 * aloud, packed into scenes short enough to narrate in about 15 seconds. Scenes are titled by
 * their section's label, a short head clause, or their key terms (sceneTitle), never a phrase
 * cut in the middle. The same document always gives the same script, which keeps demos and tests
 * reproducible.
 *
 * When the text needs more scenes than `maxScenes` allows, the budget is dealt out to the
 * sections in turns (one scene each, then a second each, …), so every section keeps its point.
 * A section that fits its scenes is read whole; a longer one is summarised by TextRank: it keeps
 * the sentences the rest of the section talks about most, in their original order, instead of
 * reading its first sentences and dropping the rest.
 */
import type { Scene, Script, SourceDocument } from '../../shared/video';
import type { ScriptWriter, Spend, WriteScriptRequest } from '../contracts';
import { STOPWORDS, summarise } from './text-rank';

/** Words one scene may hold: about 15 seconds of speech, well inside the validator's MAX_WORDS_PER_SCENE. */
export const MAX_SCENE_WORDS = 40;
const MAX_TITLE_WORDS = 6;

function words(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

/** Splits at . ! ? followed by a capital, digit or opening mark, so "e.g. the" stays whole. */
export function splitSentences(text: string): string[] {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (!clean) return [];
  return clean
    .split(/(?<=[.!?])\s+(?=["'([]?[A-Z0-9])/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Packs sentences greedily into chunks of at most `maxWords`; longer sentences are cut into even parts. */
export function packSentences(sentences: readonly string[], maxWords: number): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  const flush = (): void => {
    if (current.length) chunks.push(current.join(' '));
    current = [];
  };
  for (const sentence of sentences) {
    const w = words(sentence);
    if (w.length > maxWords) {
      flush();
      const parts = Math.ceil(w.length / maxWords);
      const size = Math.ceil(w.length / parts);
      for (let i = 0; i < w.length; i += size) chunks.push(w.slice(i, i + size).join(' '));
      continue;
    }
    if (current.length + w.length > maxWords) flush();
    current.push(...w);
  }
  flush();
  return chunks;
}

function limitWords(text: string, maxWords: number): string {
  const w = words(text);
  return w.length <= maxWords ? text : `${w.slice(0, maxWords).join(' ')}…`;
}

/** The title scene's narration: names the title and, if known, where, when and by whom. */
export function introNarration(doc: SourceDocument): string {
  const title = doc.title
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!?]+$/, '');
  const where = [doc.journal ? `in ${doc.journal.trim()}` : '', doc.year ? `in ${doc.year}` : ''].filter(Boolean).join(' ');
  const first = doc.authors[0]?.trim();
  const who = first ? `by ${first}${doc.authors.length > 1 ? ' and colleagues' : ''}` : '';
  const details = [where && `published ${where}`, who].filter(Boolean).join(', ');
  const full = details ? `This video explains "${title}", ${details}.` : `This video explains "${title}".`;
  if (words(full).length <= MAX_SCENE_WORDS) return full;
  // A long title leaves no room for details; the title matters more.
  return limitWords(`This video explains "${title}".`, MAX_SCENE_WORDS);
}

/** Openers that join a sentence to the one before; a title does not start with them. */
const CONNECTIVES = /^(so|and|but|then|thus|however|therefore|also|yet|still|in short|in experiments)[,\s]+/i;

/**
 * A scene's title: its section label when there is one; else the head clause of its first
 * sentence when that is a whole phrase of at most MAX_TITLE_WORDS words; else its key terms
 * (the words that set it apart from the other scenes). Never a cut mid-clause.
 */
export function sceneTitle(label: string | undefined, narration: string, otherNarrations: readonly string[] = []): string {
  const fromLabel = label
    ?.replace(/\s+/g, ' ')
    .trim()
    .replace(/[:.]+$/, '');
  if (fromLabel) return fromLabel;
  const first = splitSentences(narration)[0] ?? narration;
  const clauses = first
    .split(/[,;:()]|\s[-–—]\s/)
    .map((c) =>
      c
        .replace(CONNECTIVES, '')
        .replace(/[\s.!?]+$/, '')
        .trim(),
    )
    .filter(Boolean);
  // "In experiments, people who…": an opening phrase of circumstance is not what the scene is about.
  const head = clauses.length > 1 && OPENER.test(clauses[0] ?? '') ? clauses[1] : clauses[0];
  const headWords = words(head ?? '').length;
  if (head && headWords >= 2 && headWords <= MAX_TITLE_WORDS + 2) return capitalise(head);
  return keyTermsTitle(narration, otherNarrations);
}

/** A clause that only sets the scene: "In experiments", "During deep sleep", "After two weeks". */
const OPENER = /^(in|during|after|before|at|on|for|with|from|by|over|under|across|among|within|without|since|until|when|while|as|to)\b/i;

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Up to three key terms of `text`, in the order they first appear: content words (no stopwords,
 * no adverbs or verb forms by their endings) that recur in this scene or across the others, which
 * marks them as the subject rather than a detail.
 */
function keyTermsTitle(text: string, others: readonly string[]): string {
  const terms = (t: string) =>
    (t.toLowerCase().match(/[\p{L}][\p{L}'-]*[\p{L}]/gu) ?? [])
      .map((w) => w.replace(/'s$/, ''))
      .filter((w) => w.length > 3 && !STOPWORDS.has(w) && !/(ly|ed|ing|s')$/.test(w));
  const own = terms(text);
  const elsewhere = others.flatMap(terms);
  const score = new Map<string, number>();
  for (const term of own) score.set(term, (score.get(term) ?? 0) + 2);
  for (const term of elsewhere) if (score.has(term)) score.set(term, (score.get(term) ?? 0) + 1);
  const best = [...score.entries()]
    .sort((a, b) => b[1] - a[1] || own.indexOf(a[0]) - own.indexOf(b[0]))
    .slice(0, 3)
    .map(([term]) => term)
    .sort((a, b) => own.indexOf(a) - own.indexOf(b));
  if (best.length === 0) return capitalise(words(text).slice(0, 3).join(' '));
  const listed = best.length === 1 ? best[0]! : `${best.slice(0, -1).join(', ')} and ${best[best.length - 1]}`;
  return capitalise(listed);
}

/** Deals `budget` slots to sections in turns; returns how many chunks each section keeps. */
function dealBudget(chunkCounts: readonly number[], budget: number): number[] {
  const kept = chunkCounts.map(() => 0);
  let left = budget;
  let progressed = true;
  while (left > 0 && progressed) {
    progressed = false;
    for (let i = 0; i < chunkCounts.length && left > 0; i++) {
      if ((kept[i] ?? 0) < (chunkCounts[i] ?? 0)) {
        kept[i] = (kept[i] ?? 0) + 1;
        left--;
        progressed = true;
      }
    }
  }
  return kept;
}

/**
 * The narrations of a section given `scenes` scenes: all its chunks when they fit, else its most
 * central sentences (TextRank) that pack into `scenes` scenes of MAX_SCENE_WORDS. Should no whole
 * sentence fit (one overlong sentence), its first chunks stand in.
 */
function sectionScenes(sentences: readonly string[], chunks: readonly string[], scenes: number): string[] {
  if (scenes >= chunks.length) return [...chunks];
  if (scenes <= 0) return [];
  const summary = summarise(sentences, {
    maxWords: scenes * MAX_SCENE_WORDS,
    fits: (chosen) => packSentences(chosen, MAX_SCENE_WORDS).length <= scenes,
  });
  return summary.length > 0 ? packSentences(summary, MAX_SCENE_WORDS) : chunks.slice(0, scenes);
}

/** Builds the script from the document alone; see the file comment for how it summarises. */
export function buildLocalScript(doc: SourceDocument, maxScenes: number): Script {
  const title = doc.title.replace(/\s+/g, ' ').trim();
  const intro = introNarration(doc);
  const scenes: Scene[] = [{ index: 0, title, narration: intro, visual: title }];

  const sections = doc.sections
    .map((s) => {
      const sentences = splitSentences(s.text);
      return { label: s.label, sentences, chunks: packSentences(sentences, MAX_SCENE_WORDS) };
    })
    .filter((s) => s.chunks.length > 0);
  const kept = dealBudget(
    sections.map((s) => s.chunks.length),
    Math.max(0, Math.floor(maxScenes) - 1),
  );
  const chosen = sections.flatMap((section, i) =>
    sectionScenes(section.sentences, section.chunks, kept[i] ?? 0).map((narration) => ({ label: section.label, narration })),
  );
  for (const { label, narration } of chosen) {
    const others = chosen.map((c) => c.narration).filter((n) => n !== narration);
    const t = sceneTitle(label, narration, others);
    scenes.push({ index: scenes.length, title: t, narration, visual: t });
  }
  return { title, scenes };
}

/** ScriptWriter adapter over buildLocalScript; costs nothing. */
export class LocalScriptWriter implements ScriptWriter {
  /** Bumped whenever buildLocalScript writes differently from the same document. */
  readonly cacheIdentity = 'local-script:2';

  async writeScript(request: WriteScriptRequest): Promise<{ script: Script; spend: Spend }> {
    request.signal.throwIfAborted();
    return { script: buildLocalScript(request.document, request.maxScenes), spend: { credits: 0 } };
  }
}
