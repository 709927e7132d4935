import fs from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { concatScenes } from '../media/concat-scenes';
import { finishVideo } from '../media/finish-video';
import { narrationGainDb } from '../media/loudness';
import { writePosterFrame } from '../media/poster-frame';
import { normalizeScene } from '../media/normalize-scene';
import { presetOf, type PresetName } from '../shared/presets';
import type { Script, VideoResult } from '../shared/video';
import type { ArtifactStore } from '../storage/artifact-store';
import { startHeartbeatLoop } from './heartbeat-loop';
import { renderCompanions, type RenderCompanions } from './render-companions';
import { atActivityBoundary } from './to-application-failure';

export interface RenderSceneInput {
  index: number;
  audioFile: string;
  clipFile: string;
  /** Narration length in seconds. */
  durationSec: number;
}

export interface RenderVideoInput {
  videoId: string;
  script: Script;
  scenes: RenderSceneInput[];
  /** Draws the captions into the picture as well (`options.burnCaptions`). */
  burnCaptions?: boolean;
  /** The output format; 720p when absent. */
  preset?: PresetName;
}

/** Heartbeat details: scenes already normalised (and published), so a retry only does the rest. */
interface RenderHeartbeat {
  normalized: number[];
  progress: number;
}

export const VIDEO_FILE = 'video.mp4';
export const SCRIPT_FILE = 'script.json';
export const SUBTITLES_FILE = 'subtitles.srt';
export const THUMBNAIL_FILE = 'thumbnail.jpg';
/** What a completed video keeps and the API serves; everything else is intermediate. */
export const SERVED_FILES = [VIDEO_FILE, SCRIPT_FILE, SUBTITLES_FILE, THUMBNAIL_FILE] as const;
const normalizedFileName = (index: number) => `scene-${String(index).padStart(2, '0')}.norm.mp4`;

export interface RenderVideoDeps {
  store: ArtifactStore;
  scenePauseSec: number;
  /** @default false */
  keepIntermediateFiles?: boolean;
}

/**
 * Stage `rendering`: every scene is normalised to one format (its length = narration + pause),
 * with the narration's one loudness gain (-16 LUFS for the whole video, loudness.ts); then the
 * scenes are joined without re-encoding and the subtitles are added as a soft track (finish-video.ts). Publishes video.mp4, its poster thumbnail.jpg,
 * subtitles.srt and, last, script.json; then drops the scenes' narration and clips unless told to keep them.
 */
