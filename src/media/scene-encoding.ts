/**
 * The one set of encoder settings every normalised scene is written with. Concatenating with
 * `-c copy` only works when all parts share codec parameters and timebase, so these live in one
 * place instead of being repeated per call.
 */
export const SCENE_WIDTH = 1280;
export const SCENE_HEIGHT = 720;
export const SCENE_FPS = 30;
export const SCENE_SAMPLE_RATE = 48000;

export const SCENE_VIDEO_ARGS = [
  ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23'],
  ...['-profile:v', 'high', '-level:v', '4.0', '-pix_fmt', 'yuv420p'],
  // A keyframe every 2 s keeps seeking in the final video cheap.
  ...['-g', String(SCENE_FPS * 2), '-r', String(SCENE_FPS)],
  ...['-video_track_timescale', '90000'],
];

export const SCENE_AUDIO_ARGS = ['-c:a', 'aac', '-b:a', '128k', '-ar', String(SCENE_SAMPLE_RATE), '-ac', '2'];
