/**
 * Parses the key=value blocks that `ffmpeg -progress pipe:1` prints. Kept pure and apart from
 * the process handling so that the odd cases (N/A, negative start times) are unit-tested.
 */

/** How far an ffmpeg run got, in output media time. */
export interface FfmpegProgress {
  outTimeSec: number;
  /** Encoding speed as a multiple of real time (`speed=2.5x`), when ffmpeg knows it. */
  speed?: number;
  /** outTimeSec / totalSec clamped to 0–1, when the expected length was given. */
  fraction?: number;
  /** True for the last block (`progress=end`). */
  done: boolean;
}

function parseClock(value: string): number | undefined {
  const m = /^(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(value.trim());
  if (!m) return undefined;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

function parseMicros(value: string): number | undefined {
  if (!/^-?\d+$/.test(value.trim())) return undefined;
  return Number(value) / 1e6;
}

/**
 * Reads one progress block (the lines up to and including `progress=continue|end`). Returns
 * undefined when the block carries no usable time, as at the start of a run where ffmpeg prints
 * `N/A` or a large negative time. `out_time_ms` is read as microseconds: despite its name ffmpeg
 * prints the same value as `out_time_us`.
 */
export function parseFfmpegProgress(lines: readonly string[], totalSec?: number): FfmpegProgress | undefined {
  const fields = new Map<string, string>();
  for (const line of lines) {
    const eq = line.indexOf('=');
    if (eq > 0) fields.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  const candidates = [
    fields.has('out_time_us') ? parseMicros(fields.get('out_time_us') as string) : undefined,
    fields.has('out_time_ms') ? parseMicros(fields.get('out_time_ms') as string) : undefined,
    fields.has('out_time') ? parseClock(fields.get('out_time') as string) : undefined,
  ];
  const outTimeSec = candidates.find((v) => v !== undefined && Number.isFinite(v) && v >= 0);
  if (outTimeSec === undefined) return undefined;

  const progress: FfmpegProgress = { outTimeSec, done: fields.get('progress') === 'end' };
  const speed = /^(\d+(?:\.\d+)?(?:e[+-]?\d+)?)x$/i.exec(fields.get('speed') ?? '');
  if (speed) progress.speed = Number(speed[1]);
  if (totalSec !== undefined && totalSec > 0) {
    progress.fraction = progress.done ? 1 : Math.min(1, Math.max(0, outTimeSec / totalSec));
  }
  return progress;
}

/** Groups a stream of progress lines into blocks and hands each parsed block on. */
export function createProgressLineReader(onProgress: (p: FfmpegProgress) => void, totalSec?: number): (line: string) => void {
  let block: string[] = [];
  return (line) => {
    block.push(line);
    if (!line.startsWith('progress=')) return;
    const parsed = parseFfmpegProgress(block, totalSec);
    block = [];
    if (parsed) onProgress(parsed);
  };
}
