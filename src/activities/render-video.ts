import fs from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { concatScenes } from '../media/concat-scenes';
import { normalizeScene } from '../media/normalize-scene';
import { buildSrt } from '../media/subtitles';
import type { Script, VideoResult } from '../shared/video';
import type { MediaStore } from '../storage/media-store';
import { startHeartbeatLoop } from './heartbeat-loop';
import { subtitleCues } from './subtitle-cues';
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
}

/** Heartbeat details: scenes already normalised, so a retry only does the rest. */
interface RenderHeartbeat {
  normalized: number[];
  progress: number;
}

export const VIDEO_FILE = 'video.mp4';
export const SCRIPT_FILE = 'script.json';
export const SUBTITLES_FILE = 'subtitles.srt';
const normalizedFileName = (index: number) => `scene-${String(index).padStart(2, '0')}.norm.mp4`;

/**
 * Stage `rendering`: every scene is normalised to one format (its length = narration + pause),
 * then the scenes are joined without re-encoding. Writes video.mp4, script.json, subtitles.srt.
 */
export function createRenderVideo(deps: { store: MediaStore; scenePauseSec: number }) {
  return {
    async renderVideo(input: RenderVideoInput): Promise<VideoResult> {
      return atActivityBoundary(async () => {
        const context = Context.current();
        const signal = context.cancellationSignal;
        const { videoId } = input;
        const scenes = [...input.scenes].sort((a, b) => a.index - b.index);
        const previous = context.info.heartbeatDetails as RenderHeartbeat | undefined;
        const beat: RenderHeartbeat = { normalized: previous?.normalized ?? [], progress: 0 };
        const heartbeats = startHeartbeatLoop(beat, null);
        const out = (name: string) => deps.store.path(videoId, name);
        try {
          for (const [position, scene] of scenes.entries()) {
            const target = out(normalizedFileName(scene.index));
            const done = beat.normalized.includes(scene.index) && (await exists(target));
            if (!done) {
              await normalizeScene({
                clipPath: out(scene.clipFile),
                audioPath: out(scene.audioFile),
                outPath: target,
                durationSec: scene.durationSec + deps.scenePauseSec,
                signal,
                onProgress: (fraction) => {
                  beat.progress = (position + fraction) / (scenes.length + 1);
                  heartbeats.update(beat);
                },
              });
              beat.normalized.push(scene.index);
            }
            beat.progress = (position + 1) / (scenes.length + 1);
            heartbeats.update(beat);
          }

          const partial = out(`${VIDEO_FILE}.partial.mp4`);
          await concatScenes({
            scenePaths: scenes.map((s) => out(normalizedFileName(s.index))),
            outPath: partial,
            signal,
          });
          await fs.rename(partial, out(VIDEO_FILE));
          await writeCompanions(deps, input, scenes);
          await Promise.all(scenes.map((s) => fs.rm(out(normalizedFileName(s.index)), { force: true })));

          // Every scene was cut to exactly its length, so the sum is the video's length; no need
          // to pay for an ffprobe of the result (a test checks the two agree).
          const durationSec = scenes.reduce((sum, s) => sum + s.durationSec + deps.scenePauseSec, 0);
          const { size } = await fs.stat(out(VIDEO_FILE));
          return { file: VIDEO_FILE, durationSec: Math.round(durationSec * 1000) / 1000, bytes: size };
        } finally {
          heartbeats.stop();
        }
      });
    },
  };
}

async function writeCompanions(
  deps: { store: MediaStore; scenePauseSec: number },
  input: RenderVideoInput,
  scenes: RenderSceneInput[],
): Promise<void> {
  let startSec = 0;
  const timed = scenes.map((scene) => {
    const narration = input.script.scenes.find((s) => s.index === scene.index)?.narration ?? '';
    const entry = { narration, startSec, speechSec: scene.durationSec };
    startSec += scene.durationSec + deps.scenePauseSec;
    return entry;
  });
  const scriptWithTimes = {
    ...input.script,
    scenes: input.script.scenes.map((s) => {
      const t = timed[scenes.findIndex((x) => x.index === s.index)];
      return { ...s, startSec: t?.startSec, durationSec: t ? t.speechSec + deps.scenePauseSec : undefined };
    }),
  };
  await fs.writeFile(deps.store.path(input.videoId, SCRIPT_FILE), JSON.stringify(scriptWithTimes, null, 2));
  await fs.writeFile(deps.store.path(input.videoId, SUBTITLES_FILE), buildSrt(subtitleCues(timed)));
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}
