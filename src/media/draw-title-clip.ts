/**
 * Draws a title card as a short video: the title in white over a slowly turning colour
 * gradient, with an optional line of key terms under it in a smaller font so the card says what
 * the scene is about. It is what a scene shows when no paid clip generator is configured, so it
 * must look alive (every frame differs from the last) and render quickly on two cores.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runFfmpeg } from './ffmpeg';
import { escapeFilterValue } from './filter-escape';
import { wrapText } from './subtitles';

export const CLIP_WIDTH = 1280;
export const CLIP_HEIGHT = 720;
export const CLIP_FPS = 30;

/** Fonts shipped by Debian's fonts-dejavu-core (installed by `npm run setup`), then fallbacks. */
const FONT_CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/TTF/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
];

/** The title font file, or undefined to let drawtext ask fontconfig for its default font. */
export function findTitleFont(): string | undefined {
  return FONT_CANDIDATES.find((f) => existsSync(f));
}

/** Wrap widths tried in turn (characters per line) with the font size that fills ~90% width. */
const LAYOUTS = [
  { chars: 24, fontSize: 72 },
  { chars: 30, fontSize: 60 },
  { chars: 36, fontSize: 50 },
];
const MAX_LINES = 3;

/**
 * Splits a title into centred lines (three on a 1280-wide landscape canvas; narrower canvases
 * take fewer characters per line and more lines), shrinking the font before truncating.
 */
export function layoutTitle(title: string, canvas = { width: CLIP_WIDTH, height: CLIP_HEIGHT }): { lines: string[]; fontSize: number } {
  const clean = title.replace(/\s+/g, ' ').trim() || ' ';
  const scale = Math.min(1, canvas.width / CLIP_WIDTH);
  const maxLines = canvas.height > canvas.width ? 5 : canvas.height === canvas.width ? 4 : MAX_LINES;
  const layouts = LAYOUTS.map((l) => ({ chars: Math.max(8, Math.floor(l.chars * scale)), fontSize: l.fontSize }));
  for (const layout of layouts) {
    const lines = wrapText(clean, layout.chars);
    if (lines.length <= maxLines && lines.every((l) => l.length <= layout.chars)) {
      return { lines, fontSize: layout.fontSize };
    }
  }
  const last = layouts[layouts.length - 1] as (typeof layouts)[number];
  const lines = wrapText(clean, last.chars).map((l) => (l.length > last.chars ? `${l.slice(0, last.chars - 1)}…` : l));
  const kept = lines.slice(0, maxLines);
  if (lines.length > maxLines) kept[maxLines - 1] = `${(kept[maxLines - 1] ?? '').slice(0, last.chars - 1)}…`;
  return { lines: kept, fontSize: last.fontSize };
}

/** The key-terms line: half the title's largest size, so twice the characters fit a line. */
const TERMS_LAYOUT = { chars: 48, fontSize: 36 };
const TERMS_SEPARATOR = ' · ';

/**
 * The key-terms line for a canvas: terms joined by " · ", dropping terms from the end until the
 * line fits the width (a lone term too long is cut with an ellipsis). Undefined when no term is given.
 */
export function layoutTerms(
  terms: readonly string[],
  canvas = { width: CLIP_WIDTH, height: CLIP_HEIGHT },
): { line: string; fontSize: number } | undefined {
  const clean = terms.map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean);
  if (clean.length === 0) return undefined;
  const chars = Math.max(8, Math.floor(TERMS_LAYOUT.chars * Math.min(1, canvas.width / CLIP_WIDTH)));
  for (let n = clean.length; n > 0; n--) {
    const line = clean.slice(0, n).join(TERMS_SEPARATOR);
    if (line.length <= chars) return { line, fontSize: TERMS_LAYOUT.fontSize };
  }
  return { line: `${(clean[0] ?? '').slice(0, chars - 1)}…`, fontSize: TERMS_LAYOUT.fontSize };
}

