/**
 * A scene's key terms, for the local clip to show under its title so the picture says what the
 * narration is about. It is TextRank's keyword extraction (Mihalcea & Tarau 2004, section 3):
 * content words are linked when they occur near each other, ranked by PageRank, and two top words
 * that stand side by side in the text are read as one phrase ("deep sleep"). It needs nothing but
 * the narration, so it works on a scene alone, and gives the same terms for the same text.
 */
import { pageRank, rankOrder, STOPWORDS, stem, wordTokens } from './text-rank';

/**
 * Co-occurrence window in content words. The paper found 2 best on abstracts; a scene holds only
 * two or three sentences, where a window of 2 leaves a chain whose middle words win by position.
 */
const WINDOW = 4;

interface Token {
  /** As written, without a possessive 's. */
  surface: string;
  /** Index of its stem among the content words; undefined for other words. */
  vertex?: number;
  /** Punctuation stands between this token and the one before, so no phrase spans them. */
  broken: boolean;
}

/** A content word has a letter and three or more, and is no stopword nor, by its ending, an adverb or past verb. */
function isContent(lower: string): boolean {
  return /\p{L}/u.test(lower) && lower.length > 2 && !STOPWORDS.has(lower) && !(lower.length > 4 && /(ly|ed)$/.test(lower));
}

/** The text's words in order, and the distinct stems of its content words in order of first appearance. */
function tokenise(text: string): { tokens: Token[]; stems: string[] } {
  const tokens: Token[] = [];
  const vertexOf = new Map<string, number>();
  let end = 0;
  for (const match of text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu)) {
    const surface = match[0].replace(/['’]s$/, '').replace(/['’-]+$/, '');
    const lower = surface.toLowerCase();
    const broken = /\S/.test(text.slice(end, match.index));
    end = match.index + match[0].length;
    if (!isContent(lower)) {
      tokens.push({ surface, broken });
      continue;
    }
    const s = stem(lower);
    if (!vertexOf.has(s)) vertexOf.set(s, vertexOf.size);
    tokens.push({ surface, vertex: vertexOf.get(s), broken });
  }
  return { tokens, stems: [...vertexOf.keys()] };
}

/** Edge weights between content words within WINDOW content words of each other; repeats add weight. */
function cooccurrence(sequence: readonly number[], size: number): number[][] {
  const weights = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  sequence.forEach((b, k) => {
    for (let m = Math.max(0, k - WINDOW + 1); m < k; m++) {
      const a = sequence[m]!;
      if (a === b) continue;
      weights[a]![b]! += 1;
      weights[b]![a]! += 1;
    }
  });
  return weights;
}

/** Two keywords standing side by side, keyed by both orders of their vertices, as first written. */
function adjacentPhrases(tokens: readonly Token[], keywords: ReadonlySet<number>): Map<string, string> {
  const phrases = new Map<string, string>();
  tokens.forEach((token, k) => {
    const previous = tokens[k - 1];
    const [p, v] = [previous?.vertex, token.vertex];
    if (p === undefined || v === undefined || p === v || token.broken || !keywords.has(p) || !keywords.has(v)) return;
    if (phrases.has(`${p} ${v}`)) return;
    const phrase = `${previous!.surface} ${token.surface}`;
    phrases.set(`${p} ${v}`, phrase);
    if (!phrases.has(`${v} ${p}`)) phrases.set(`${v} ${p}`, phrase);
  });
  return phrases;
}

export interface KeyTermsOptions {
  /**
   * Text whose words are already on screen (the scene's title): a word of it is not listed on
   * its own, so the terms add to the title instead of repeating it.
   * @default nothing is skipped
   */
  omit?: string;
}

/**
 * Up to `count` key terms of `text`, best first: content words, each shown inside a two-word
 * phrase when it stands beside another top word, as first written (casing kept). Ties go to the
 * word that appears first. Empty when the text has no content words.
 */
export function keyTerms(text: string, count = 3, options: KeyTermsOptions = {}): string[] {
  const { tokens, stems } = tokenise(text);
  if (stems.length === 0 || count <= 0) return [];
  const scores = pageRank(
    cooccurrence(
      tokens.flatMap((t) => (t.vertex === undefined ? [] : [t.vertex])),
      stems.length,
    ),
  );
  const order = rankOrder(scores);
  // The paper keeps the top third of the words as keywords before joining neighbours.
  const phrases = adjacentPhrases(tokens, new Set(order.slice(0, Math.max(count, Math.ceil(stems.length / 3)))));
  const surfaceOf = (v: number): string => tokens.find((t) => t.vertex === v)!.surface;

  const omitted = new Set(wordTokens(options.omit ?? '').map(stem));
  const used = new Set<number>();
  const terms: string[] = [];
  for (const v of order) {
    if (terms.length >= count) break;
    if (used.has(v) || omitted.has(stems[v]!)) continue;
    const partner = order.find((u) => !used.has(u) && phrases.has(`${v} ${u}`));
    used.add(v);
    if (partner !== undefined) used.add(partner);
    terms.push(partner === undefined ? surfaceOf(v) : phrases.get(`${v} ${partner}`)!);
  }
  return terms;
}
