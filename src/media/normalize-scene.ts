/**
 * Turns a scene's clip and narration into one uniform MP4 part of exactly the scene's length,
 * so that all parts can be joined without re-encoding.
 *
 * A clip shorter than the narration is looped (`-stream_loop -1`) rather than frozen on its
 * last frame: generated clips are a few seconds long while narration runs 10–15 s, and a still
 * picture held that long reads as a stalled video, whereas a loop keeps the scene moving.
 */
import { runFfmpeg } from './ffmpeg';
import { gainFilters } from './loudness';
import { SCENE_AUDIO_ARGS, SCENE_FPS, SCENE_HEIGHT, SCENE_SAMPLE_RATE, SCENE_VIDEO_ARGS, SCENE_WIDTH } from './scene-encoding';

export interface NormalizeSceneOptions {
  clipPath: string;
  audioPath: string;
  outPath: string;
  /** Length of the output in seconds: the narration plus the pause the caller chose. */
  durationSec: number;
  signal?: AbortSignal;
  /** Share of the scene encoded so far, 0–1. */
  onProgress?: (fraction: number) => void;
  /** Gain applied to the narration, in dB (the video's loudness normalisation); none by default. */
  gainDb?: number;
  /** The output's size; 1280x720 unless a preset says otherwise. */
  width?: number;
  height?: number;
}

/** Writes a 30 fps H.264 + AAC 48 kHz stereo MP4 (1280x720 by default) of exactly `durationSec` seconds. */
export async function normalizeScene(options: NormalizeSceneOptions): Promise<void> {
  const { clipPath, audioPath, outPath, durationSec, signal, onProgress, width = SCENE_WIDTH, height = SCENE_HEIGHT, gainDb = 0 } = options;
  if (!(durationSec > 0)) throw new RangeError(`durationSec must be positive, got ${durationSec}`);
  const duration = durationSec.toFixed(3);
  const video = [
    // Fit any aspect ratio inside the frame and fill the rest with black bars.
    `scale=${width}:${height}:force_original_aspect_ratio=decrease`,
    `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black`,
    'setsar=1',
    `fps=${SCENE_FPS}`,
    'format=yuv420p',
  ].join(',');
  // Silence after the narration up to the full length; -t then cuts both streams to it.
  // The gain and its limiter act on the stereo signal, as the loudness measurement does (mono
  // narration is upmixed at -3 dB a channel, so a limiter before the upmix would cut more).
  const audio = [
    `aresample=${SCENE_SAMPLE_RATE}`,
    'aformat=channel_layouts=stereo',
    ...gainFilters(gainDb),
    `apad=whole_dur=${duration}`,
  ].join(',');
  await runFfmpeg(
    [
      ...['-stream_loop', '-1', '-i', clipPath],
      ...['-i', audioPath],
      ...['-filter_complex', `[0:v:0]${video}[v];[1:a:0]${audio}[a]`],
      ...['-map', '[v]', '-map', '[a]', '-t', duration],
      ...SCENE_VIDEO_ARGS,
      ...SCENE_AUDIO_ARGS,
      ...['-movflags', '+faststart', outPath],
    ],
    { signal, step: 'normalising a scene', totalSec: durationSec, onProgress: (p) => onProgress?.(p.fraction ?? 0) },
  );
  onProgress?.(1);
}
