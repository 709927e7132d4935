/**
 * Builds SubRip (SRT) subtitles from timed cues, so a rendered video can ship captions.
 */

export interface SubtitleCue {
  text: string;
  startSec: number;
  endSec: number;
}

/** Readable caption width; broadcasters use 37–42 characters per line. */
export const SRT_LINE_CHARS = 42;

/** Formats seconds as HH:MM:SS,mmm; rounding is done on whole milliseconds to avoid ",1000". */
export function formatSrtTime(sec: number): string {
  const totalMs = Math.max(0, Math.round(sec * 1000));
  const ms = totalMs % 1000;
  const totalSec = Math.floor(totalMs / 1000);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(Math.floor(totalSec / 3600))}:${pad(Math.floor(totalSec / 60) % 60)}:${pad(totalSec % 60)},${pad(ms, 3)}`;
}

/** Greedy word wrap; a single word longer than the width gets a line of its own. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (current && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  if (current) lines.push(current);
  return lines;
}

/**
 * Renders cues as an SRT document. Cues are numbered from 1 in the order given; an empty text
 * would end the cue early in most players, so empty cues are skipped.
 */
export function buildSrt(cues: readonly SubtitleCue[]): string {
  const blocks: string[] = [];
  for (const cue of cues) {
    const lines = wrapText(cue.text, SRT_LINE_CHARS);
    if (lines.length === 0) continue;
    const end = Math.max(cue.endSec, cue.startSec);
    blocks.push(`${blocks.length + 1}\n${formatSrtTime(cue.startSec)} --> ${formatSrtTime(end)}\n${lines.join('\n')}\n`);
  }
  return blocks.join('\n');
}

/**
 * The same subtitles as WebVTT, which browsers' `<track>` reads: a header, and timestamps with a
 * dot before the milliseconds. Cue numbers stay as cue identifiers.
 */
export function srtToWebVtt(srt: string): string {
  const body = srt.replace(/\r\n?/g, '\n').replace(/(\d{2}:\d{2}:\d{2}),(\d{3})/g, '$1.$2');
  return `WEBVTT\n\n${body}`;
}
