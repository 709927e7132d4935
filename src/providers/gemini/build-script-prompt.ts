/**
 * The instructions a script model gets. Kept apart from the adapter so the wording can be tuned
 * (and reviewed) without touching retry and error handling.
 */
import type { SourceDocument } from '../../shared/video';
import { MAX_NARRATION_WORDS } from './script-schema';

/** Source text beyond this is cut: an abstract fits easily, and it bounds the tokens paid for. */
const MAX_SOURCE_CHARS = 20_000;

function describeSource(document: SourceDocument): string {
  const lines = [`Title: ${document.title}`];
  if (document.authors.length > 0) {
    const shown = document.authors.slice(0, 6).join(', ');
    lines.push(`Authors: ${shown}${document.authors.length > 6 ? ', et al.' : ''}`);
  }
  const published = [document.journal, document.year].filter(Boolean).join(', ');
  if (published) lines.push(`Published: ${published}`);
  if (document.doi) lines.push(`DOI: ${document.doi}`);
  lines.push('', 'Text:');
  for (const section of document.sections) {
    lines.push(section.label ? `${section.label}: ${section.text}` : section.text);
  }
  const text = lines.join('\n');
  return text.length > MAX_SOURCE_CHARS ? `${text.slice(0, MAX_SOURCE_CHARS)}…` : text;
}

/** Builds the prompt for a script of at most `maxScenes` scenes, title scene included. */
export function buildScriptPrompt(document: SourceDocument, maxScenes: number): string {
  return [
    'Write the script of a short narrated explainer video about the source below, for a curious',
    'general audience. Answer with JSON only, matching the given schema.',
    '',
    'Rules:',
    `- At most ${maxScenes} scenes in total, in the order they are shown.`,
    '- The first scene is the title scene: its title is the video title, and its narration',
    '  introduces the topic in one or two sentences.',
    `- Every narration has at most ${MAX_NARRATION_WORDS} spoken words (about 15 seconds), in plain`,
    '  sentences with no lists, markdown, citations or abbreviations that cannot be read aloud.',
    '- Scene titles have at most 8 words.',
    '- "visual" describes in one sentence an illustration for the scene, without text or logos.',
    '- Stay faithful to the source: no claims it does not make, and end with its conclusion.',
    '',
    '--- Source ---',
    describeSource(document),
  ].join('\n');
}
