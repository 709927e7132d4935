/**
 * Runs ffmpeg with the flags every call needs: no banner, never waiting on stdin, overwrite the
 * output (a retried activity rewrites its own file) and machine-readable progress on stdout.
 */
import { createProgressLineReader, type FfmpegProgress } from './ffmpeg-progress';
import { runTool } from './run-tool';

export { parseFfmpegProgress, type FfmpegProgress } from './ffmpeg-progress';

export const FFMPEG_COMMON_ARGS = ['-hide_banner', '-nostdin', '-y', '-progress', 'pipe:1', '-nostats'];

export interface RunFfmpegOptions {
  signal?: AbortSignal;
  onProgress?: (p: FfmpegProgress) => void;
  /** Expected output length; when given, progress reports carry a 0–1 `fraction`. */
  totalSec?: number;
  /** What this run is for, named first in a failure's message. */
  step?: string;
}

/** Runs ffmpeg with `args` after the common flags; rejects with MediaToolError on failure. */
export async function runFfmpeg(args: string[], options: RunFfmpegOptions = {}): Promise<void> {
  const { signal, onProgress, totalSec, step } = options;
  await runTool('ffmpeg', [...FFMPEG_COMMON_ARGS, ...args], {
    signal,
    step,
    // Lines are always consumed so that progress output is never buffered whole in memory.
    onStdoutLine: createProgressLineReader((p) => onProgress?.(p), totalSec),
  });
}
