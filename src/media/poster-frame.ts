/**
 * The poster of a video: one JPEG frame, 640 pixels wide, taken where the picture is settled
 * rather than at a cut between scenes.
 */
import { runFfmpeg } from './ffmpeg';

export interface PosterFrameOptions {
  videoPath: string;
  outPath: string;
  /** Where the frame is taken, in seconds from the start. */
  atSec: number;
  signal?: AbortSignal;
}

export async function writePosterFrame(options: PosterFrameOptions): Promise<void> {
  const { videoPath, outPath, atSec, signal } = options;
  await runFfmpeg(
    // -ss before -i seeks to the nearest key frame and decodes on to the exact time.
    [
      '-ss',
      atSec.toFixed(3),
      '-i',
      videoPath,
      '-frames:v',
      '1',
      '-update',
      '1',
      '-vf',
      'scale=640:-2',
      '-q:v',
      '3',
      '-f',
      'image2',
      outPath,
    ],
    { signal, step: 'poster frame' },
  );
}
