/**
 * Loudness per EBU R128, with ffmpeg's `loudnorm` in two passes: the first measures the whole
 * programme, the second applies one linear gain computed from that measurement (falling back to
 * loudnorm's dynamic mode only when a linear gain would push peaks past the ceiling).
 */
import { runTool } from './run-tool';

/**
 * -16 LUFS integrated is what podcast and streaming platforms play speech at. The true-peak
 * target sits 0.5 dB under the -1.5 dBTP ceiling, which leaves room for the AAC encoder's overshoot.
 */
export const LOUDNESS_TARGET = { integratedLufs: -16, truePeakDbtp: -2, rangeLu: 11 } as const;

/** What the first pass measured, as loudnorm prints it. */
export interface LoudnessMeasurement {
  input_i: string;
  input_tp: string;
  input_lra: string;
  input_thresh: string;
  target_offset: string;
}

const target = `I=${LOUDNESS_TARGET.integratedLufs}:TP=${LOUDNESS_TARGET.truePeakDbtp}:LRA=${LOUDNESS_TARGET.rangeLu}`;

/** First pass: measures the first audio stream of `file`. */
export async function measureLoudness(file: string, signal?: AbortSignal): Promise<LoudnessMeasurement> {
  const { stderr } = await runTool(
    'ffmpeg',
    ['-hide_banner', '-nostdin', '-i', file, '-map', '0:a:0', '-af', `loudnorm=${target}:print_format=json`, '-f', 'null', '-'],
    { signal, step: 'measuring loudness' },
  );
  // The JSON block is the last thing loudnorm prints.
  const json = stderr.slice(stderr.lastIndexOf('{'), stderr.lastIndexOf('}') + 1);
  return JSON.parse(json) as LoudnessMeasurement;
}

/**
 * The second pass's filter for a measured programme; undefined when there is nothing to
 * normalise (silence measures as -inf).
 */
export function loudnormFilter(measured: LoudnessMeasurement): string | undefined {
  const values = [measured.input_i, measured.input_tp, measured.input_lra, measured.input_thresh, measured.target_offset];
  if (!values.every((v) => Number.isFinite(Number(v)))) return undefined;
  return (
    `loudnorm=${target}:measured_I=${measured.input_i}:measured_TP=${measured.input_tp}` +
    `:measured_LRA=${measured.input_lra}:measured_thresh=${measured.input_thresh}:offset=${measured.target_offset}:linear=true`
  );
}

/** Integrated loudness (LUFS) and true peak (dBTP) of a file's audio, per ffmpeg's ebur128 filter. */
export async function loudnessOf(file: string, signal?: AbortSignal): Promise<{ integratedLufs: number; truePeakDbtp: number }> {
  const { stderr } = await runTool(
    'ffmpeg',
    ['-hide_banner', '-nostdin', '-nostats', '-i', file, '-map', '0:a:0', '-af', 'ebur128=peak=true', '-f', 'null', '-'],
    { signal, step: 'measuring loudness' },
  );
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const integrated = /I:\s+(-?[\d.]+|-inf) LUFS/.exec(summary)?.[1];
  const peak = /True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary)?.[1];
  if (integrated === undefined || peak === undefined) throw new Error(`No loudness summary in ffmpeg's output: ${summary.slice(0, 200)}`);
  return { integratedLufs: Number(integrated), truePeakDbtp: Number(peak) };
}
