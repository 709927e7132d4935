/**
 * Joins normalised scene parts into the final MP4 without re-encoding. The parts share encoder
 * settings (see scene-encoding.ts), so the concat demuxer can copy their packets as they are.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runFfmpeg } from './ffmpeg';

export interface ConcatScenesOptions {
  scenePaths: string[];
  outPath: string;
  /** An SRT file to add as a soft `mov_text` subtitle track, in the same pass. */
  subtitlesPath?: string;
  /** ISO 639-2 code of the subtitles' language. */
  language?: string;
  signal?: AbortSignal;
}

/** One `file '…'` line of a concat list; a quote inside the path is closed, escaped and reopened. */
export function concatListLine(filePath: string): string {
  return `file '${path.resolve(filePath).replace(/'/g, "'\\''")}'`;
}

/** Writes `outPath` with all scenes in order, with the index (moov) first for streaming. */
export async function concatScenes(options: ConcatScenesOptions): Promise<void> {
  const { scenePaths, outPath, subtitlesPath, language = 'eng', signal } = options;
  if (scenePaths.length === 0) throw new RangeError('concatScenes needs at least one scene');
  // Next to the output, so it lives (and is cleaned up) with the video's other artifacts.
  const listPath = `${outPath}.concat.txt`;
  await writeFile(listPath, `${scenePaths.map(concatListLine).join('\n')}\n`, 'utf8');
  try {
    await runFfmpeg(
      [
        // -safe 0 allows absolute paths, which the list always holds.
        ...['-f', 'concat', '-safe', '0', '-i', listPath],
        ...(subtitlesPath ? ['-i', subtitlesPath, '-map', '0:v', '-map', '0:a', '-map', '1:0'] : ['-map', '0']),
        ...['-c', 'copy'],
        ...(subtitlesPath
          ? ['-c:s', 'mov_text', '-metadata:s:s:0', `language=${language}`, '-metadata:s:s:0', 'handler_name=Subtitles']
          : []),
        ...['-movflags', '+faststart', outPath],
      ],
      { signal, step: 'joining the scenes' },
    );
  } finally {
    await rm(listPath, { force: true });
  }
}
