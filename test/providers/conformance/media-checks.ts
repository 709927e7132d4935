/**
 * Media assertions shared by the conformance suites: what a viewer would notice about a narration
 * or a clip (it plays, it is not silent, it has a picture).
 */
import { runTool } from '../../../src/media/run-tool';

/** Loudest sample of a file's audio in dBFS, from ffmpeg's volumedetect (-91 means silence). */
export async function maxVolumeDb(file: string): Promise<number> {
  const { stderr } = await runTool('ffmpeg', [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-i',
    file,
    '-af',
    'volumedetect',
    '-f',
    'null',
    '-',
  ]);
  const match = /max_volume:\s*(-?[\d.]+) dB/.exec(stderr);
  if (!match?.[1]) throw new Error(`volumedetect printed no max_volume for ${file}`);
  return Number(match[1]);
}
