/**
 * The last pass of a render: the joined scenes' picture is copied as it is, their audio is
 * normalised to LOUDNESS_TARGET, and the subtitles are added as a soft `mov_text` track, which
 * players list as captions the viewer can turn on.
 */
import { runFfmpeg } from './ffmpeg';
import { loudnormFilter, measureLoudness } from './loudness';
import { escapeFilterValue } from './filter-escape';
import { SCENE_AUDIO_ARGS, SCENE_VIDEO_ARGS } from './scene-encoding';

/**
 * Captions as broadcasters set them: white sans-serif, bold, on a dark translucent box near the
 * bottom, large enough to read on a phone (libass sizes are relative to a 288-line canvas, so 18
 * is about 6 % of the picture's height).
 */
const captionStyle = (fontSize: number) => [
  'FontName=DejaVu Sans',
  'Bold=1',
  `FontSize=${fontSize}`,
  'PrimaryColour=&H00FFFFFF',
  'BackColour=&H80000000',
  'BorderStyle=4',
  'Outline=1',
  'Shadow=0',
  'MarginV=18',
  'Alignment=2',
].join(',');

export function burnedCaptionsFilter(subtitlesPath: string, fontSize = 18): string {
  return `subtitles=filename=${escapeFilterValue(subtitlesPath)}:force_style=${escapeFilterValue(captionStyle(fontSize))}`;
}

export interface FinishVideoOptions {
  joinedPath: string;
  subtitlesPath: string;
  outPath: string;
  /** ISO 639-2 code of the subtitles' language. */
  language?: string;
  /** Also draws the subtitles into the picture, which is then encoded again. */
  burnCaptions?: boolean;
  /** Burned captions' size in libass units (1/288 of the picture's height); 18 suits 16:9. */
  captionFontSize?: number;
  signal?: AbortSignal;
}

export async function finishVideo(options: FinishVideoOptions): Promise<void> {
  const { joinedPath, subtitlesPath, outPath, language = 'eng', burnCaptions = false, captionFontSize = 18, signal } = options;
  const filter = loudnormFilter(await measureLoudness(joinedPath, signal));
  const picture = burnCaptions ? ['-vf', burnedCaptionsFilter(subtitlesPath, captionFontSize), ...SCENE_VIDEO_ARGS] : ['-c:v', 'copy'];
  await runFfmpeg(
    [
      ...['-i', joinedPath, '-i', subtitlesPath],
      ...['-map', '0:v:0', '-map', '0:a:0', '-map', '1:0', ...picture],
      ...(filter ? ['-af', filter] : []),
      ...SCENE_AUDIO_ARGS,
      ...['-c:s', 'mov_text', '-metadata:s:s:0', `language=${language}`, '-metadata:s:s:0', 'handler_name=Subtitles'],
      ...['-movflags', '+faststart', outPath],
    ],
    { signal, step: 'normalising loudness and adding subtitles' },
  );
}
