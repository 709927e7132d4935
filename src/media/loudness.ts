/**
 * Loudness per EBU R128. The narration of every scene is measured as one programme (ffmpeg's
 * `ebur128`, integrated loudness and true peak), and one gain brings it to -16 LUFS, with a
 * limiter that keeps the peaks under the ceiling. Both are applied where each scene's audio is
 * encoded anyway, so normalising costs one measurement and no extra encode.
 */
import { runTool } from './run-tool';

/**
 * -16 LUFS integrated is what podcast and streaming platforms play speech at. The true-peak
 * target sits 0.5 dB under the -1.5 dBTP ceiling, which leaves room for the AAC encoder's overshoot.
 */
export const LOUDNESS_TARGET = { integratedLufs: -16, truePeakDbtp: -2 } as const;

export interface Loudness {
  /** Integrated loudness, LUFS; -Infinity for silence. */
  integratedLufs: number;
  /** True peak, dBTP; -Infinity for silence. */
  truePeakDbtp: number;
}

/** One part of a programme: a file's first audio stream, padded with silence to `durationSec`. */
export interface ProgrammePart {
  file: string;
  durationSec?: number;
}

/**
 * Loudness of `parts` played one after the other, each padded as the video pads it (so the
 * measurement gates the same silences as a player's would), after `filters`.
 */
export async function measureLoudness(
  parts: readonly ProgrammePart[],
  signal?: AbortSignal,
  filters: readonly string[] = [],
): Promise<Loudness> {
  if (parts.length === 0) return { integratedLufs: -Infinity, truePeakDbtp: -Infinity };
  const files = parts.map((p) => p.file);
  // Each input is brought to one format first, since narrators write different sample rates.
  const inputs = parts.map(
    (p, i) =>
      `[${i}:a:0]aresample=48000,aformat=channel_layouts=stereo${p.durationSec ? `,apad=whole_dur=${p.durationSec.toFixed(3)}` : ''}[a${i}]`,
  );
  const chain = [`concat=n=${files.length}:v=0:a=1`, ...filters, 'ebur128=peak=true'].join(',');
  const joined = `${files.map((_, i) => `[a${i}]`).join('')}${chain}`;
  const { stderr } = await runTool(
    'ffmpeg',
    [
      '-hide_banner',
      '-nostdin',
      '-nostats',
      ...files.flatMap((f) => ['-i', f]),
      '-filter_complex',
      `${inputs.join(';')};${joined}`,
      '-f',
      'null',
      '-',
    ],
    { signal, step: 'measuring loudness' },
  );
  return parseSummary(stderr);
}

/** Loudness of a file's first audio stream, as a player would hear it. */
export async function loudnessOf(file: string, signal?: AbortSignal): Promise<Loudness> {
  const { stderr } = await runTool(
    'ffmpeg',
    ['-hide_banner', '-nostdin', '-nostats', '-i', file, '-map', '0:a:0', '-af', 'ebur128=peak=true', '-f', 'null', '-'],
    { signal, step: 'measuring loudness' },
  );
  return parseSummary(stderr);
}

function parseSummary(stderr: string): Loudness {
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const integrated = /I:\s+(-?[\d.]+|-inf) LUFS/.exec(summary)?.[1];
  const peak = /True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary)?.[1];
  if (integrated === undefined || peak === undefined) throw new Error(`No loudness summary in ffmpeg's output: ${summary.slice(0, 200)}`);
  const value = (text: string) => (text === '-inf' ? -Infinity : Number(text));
  return { integratedLufs: value(integrated), truePeakDbtp: value(peak) };
}

/**
 * The gain, in dB, that brings the narration in `files` to the target loudness with the limiter
 * of gainFilters in place; 0 for silence. The limiter takes some loudness off peaky speech, so
 * what it leaves is measured and made up in a second step: two passes of a cheap measurement.
 */
export async function narrationGainDb(files: readonly ProgrammePart[], signal?: AbortSignal): Promise<number> {
  const first = normalisingGainDb(await measureLoudness(files, signal));
  if (first === 0) return 0;
  const limited = await measureLoudness(files, signal, gainFilters(first));
  if (!Number.isFinite(limited.integratedLufs)) return first;
  return Math.round((first + LOUDNESS_TARGET.integratedLufs - limited.integratedLufs) * 100) / 100;
}

/** The gain, in dB, that brings `measured` to the target loudness; 0 for silence. */
export function normalisingGainDb(measured: Loudness): number {
  if (!Number.isFinite(measured.integratedLufs)) return 0;
  return Math.round((LOUDNESS_TARGET.integratedLufs - measured.integratedLufs) * 100) / 100;
}

/**
 * The audio filters that apply a gain: the gain, then a limiter whose sample-peak ceiling (-3 dBFS)
 * keeps the true peak under the target after encoding. Speech synthesisers' peaks sit far above
 * their loudness, so a gain capped by the peak would leave the narration too quiet; limiting only
 * the rare peaks reaches the loudness without audible change.
 */
export function gainFilters(gainDb: number): string[] {
  if (gainDb === 0) return [];
  return [`volume=${gainDb.toFixed(2)}dB`, `alimiter=limit=${LIMITER_CEILING.toFixed(3)}:attack=5:release=50:level=0`];
}

/** -3 dBFS as a linear sample value. */
const LIMITER_CEILING = 10 ** (-3 / 20);
