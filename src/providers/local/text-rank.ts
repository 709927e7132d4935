/**
 * TextRank (Mihalcea & Tarau, "TextRank: Bringing Order into Texts", 2004): ranks the sentences
 * of a text by how much the other sentences share their words, so the keyless script writer can
 * narrate what a section is about instead of its first sentences. It needs no model and no
 * training data, and the same sentences always give the same scores and the same summary.
 */

/** Common English words that carry no topic: ignored when comparing sentences, naming scenes or picking key terms. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a about after again all also am an and any are as at be because been before being between both but by can could did do does ' +
    'during each even every few for from had has have having he her here herself him himself his how however i if in into is it its ' +
    'itself just less like me more most much must my no nor not of on once only or other our ourselves out over own per same she ' +
    'should so some such than that the their them themselves then there these they this those through thus to too under until up ' +
    'upon us very was we were what when where which while who whom why will with within without would you your one two three four ' +
    'five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred thousand million whether made make makes used using use may might many new ' +
    // Frequent adjectives and irregular verb forms, which name no subject.
    'good well least best better worse large small little long short high great next last lost held kept took ' +
    'found shown known seen slept told gave given went came done part'
  ).split(' '),
);

/**
 * A light stem: lower case, no possessive, and plural or -ing/-ed endings cut, so "memories" and
 * "memory" or "replayed" and "replays" count as one word. Cheaper and cruder than Porter on purpose.
 */
export function stem(word: string): string {
  const w = word.toLowerCase().replace(/['’]s$/, '');
  if (w.length <= 3) return w;
  if (w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (w.endsWith('sses')) return w.slice(0, -2);
  if (/[^isu]s$/.test(w)) return w.slice(0, -1);
  if (w.endsWith('ing') && w.length > 5) return w.slice(0, -3);
  if (w.endsWith('ed') && w.length > 4) return w.slice(0, -2);
  return w;
}

/** Every word of `text` (letters or digits, inner hyphens and apostrophes kept), as written. */
export function wordTokens(text: string): string[] {
  return text.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? [];
}

/** The stems of the words of `text` that are not stopwords. */
export function contentStems(text: string): string[] {
  return wordTokens(text)
    .filter((w) => !STOPWORDS.has(w.toLowerCase().replace(/['’]s$/, '')))
    .map(stem);
}

const DAMPING = 0.85;
const TOLERANCE = 1e-6;
const MAX_ITERATIONS = 500;

/**
 * TextRank's weighted PageRank over a graph given as a square matrix of edge weights
 * (`weights[j][i]` is the edge from j to i). Every vertex starts at 1 and is updated as
 * (1 - d) + d · Σ_j w_ji / Σ_k w_jk · score_j with d = 0.85, until no score moves by more than
 * 1e-6. A vertex without edges keeps 1 - d.
 */
export function pageRank(weights: readonly (readonly number[])[]): number[] {
  const n = weights.length;
  const outSums = weights.map((row) => row.reduce((sum, w) => sum + w, 0));
  let scores = new Array<number>(n).fill(1);
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    const next = scores.map((_, i) => {
      let inflow = 0;
      for (let j = 0; j < n; j++) {
        const w = weights[j]?.[i] ?? 0;
        const out = outSums[j] ?? 0;
        if (w > 0 && out > 0) inflow += (w / out) * (scores[j] ?? 0);
      }
      return 1 - DAMPING + DAMPING * inflow;
    });
    const moved = Math.max(0, ...next.map((s, i) => Math.abs(s - (scores[i] ?? 0))));
    scores = next;
    if (moved < TOLERANCE) break;
  }
  return scores;
}

const wordCount = (text: string): number => text.split(/\s+/).filter(Boolean).length;

/**
 * The paper's sentence similarity: content words the two share, divided by the sum of the logs
 * of their lengths in words, so long sentences do not win by length alone. Two one-word
 * sentences (log sum 0) score their overlap.
 */
function similarity(a: ReadonlySet<string>, aWords: number, b: ReadonlySet<string>, bWords: number): number {
  let shared = 0;
  for (const word of a) if (b.has(word)) shared++;
  if (shared === 0) return 0;
  const norm = Math.log(aWords) + Math.log(bWords);
  return norm > 0 ? shared / norm : shared;
}

/** Each sentence's TextRank score, in input order; higher means more central to the text. */
export function rankSentences(sentences: readonly string[]): number[] {
  const stems = sentences.map((s) => new Set(contentStems(s)));
  const lengths = sentences.map(wordCount);
  const weights = sentences.map((_, i) =>
    sentences.map((__, j) => (i === j ? 0 : similarity(stems[i]!, lengths[i]!, stems[j]!, lengths[j]!))),
  );
  return pageRank(weights);
}

/**
 * Indices of `scores` from best to worst. Scores equal to 1e-9 (float noise from summing in a
 * different order) count as ties, and ties go to the earlier index.
 */
export function rankOrder(scores: readonly number[]): number[] {
  const keys = scores.map((s) => Math.round(s * 1e9));
  return scores.map((_, i) => i).sort((a, b) => keys[b]! - keys[a]! || a - b);
}

export interface SummariseOptions {
  /** Most words the summary may hold, counted as the script validator counts them (by whitespace). */
  maxWords: number;
  /**
   * A further test every kept selection (in original order) must pass, e.g. that it packs into
   * the scenes a section was given.
   * @default every selection within maxWords fits
   */
  fits?: (chosen: readonly string[]) => boolean;
}

/**
 * The most central sentences that fit the budget, in their original order. Sentences are tried
 * from the best ranked down and each is kept if the selection still fits, so a short lower-ranked
 * sentence may fill the room a long one left; sentences that share no word with any other are
 * left out. A text that already fits is returned whole; an empty result means no sentence fits.
 */
export function summarise(sentences: readonly string[], options: SummariseOptions): string[] {
  const fits = (chosen: readonly string[]): boolean =>
    chosen.reduce((sum, s) => sum + wordCount(s), 0) <= options.maxWords && (options.fits?.(chosen) ?? true);
  if (fits(sentences)) return [...sentences];
  const scores = rankSentences(sentences);
  // A sentence sharing no word with the others keeps the floor score, 1 - d: it is off topic, so
  // it never pads a summary of linked sentences (only one of sentences all like it).
  const isolated = (i: number): boolean => (scores[i] ?? 0) <= 1 - DAMPING + 1e-9;
  const anyLinked = scores.some((_, i) => !isolated(i));
  const kept = new Set<number>();
  for (const candidate of rankOrder(scores)) {
    if (anyLinked && isolated(candidate)) break;
    const trial = sentences.filter((_, i) => kept.has(i) || i === candidate);
    if (fits(trial)) kept.add(candidate);
  }
  return sentences.filter((_, i) => kept.has(i));
}
