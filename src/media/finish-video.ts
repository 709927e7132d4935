/**
 * The extra pass of a render with burned captions (`options.burnCaptions`): the joined picture is
 * encoded again with the subtitles drawn in, the sound is copied (it was normalised when each
 * scene was encoded), and the subtitles are also added as a soft `mov_text` track. Without burned
 * captions, concatScenes adds the track while it joins, and there is no extra pass.
 */
import { runFfmpeg } from './ffmpeg';
import { escapeFilterValue } from './filter-escape';
import { SCENE_VIDEO_ARGS } from './scene-encoding';

/**
 * Captions as broadcasters set them: white sans-serif, bold, on a dark translucent box near the
 * bottom, large enough to read on a phone (libass sizes are relative to a 288-line canvas, so 18
 * is about 6 % of the picture's height).
 */
const captionStyle = (fontSize: number) =>
  [
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
  const picture = burnCaptions ? ['-vf', burnedCaptionsFilter(subtitlesPath, captionFontSize), ...SCENE_VIDEO_ARGS] : ['-c:v', 'copy'];
  await runFfmpeg(
    [
      ...['-i', joinedPath, '-i', subtitlesPath],
      ...['-map', '0:v:0', '-map', '0:a:0', '-map', '1:0', ...picture],
      ...['-c:a', 'copy'],
      ...['-c:s', 'mov_text', '-metadata:s:s:0', `language=${language}`, '-metadata:s:s:0', 'handler_name=Subtitles'],
      ...['-movflags', '+faststart', outPath],
    ],
    { signal, step: 'adding subtitles' },
  );
}
