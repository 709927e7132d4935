import fs from 'node:fs/promises';
import { Context, log } from '@temporalio/activity';
import type { ClipCheckpoint, ClipGenerator, Spend } from '../providers/contracts';
import type { Scene } from '../shared/video';
import type { MediaStore } from '../storage/media-store';
import { startHeartbeatLoop } from './heartbeat-loop';
import { atActivityBoundary } from './to-application-failure';

export interface GenerateClipInput {
  videoId: string;
  scene: Scene;
}

export interface GenerateClipResult {
  /** File name inside the video's media folder. */
  clipFile: string;
  spend: Spend;
}

/** What the activity heartbeats: the provider's checkpoint plus the job's progress. */
export interface ClipHeartbeat {
  checkpoint: ClipCheckpoint;
  progress: number;
}

export const clipFileName = (index: number) => `scene-${String(index).padStart(2, '0')}.clip.mp4`;

/**
 * Stage `generating_clips`. A paid job is submitted at most once per scene: the provider's task
 * id goes into the heartbeat details as soon as it exists, and a retry (after a crash, a timeout
 * or a transient error) resumes that task instead of submitting a new one.
 */
export function createGenerateClip(deps: { clipGenerator: ClipGenerator; store: MediaStore }) {
  return {
    /** What a new submission would cost per scene, so the workflow can hold a video to its budget. */
    async quoteClips(scenes: Scene[]): Promise<number[]> {
      return scenes.map((scene) => deps.clipGenerator.estimateCredits(scene));
    },

    async generateClip(input: GenerateClipInput): Promise<GenerateClipResult> {
      return atActivityBoundary(async () => {
        const context = Context.current();
        const previous = context.info.heartbeatDetails as ClipHeartbeat | undefined;
        const resume = previous?.checkpoint;
        if (resume?.taskId) log.info('Resuming clip task', { taskId: resume.taskId });

        const clipFile = clipFileName(input.scene.index);
        await deps.store.ensureDir(input.videoId);
        const outPath = deps.store.path(input.videoId, clipFile);
        const beat: ClipHeartbeat = { checkpoint: resume ?? {}, progress: previous?.progress ?? 0 };
        const heartbeats = startHeartbeatLoop(beat);
        try {
          const { spend } = await deps.clipGenerator.generateClip({
            scene: input.scene,
            outPath,
            signal: context.cancellationSignal,
            resume,
            beforeSubmit: () => heartbeats.quiet(),
            onCheckpoint(checkpoint) {
              beat.checkpoint = checkpoint;
              heartbeats.update(beat);
            },
            onProgress(fraction) {
              beat.progress = fraction;
              heartbeats.update(beat);
            },
          });
          return { clipFile, spend };
        } catch (err) {
          if (context.cancellationSignal.aborted) await fs.rm(outPath, { force: true });
          throw err;
        } finally {
          heartbeats.stop();
        }
      });
    },
  };
}
