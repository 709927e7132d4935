import fs from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { narrationGainDb } from '../media/loudness';
import { writePosterFrame } from '../media/poster-frame';
import { buildSrt } from '../media/subtitles';
import { renderSlideshow, slideshowTimeline, type SlideFit, type SlideTransition } from '../media/slideshow';
import { presetOf, type PresetName } from '../shared/presets';
import type { Script, VideoResult } from '../shared/video';
import type { ArtifactStore } from '../storage/artifact-store';
import { startHeartbeatLoop } from './heartbeat-loop';
import { publishedRender, publishRender, SCRIPT_FILE, SERVED_FILES, SUBTITLES_FILE, THUMBNAIL_FILE, VIDEO_FILE } from './render-video';
import { subtitleCues, type TimedScene } from './subtitle-cues';
import { atActivityBoundary } from './to-application-failure';

export interface RenderSlideInput {
  index: number;
  imageFile: string;
  orientation: number;
  /** The slide's narrated caption, when it has one and the video has no soundtrack. */
  narration?: { audioFile: string; durationSec: number };
}

export interface RenderSlideshowInput {
  videoId: string;
  /** One scene per slide; a scene's narration is its caption (empty when it has none). */
  script: Script;
  slides: RenderSlideInput[];
  soundtrackFile?: string;
  secondsPerImage: number;
  transition: SlideTransition;
  fit: SlideFit;
  burnCaptions?: boolean;
  preset?: PresetName;
}

export interface RenderSlideshowDeps {
  store: ArtifactStore;
  /** Silence after a narrated caption before the next slide. */
  scenePauseSec: number;
  /** @default false */
  keepIntermediateFiles?: boolean;
}

/**
 * Stage `rendering` of a slideshow: one ffmpeg pass (src/media/slideshow.ts) writes the MP4 with
 * its subtitle track; then the poster, the subtitles and, last, the script with each slide's
 * start and length are published, and the copied uploads and narrations are dropped unless kept.
 */
export function createRenderSlideshow(deps: RenderSlideshowDeps) {
  return {
    async renderSlideshow(input: RenderSlideshowInput): Promise<VideoResult> {
      return atActivityBoundary(async () => {
        const context = Context.current();
        const signal = context.cancellationSignal;
        const { store } = deps;
        const { videoId } = input;
        const slides = [...input.slides].sort((a, b) => a.index - b.index);
        // A narrated slide stays until its caption is spoken, and a pause after it.
        const seconds = slides.map((s) => Math.max(input.secondsPerImage, s.narration ? s.narration.durationSec + deps.scenePauseSec : 0));
        const timeline = slideshowTimeline(seconds, input.transition);
        const companions = slideshowCompanions(input, slides, timeline);
        const result = (bytes: number): VideoResult => ({ file: VIDEO_FILE, durationSec: timeline.totalSec, bytes });

        const published = await publishedRender(store, videoId, companions);
        if (published !== undefined) {
          await dropIntermediates(deps, input);
          return result(published);
        }

        const heartbeats = startHeartbeatLoop(0, null);
        const scratch: string[] = [];
        const tempPath = async (name: string) => {
          const file = await store.tempPath(videoId, name);
          scratch.push(file);
          return file;
        };
        try {
          const fetch = (name: string) => store.fetch(videoId, name, signal);
          const narrations = await Promise.all(slides.map(async (s) => (s.narration ? fetch(s.narration.audioFile) : undefined)));
          const soundtrackPath = input.soundtrackFile ? await fetch(input.soundtrackFile) : undefined;
          // The same rule as a narrated video: the whole audio measured as one programme, one gain.
          const measured = soundtrackPath
            ? [{ file: soundtrackPath }]
            : narrations.flatMap((file, i) => (file ? [{ file, durationSec: timeline.slots[i] }] : []));
          const gainDb = measured.length > 0 ? await narrationGainDb(measured, signal) : 0;

          const preset = presetOf(input.preset);
          const subtitles = await tempPath(SUBTITLES_FILE);
          await fs.writeFile(subtitles, companions.subtitlesSrt);
          const video = await tempPath(VIDEO_FILE);
          await renderSlideshow({
            slides: await Promise.all(
              slides.map(async (s, i) => ({
                imagePath: await fetch(s.imageFile),
                orientation: s.orientation,
                seconds: seconds[i]!,
                narrationPath: soundtrackPath ? undefined : narrations[i],
              })),
            ),
            width: preset.width,
            height: preset.height,
            fit: input.fit,
            transition: input.transition,
            soundtrackPath,
            gainDb,
            // Slides without a caption have nothing to show: no subtitle track rather than an empty one.
            subtitlesPath: companions.subtitlesSrt.trim() === '' ? undefined : subtitles,
            burnCaptions: input.burnCaptions,
            captionFontSize: preset.captionFontSize,
            outPath: video,
            signal,
            onProgress: (fraction) => heartbeats.update(Math.round(fraction * 100) / 100),
          });
          const { size } = await fs.stat(video);
          // The poster: the middle of the first slide, before any crossfade.
          const poster = await tempPath(THUMBNAIL_FILE);
          await writePosterFrame({ videoPath: video, outPath: poster, atSec: (timeline.slots[0]! - timeline.fadeSec) / 2, signal });
          await publishRender(
            store,
            videoId,
            { video, poster, subtitles, script: await tempPath(SCRIPT_FILE) },
            companions.scriptJson,
            signal,
          );
          await dropIntermediates(deps, input);
          return result(size);
        } finally {
          heartbeats.stop();
          await Promise.all(scratch.map((file) => fs.rm(file, { force: true })));
        }
      });
    },
  };
}

/** The script with each slide's start and length, and the captions timed to the slides. */
function slideshowCompanions(input: RenderSlideshowInput, slides: RenderSlideInput[], timeline: ReturnType<typeof slideshowTimeline>) {
  const timed: TimedScene[] = slides.map((slide, i) => {
    const startSec = timeline.starts[i]!;
    const narration = input.script.scenes.find((s) => s.index === slide.index)?.narration ?? '';
    // A spoken caption follows the voice; a silent one stays while its slide is on screen alone.
    const speechSec = slide.narration && !input.soundtrackFile ? slide.narration.durationSec : timeline.slots[i]! - timeline.fadeSec;
    return { narration, startSec, speechSec };
  });
  const script = {
    ...input.script,
    scenes: input.script.scenes.map((scene) => {
      const i = slides.findIndex((s) => s.index === scene.index);
      return { ...scene, startSec: timeline.starts[i], durationSec: timeline.slots[i] };
    }),
  };
  return { scriptJson: JSON.stringify(script, null, 2), subtitlesSrt: buildSrt(subtitleCues(timed)) };
}

async function dropIntermediates(deps: RenderSlideshowDeps, input: RenderSlideshowInput): Promise<void> {
  const kept = deps.keepIntermediateFiles
    ? input.slides.flatMap((s) => [s.imageFile, ...(s.narration ? [s.narration.audioFile] : [])]).concat(input.soundtrackFile ?? [])
    : [];
  await deps.store.keepOnly(input.videoId, [...SERVED_FILES, ...kept]);
}
