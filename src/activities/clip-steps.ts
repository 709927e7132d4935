/**
 * Stage `generating_clips`, the waiting half. A scene's clip is a chain of provider tasks; the
 * workflow submits each one (submit-clip-step.ts), gets its id recorded in history by that
 * activity's completion, and only then waits on it here. A wait that is cut short (a deploy, a
 * crash, a frozen worker, a timeout) leaves the task alone: the retry waits on the same task.
 */
import fs from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import type { ClipGenerator, ClipStep, Spend } from '../providers/contracts';
import type { Scene } from '../shared/video';
import type { MediaStore } from '../storage/media-store';
import { startHeartbeatLoop } from './heartbeat-loop';
import { atActivityBoundary } from './to-application-failure';

export const clipFileName = (index: number) => `scene-${String(index).padStart(2, '0')}.clip.mp4`;

export interface AwaitClipStepInput {
  videoId: string;
  scene: Scene;
  step: string;
  taskId: string;
  /** The scene's last step writes the clip file; earlier ones hand their output to the next. */
  final: boolean;
}

export interface AwaitClipStepResult {
  /** What the next step starts from (Runway: the image's URL). */
  output?: string;
  /** File name inside the video's media folder, for the final step. */
  clipFile?: string;
  /** What the provider billed for this task. */
  spend: Spend;
}

export function createClipSteps(deps: { clipGenerator: ClipGenerator; store: MediaStore }) {
  return {
    /** The steps of every scene's clip with their quotes, so the workflow can hold the budget. */
    async planClips(scenes: Scene[]): Promise<ClipStep[][]> {
      return scenes.map((scene) => deps.clipGenerator.plan(scene));
    },

    async awaitClipStep(input: AwaitClipStepInput): Promise<AwaitClipStepResult> {
      return atActivityBoundary(async () => {
        const { cancellationSignal } = Context.current();
        const clipFile = input.final ? clipFileName(input.scene.index) : undefined;
        if (clipFile) await deps.store.ensureDir(input.videoId);
        const outPath = clipFile ? deps.store.path(input.videoId, clipFile) : undefined;
        const heartbeats = startHeartbeatLoop({ taskId: input.taskId, progress: 0 });
        try {
          const outcome = await deps.clipGenerator.await({
            scene: input.scene,
            step: input.step,
            taskId: input.taskId,
            outPath,
            signal: cancellationSignal,
            onProgress: (progress) => heartbeats.update({ taskId: input.taskId, progress }),
          });
          return { output: outcome.output, clipFile, spend: outcome.spend };
        } catch (err) {
          if (cancellationSignal.aborted && outPath) await fs.rm(outPath, { force: true });
          throw err;
        } finally {
          heartbeats.stop();
        }
      });
    },
  };
}