/** A deterministic colour from a seed and a slot: hue spread by the golden angle, dark enough for white text. */
function seededColour(seed: number, slot: number): string {
  const hue = (((seed * 137.508 + slot * 97) % 360) + 360) % 360;
  const [s, l] = [0.55, 0.3 + 0.05 * (slot % 2)];
  const k = (n: number): number => (n + hue / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number): number => Math.round(255 * (l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1))));
  return `0x${[channel(0), channel(8), channel(4)].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

export interface DrawTitleClipOptions {
  title: string;
  /**
   * Key terms drawn on one line under the title in a smaller font ("sleep · memory · hippocampus").
   * @default none: the title alone, centred
   */
  terms?: readonly string[];
  outPath: string;
  durationSec: number;
  /** Picks the colour scheme and the gradient's motion, so neighbouring scenes look different. */
  seed: number;
  signal?: AbortSignal;
  /** Share of the clip rendered so far, 0–1. */
  onProgress?: (fraction: number) => void;
  /** The canvas; 1280x720 unless the video's preset asks for another shape. */
  width?: number;
  height?: number;
}

/** Renders a (by default) 1280x720, 30 fps, H.264 (yuv420p) clip without audio that shows `title`. */
export async function drawTitleClip(options: DrawTitleClipOptions): Promise<void> {
  const { title, outPath, durationSec, seed, signal, onProgress } = options;
  if (!(durationSec > 0)) throw new RangeError(`durationSec must be positive, got ${durationSec}`);
  const canvas = { width: options.width ?? CLIP_WIDTH, height: options.height ?? CLIP_HEIGHT };
  const { lines, fontSize } = layoutTitle(title, canvas);
  const termsLine = layoutTerms(options.terms ?? [], canvas);
  // Text goes through files, not `text=`: drawtext's own escaping and %{} expansion would
  // otherwise mangle titles holding quotes, colons, percent signs or backslashes.
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'reelflow-title-'));
  try {
    const font = findTitleFont();
    const lineHeight = Math.round(fontSize * 1.25);
    const termsGap = termsLine ? Math.round(termsLine.fontSize * 0.5) : 0;
    const termsHeight = termsLine ? Math.round(termsLine.fontSize * 1.25) : 0;
    // The title and the terms line are centred together, as one block.
    const top = `(h-${lines.length * lineHeight + termsGap + termsHeight})/2`;
    const draws: string[] = [];
    const drawLine = async (text: string, size: number, y: string, colour: string): Promise<void> => {
      const textFile = path.join(workDir, `line-${draws.length}.txt`);
      await writeFile(textFile, text, 'utf8');
      const opts = [
        ...(font ? [`fontfile=${escapeFilterValue(font)}`] : []),
        `textfile=${escapeFilterValue(textFile)}`,
        'expansion=none',
        `fontsize=${size}`,
        `fontcolor=${colour}`,
        'borderw=3',
        'bordercolor=black@0.55',
        'x=(w-text_w)/2',
        `y=${y}`,
      ];
      draws.push(`drawtext=${opts.join(':')}`);
    };
    for (const [i, line] of lines.entries()) await drawLine(line, fontSize, `${top}+${i * lineHeight}`, 'white');
    if (termsLine) await drawLine(termsLine.line, termsLine.fontSize, `${top}+${lines.length * lineHeight + termsGap}`, 'white@0.85');
    const colours = [0, 1, 2].map((slot) => seededColour(seed, slot));
    const gradient = [
      `gradients=s=${canvas.width}x${canvas.height}`,
      `r=${CLIP_FPS}`,
      `c0=${colours[0]}`,
      `c1=${colours[1]}`,
      `c2=${colours[2]}`,
      'n=3',
      `seed=${Math.abs(Math.trunc(seed)) % 4294967295}`,
      // Slow enough to read as calm motion over a 15 s scene, fast enough that frames differ.
      'speed=0.006',
      `d=${durationSec}`,
    ].join(':');
    await runFfmpeg(
      [
        ...['-f', 'lavfi', '-i', gradient],
        ...['-vf', [...draws, 'format=yuv420p'].join(',')],
        ...['-t', String(durationSec), '-an'],
        ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', '-r', String(CLIP_FPS)],
        ...['-movflags', '+faststart', outPath],
      ],
      { signal, step: 'drawing a scene clip', totalSec: durationSec, onProgress: (p) => onProgress?.(p.fraction ?? 0) },
    );
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
