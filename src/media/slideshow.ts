/**
 * A slideshow in one ffmpeg pass: each image turned upright by its EXIF orientation, fitted to the
 * frame (cropped, or letterboxed over a blurred copy of itself), slowly zoomed, and crossfaded into
 * the next (`xfade`); under it the narration of each slide, or a soundtrack looped or cut to the
 * picture's length with a fade-out, or silence. The soft subtitle track is muxed in the same pass,
 * and burned captions are drawn there too, so a slideshow is encoded exactly once.
 *
 * Each image is decoded, turned and fitted once, then repeated (`loop`); only the zoom runs per
 * frame. It works on a canvas twice the output's size, so that its whole-pixel steps are half-pixel
 * steps in the output and the motion does not judder.
 */
import { runFfmpeg } from './ffmpeg';
import { burnedCaptionsFilter } from './finish-video';
import { gainFilters } from './loudness';
import { SCENE_AUDIO_ARGS, SCENE_FPS, SCENE_SAMPLE_RATE, SCENE_VIDEO_ARGS } from './scene-encoding';

export type SlideFit = 'letterbox' | 'crop';
export type SlideTransition = 'fade' | 'none';

/** Length of a crossfade, unless a slide is too short for it (it takes at most a third of one). */
export const CROSSFADE_SEC = 0.8;
/** How much a slide zooms over its time on screen: 6 %, in on even slides and out on odd ones. */
const ZOOM = 0.06;
/** The soundtrack's fade-out at the end of the picture. */
const SOUNDTRACK_FADE_SEC = 2;

export interface Slide {
  imagePath: string;
  /** EXIF orientation, 1 (upright) to 8. */
  orientation: number;
  /** Time on screen, crossfade included, in seconds. */
  seconds: number;
  /** The slide's narration, which starts with it. */
  narrationPath?: string;
}