export function createRenderVideo(deps: RenderVideoDeps) {
  return {
    async renderVideo(input: RenderVideoInput): Promise<VideoResult> {
      return atActivityBoundary(async () => {
        const context = Context.current();
        const signal = context.cancellationSignal;
        const { videoId } = input;
        const { store } = deps;
        const scenes = [...input.scenes].sort((a, b) => a.index - b.index);
        const preset = presetOf(input.preset);
        const companions = renderCompanions(input, scenes, deps.scenePauseSec);
        // Every scene was cut to its length, so the sum is the video's length to within a frame
        // per scene (pictures are whole 1/30 s) and the AAC padding; no ffprobe of the result needed.
        const durationSec = Math.round(scenes.reduce((sum, s) => sum + s.durationSec + deps.scenePauseSec, 0) * 1000) / 1000;
        const result = (bytes: number): VideoResult => ({ file: VIDEO_FILE, durationSec, bytes });

        // A retry after everything was published (its inputs may be gone by now) answers the same.
        const published = await publishedRender(store, videoId, companions);
        if (published !== undefined) {
          await dropIntermediates(deps, input);
          return result(published);
        }

        const previous = context.info.heartbeatDetails as RenderHeartbeat | undefined;
        const beat: RenderHeartbeat = { normalized: previous?.normalized ?? [], progress: 0 };
        const heartbeats = startHeartbeatLoop(beat, null);
        const scratch: string[] = [];
        const tempPath = async (name: string) => {
          const file = await store.tempPath(videoId, name);
          scratch.push(file);
          return file;
        };
        // One gain for the whole narration, measured once a scene needs encoding (never on a resumed
        // render whose scenes are all encoded already); the same narrations give the same gain.
        let gainDb: number | undefined;
        const narrationGain = async () =>
          (gainDb ??= await narrationGainDb(
            await Promise.all(
              scenes.map(async (s) => ({
                file: await store.fetch(videoId, s.audioFile, signal),
                durationSec: s.durationSec + deps.scenePauseSec,
              })),
            ),
            signal,
          ));
        try {
          for (const [position, scene] of scenes.entries()) {
            const name = normalizedFileName(scene.index);
            const done = beat.normalized.includes(scene.index) && (await store.info(videoId, name)) !== undefined;
            if (!done) {
              const target = await tempPath(name);
              const sceneGainDb = await narrationGain();
              await normalizeScene({
                clipPath: await store.fetch(videoId, scene.clipFile, signal),
                audioPath: await store.fetch(videoId, scene.audioFile, signal),
                outPath: target,
                width: preset.width,
                height: preset.height,
                gainDb: sceneGainDb,
                durationSec: scene.durationSec + deps.scenePauseSec,
                signal,
                onProgress: (fraction) => {
                  beat.progress = (position + fraction) / (scenes.length + 1);
                  heartbeats.update(beat);
                },
              });
              await store.publish(videoId, name, target, signal);
              beat.normalized.push(scene.index);
            }
            beat.progress = (position + 1) / (scenes.length + 1);
            heartbeats.update(beat);
          }

          const scenePaths: string[] = [];
          for (const s of scenes) scenePaths.push(await store.fetch(videoId, normalizedFileName(s.index), signal));
          const subtitles = await tempPath(SUBTITLES_FILE);
          await fs.writeFile(subtitles, companions.subtitlesSrt);
          const video = await tempPath(VIDEO_FILE);
          if (input.burnCaptions) {
            // Drawing captions encodes the picture again: a pass of its own after the join.
            const joined = await tempPath(VIDEO_FILE);
            await concatScenes({ scenePaths, outPath: joined, signal });
            await finishVideo({
              joinedPath: joined,
              subtitlesPath: subtitles,
              outPath: video,
              burnCaptions: true,
              captionFontSize: preset.captionFontSize,
              signal,
            });
          } else {
            // The join copies picture and sound and adds the subtitle track in the same pass.
            await concatScenes({ scenePaths, outPath: video, subtitlesPath: subtitles, signal });
          }
          const { size } = await fs.stat(video);
          // The poster: the middle of the title scene, which shows the video's title, away from any cut.
          const poster = await tempPath(THUMBNAIL_FILE);
          const first = scenes[0];
          await writePosterFrame({
            videoPath: video,
            outPath: poster,
            atSec: first ? (first.durationSec + deps.scenePauseSec) / 2 : 0,
            signal,
          });
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

/** The MP4's size when this very render is already stored (its script matches), else undefined. */
export async function publishedRender(store: ArtifactStore, videoId: string, companions: RenderCompanions): Promise<number | undefined> {
  const [video, subtitles, script] = await Promise.all([VIDEO_FILE, SUBTITLES_FILE, SCRIPT_FILE].map((n) => store.info(videoId, n)));
  if (!video || !subtitles || !script) return undefined;
  const stored = await store.fetch(videoId, SCRIPT_FILE).then((file) => fs.readFile(file, 'utf8'));
  return stored === companions.scriptJson ? video.size : undefined;
}

/**
 * Publishes a finished render's files, the script last: once it is stored, so are the video,
 * poster and subtitles that match it, which is what publishedRender relies on. `files` are
 * working files; the script's is written here.
 */
export async function publishRender(
  store: ArtifactStore,
  videoId: string,
  files: { video: string; poster: string; subtitles: string; script: string },
  scriptJson: string,
  signal: AbortSignal,
): Promise<void> {
  await store.publish(videoId, VIDEO_FILE, files.video, signal);
  await store.publish(videoId, THUMBNAIL_FILE, files.poster, signal);
  await store.publish(videoId, SUBTITLES_FILE, files.subtitles, signal);
  await fs.writeFile(files.script, scriptJson);
  await store.publish(videoId, SCRIPT_FILE, files.script, signal);
}

/** Keeps what the video serves (and the scenes' narration and clips, when configured); the normalised parts always go. */
async function dropIntermediates(deps: RenderVideoDeps, input: RenderVideoInput): Promise<void> {
  const kept = deps.keepIntermediateFiles ? input.scenes.flatMap((s) => [s.audioFile, s.clipFile]) : [];
  await deps.store.keepOnly(input.videoId, [...SERVED_FILES, ...kept]);
}
