/**
 * Stage `generating_clips`, the waiting half. A scene's clip is a chain of provider tasks; the
 * workflow submits each one (submit-clip-step.ts), gets its id recorded in history by that
 * activity's completion, and only then waits on it here, detached from the activity's slot
 * (detached-activities.ts). A wait that is cut short (a deploy, a crash, a frozen worker, a
 * timeout) leaves the task alone: the retry waits on the same task.
 */
import fs from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import type { ClipGenerator, ClipStep, Spend } from '../providers/contracts';
import type { Scene } from '../shared/video';
import type { ArtifactStore } from '../storage/artifact-store';
import type { DetachedActivities } from './detached-activities';
import { startHeartbeatLoop } from './heartbeat-loop';
import { atActivityBoundary } from './to-application-failure';
import type { PresetName } from '../shared/presets';

export const clipFileName = (index: number) => `scene-${String(index).padStart(2, '0')}.clip.mp4`;

export interface AwaitClipStepInput {
  videoId: string;
  scene: Scene;
  step: string;
  taskId: string;
  /** The scene's last step writes the clip file; earlier ones hand their output to the next. */
  final: boolean;
  /** The video's format; 720p when absent (and in runs started before presets). */
  preset?: PresetName;
}

export interface AwaitClipStepResult {
  /** What the next step starts from (Runway: the image's URL). */
  output?: string;
  /** File name inside the video's media folder, for the final step. */
  clipFile?: string;
  /** What the provider billed for this task. */
  spend: Spend;
}

export function createClipSteps(deps: { clipGenerator: ClipGenerator; store: ArtifactStore; detached?: DetachedActivities }) {
  /** Waits on one task and publishes the final step's clip; the same body runs in or out of its slot. */
  async function waitForStep(input: AwaitClipStepInput, signal: AbortSignal, onProgress: (progress: number) => void) {
    const clipFile = input.final ? clipFileName(input.scene.index) : undefined;
    const outPath = clipFile ? await deps.store.tempPath(input.videoId, clipFile) : undefined;
    try {
      const outcome = await deps.clipGenerator.await({
        scene: input.scene,
        step: input.step,
        taskId: input.taskId,
        outPath,
        preset: input.preset,
        signal,
        onProgress,
      });
      if (clipFile && outPath) await deps.store.publish(input.videoId, clipFile, outPath, signal);
      return { output: outcome.output, clipFile, spend: outcome.spend };
    } finally {
      if (outPath) await fs.rm(outPath, { force: true });
    }
  }

  /** A remote task waits detached from its slot; the local drawer's step is CPU work and keeps it. */
  const isRemote = (input: AwaitClipStepInput) =>
    deps.clipGenerator.plan(input.scene).find((step) => step.name === input.step)?.submitted !== false;

  return {
    /** The steps of every scene's clip with their quotes, so the workflow can hold the budget. */
    async planClips(scenes: Scene[]): Promise<ClipStep[][]> {
      return scenes.map((scene) => deps.clipGenerator.plan(scene));
    },

    async awaitClipStep(input: AwaitClipStepInput): Promise<AwaitClipStepResult> {
      const beat = (progress: number) => ({ taskId: input.taskId, progress });
      if (deps.detached && isRemote(input)) {
        const waiting = deps.detached;
        return waiting.detach(beat(0), (context) =>
          atActivityBoundary(() => waitForStep(input, context.signal, (progress) => context.heartbeat(beat(progress)))),
        );
      }
      return atActivityBoundary(async () => {
        const heartbeats = startHeartbeatLoop(beat(0));
        try {
          return await waitForStep(input, Context.current().cancellationSignal, (progress) => heartbeats.update(beat(progress)));
        } finally {
          heartbeats.stop();
        }
      });
    },
  };
}