export interface SlideshowOptions {
  slides: Slide[];
  width: number;
  height: number;
  fit: SlideFit;
  transition: SlideTransition;
  /** A track under the whole picture, looped or cut to its length; it replaces any narration. */
  soundtrackPath?: string;
  /** Gain of the audio (narration or soundtrack) that brings it to the video's loudness, in dB. */
  gainDb: number;
  /** SubRip captions, muxed as a soft track (and burned in on request); none when the slides have no captions. */
  subtitlesPath?: string;
  burnCaptions?: boolean;
  captionFontSize?: number;
  outPath: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/** Seconds rounded up to whole frames, so that every cut and fade falls on a frame. */
export const toFrames = (sec: number) => Math.ceil(sec * SCENE_FPS - 1e-6) / SCENE_FPS;

/** When each slide starts, how long the crossfades are, and the whole length. */
export function slideshowTimeline(seconds: readonly number[], transition: SlideTransition) {
  const slots = seconds.map(toFrames);
  const shortest = Math.min(...slots);
  const fadeSec = transition === 'none' || slots.length < 2 ? 0 : Math.floor(Math.min(CROSSFADE_SEC, shortest / 3) * SCENE_FPS) / SCENE_FPS;
  const starts: number[] = [];
  let at = 0;
  for (const slot of slots) {
    starts.push(at);
    at += slot;
  }
  return { slots, starts, fadeSec, totalSec: Math.round(at * 1000) / 1000 };
}

/** The filters that turn an image stored with EXIF `orientation` upright. */
export function orientationFilters(orientation: number): string[] {
  switch (orientation) {
    case 2:
      return ['hflip'];
    case 3:
      return ['hflip', 'vflip'];
    case 4:
      return ['vflip'];
    case 5:
      return ['transpose=cclock_flip'];
    case 6:
      return ['transpose=clock'];
    case 7:
      return ['transpose=clock_flip'];
    case 8:
      return ['transpose=cclock'];
    default:
      return [];
  }
}

/** The filter graph of one slide, from input `i` to the label `[v{i}]`. */
function slideGraph(i: number, slide: Slide, seconds: number, options: SlideshowOptions): string {
  const w = options.width * 2;
  const h = options.height * 2;
  const frames = Math.round(seconds * SCENE_FPS);
  const upright = ['trim=end_frame=1', ...orientationFilters(slide.orientation), 'format=yuv444p'].join(',');
  const fitted =
    options.fit === 'crop'
      ? `[u${i}]scale=${w}:${h}:force_original_aspect_ratio=increase,crop=${w}:${h}[f${i}]`
      : [
          `[u${i}]split=2[b${i}][p${i}]`,
          `[b${i}]scale=${w / 8}:${h / 8}:force_original_aspect_ratio=increase,crop=${w / 8}:${h / 8},gblur=sigma=6,eq=brightness=-0.12,scale=${w}:${h}[bb${i}]`,
          `[p${i}]scale=${w}:${h}:force_original_aspect_ratio=decrease:force_divisible_by=2[pp${i}]`,
          `[bb${i}][pp${i}]overlay=(W-w)/2:(H-h)/2[f${i}]`,
        ].join(';');
  const zoom = i % 2 === 0 ? `1+${ZOOM}*on/${frames}` : `${1 + ZOOM}-${ZOOM}*on/${frames}`;
  const moving = [
    `loop=loop=${frames - 1}:size=1:start=0`,
    `zoompan=z='${zoom}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s=${options.width}x${options.height}:fps=${SCENE_FPS}`,
    'setsar=1',
    'format=yuv420p',
  ].join(',');
  return `[${i}:v:0]${upright}[u${i}];${fitted};[f${i}]${moving}[v${i}]`;
}

/** The arguments of the one ffmpeg run that writes the slideshow; exported for tests. */
export function slideshowArgs(options: SlideshowOptions): string[] {
  const { slides } = options;
  if (slides.length === 0) throw new RangeError('A slideshow needs at least one image');
  const { slots, starts, fadeSec, totalSec } = slideshowTimeline(
    slides.map((s) => s.seconds),
    options.transition,
  );
  const inputs: string[] = [];
  const graph: string[] = [];
  let inputCount = 0;
  /** Adds an input (its flags first, the path last) and answers its index. */
  const input = (...args: string[]) => {
    inputs.push(...args.slice(0, -1), '-i', args[args.length - 1]!);
    return inputCount++;
  };

  // Pictures: every slide but the last stays on screen through the crossfade into the next.
  slides.forEach((slide, i) => {
    input('-noautorotate', slide.imagePath);
    graph.push(slideGraph(i, slide, slots[i]! + (i < slides.length - 1 ? fadeSec : 0), options));
  });
  let picture = 'v0';
  if (slides.length > 1 && fadeSec > 0) {
    for (let i = 1; i < slides.length; i++) {
      const out = i === slides.length - 1 ? 'joined' : `x${i}`;
      graph.push(`[${picture}][v${i}]xfade=transition=fade:duration=${fadeSec.toFixed(3)}:offset=${starts[i]!.toFixed(3)}[${out}]`);
      picture = out;
    }
  } else if (slides.length > 1) {
    graph.push(`${slides.map((_, i) => `[v${i}]`).join('')}concat=n=${slides.length}:v=1:a=0[joined]`);
    picture = 'joined';
  }
  const burn = options.burnCaptions && options.subtitlesPath;
  graph.push(`[${picture}]${burn ? burnedCaptionsFilter(options.subtitlesPath!, options.captionFontSize) : 'null'}[v]`);

  // Sound, brought to the video's loudness by the one gain the caller measured.
  const stereo = `aresample=${SCENE_SAMPLE_RATE},aformat=channel_layouts=stereo`;
  const silence = (sec: number) => `anullsrc=r=${SCENE_SAMPLE_RATE}:cl=stereo,atrim=duration=${sec.toFixed(3)}`;
  const gain = gainFilters(options.gainDb);
  if (options.soundtrackPath) {
    const index = input('-stream_loop', '-1', options.soundtrackPath);
    const fade = Math.min(SOUNDTRACK_FADE_SEC, totalSec / 4);
    const chain = [stereo, ...gain, `atrim=duration=${totalSec.toFixed(3)}`, 'asetpts=PTS-STARTPTS'];
    graph.push(`[${index}:a:0]${[...chain, `afade=t=out:st=${(totalSec - fade).toFixed(3)}:d=${fade.toFixed(3)}`].join(',')}[a]`);
  } else if (slides.some((s) => s.narrationPath)) {
    const parts = slides.map((slide, i) => {
      if (!slide.narrationPath) return `${silence(slots[i]!)}[n${i}]`;
      const index = input(slide.narrationPath);
      return `[${index}:a:0]${stereo},apad=whole_dur=${slots[i]!.toFixed(3)},atrim=duration=${slots[i]!.toFixed(3)}[n${i}]`;
    });
    graph.push(...parts);
    graph.push(
      `${slides.map((_, i) => `[n${i}]`).join('')}concat=n=${slides.length}:v=0:a=1${gain.length > 0 ? `,${gain.join(',')}` : ''}[a]`,
    );
  } else {
    graph.push(`${silence(totalSec)}[a]`);
  }

  const subtitles = options.subtitlesPath
    ? [
        ...['-map', `${input(options.subtitlesPath)}:0`],
        ...['-c:s', 'mov_text', '-metadata:s:s:0', 'language=eng', '-metadata:s:s:0', 'handler_name=Subtitles'],
      ]
    : [];
  return [
    ...inputs,
    ...['-filter_complex', graph.join(';')],
    ...['-map', '[v]', '-map', '[a]', ...subtitles, '-t', totalSec.toFixed(3)],
    ...SCENE_VIDEO_ARGS,
    ...SCENE_AUDIO_ARGS,
    ...['-movflags', '+faststart', options.outPath],
  ];
}

/** Writes the slideshow MP4 (H.264, AAC 48 kHz stereo, mov_text subtitles); answers its length in seconds. */
export async function renderSlideshow(options: SlideshowOptions): Promise<number> {
  const { totalSec } = slideshowTimeline(
    options.slides.map((s) => s.seconds),
    options.transition,
  );
  await runFfmpeg(slideshowArgs(options), {
    signal: options.signal,
    step: 'rendering the slideshow',
    totalSec,
    onProgress: (p) => options.onProgress?.(p.fraction ?? 0),
  });
  options.onProgress?.(1);
  return totalSec;
}
