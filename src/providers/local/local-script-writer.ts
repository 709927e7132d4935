/**
 * A script writer that needs no key and no network: it reads the document's own sentences
 * aloud, packed into scenes short enough to narrate in about 15 seconds. The same document
 * always gives the same script, which keeps demos and tests reproducible.
 *
 * When the text needs more scenes than `maxScenes` allows, it is summarised by leading
 * sentences: the budget is dealt out to the sections in turns (one scene each, then a second
 * each, …) and every section keeps its first scenes. Abstracts put their key claim first in each
 * section, so this keeps every section's point instead of reading the first ones to the end.
 */
import type { Scene, Script, SourceDocument } from '../../shared/video';
import type { ScriptWriter, Spend, WriteScriptRequest } from '../contracts';

/** Words one scene may hold: about 15 seconds of speech. */
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

function sceneTitle(label: string | undefined, narration: string): string {
  const fromLabel = label
    ?.replace(/\s+/g, ' ')
    .trim()
    .replace(/[:.]+$/, '');
  if (fromLabel) return fromLabel;
  return words(narration)
    .slice(0, MAX_TITLE_WORDS)
    .join(' ')
    .replace(/[\s,;:.!?-]+$/, '');
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

/** Builds the script from the document alone; see the file comment for how it summarises. */
export function buildLocalScript(doc: SourceDocument, maxScenes: number): Script {
  const title = doc.title.replace(/\s+/g, ' ').trim();
  const intro = introNarration(doc);
  const scenes: Scene[] = [{ index: 0, title, narration: intro, visual: title }];

  const sections = doc.sections
    .map((s) => ({ label: s.label, chunks: packSentences(splitSentences(s.text), MAX_SCENE_WORDS) }))
    .filter((s) => s.chunks.length > 0);
  const kept = dealBudget(
    sections.map((s) => s.chunks.length),
    Math.max(0, Math.floor(maxScenes) - 1),
  );
  sections.forEach((section, i) => {
    for (const narration of section.chunks.slice(0, kept[i])) {
      const t = sceneTitle(section.label, narration);
      scenes.push({ index: scenes.length, title: t, narration, visual: t });
    }
  });
  return { title, scenes };
}

/** ScriptWriter adapter over buildLocalScript; costs nothing. */
export class LocalScriptWriter implements ScriptWriter {
  async writeScript(request: WriteScriptRequest): Promise<{ script: Script; spend: Spend }> {
    request.signal.throwIfAborted();
    return { script: buildLocalScript(request.document, request.maxScenes), spend: { credits: 0 } };
  }
}
