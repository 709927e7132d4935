/**
 * The one-activity clip of runs started before paid steps became activities of their own
 * (PAID_STEPS_PATCH in the workflow). Kept only so that those runs finish on today's workers;
 * new runs never schedule it. It walks the same provider steps inside one activity and keeps
 * their task ids in its heartbeat details, in the format those runs already wrote.
 */
import fs from 'node:fs/promises';
import { Context, log } from '@temporalio/activity';
import type { ClipGenerator, Spend } from '../providers/contracts';
import type { Scene } from '../shared/video';
import type { ArtifactStore } from '../storage/artifact-store';
import { clipFileName } from './clip-steps';
import { startHeartbeatLoop } from './heartbeat-loop';
import { atActivityBoundary } from './to-application-failure';

export interface GenerateClipInput {
  videoId: string;
  scene: Scene;
}

export interface GenerateClipResult {
  clipFile: string;
  spend: Spend;
}

/** Heartbeat details of the one-activity clip: the first and the second step's task ids. */
interface LegacyClipHeartbeat {
  checkpoint: { imageTaskId?: string; taskId?: string };
  progress: number;
}

export function createGenerateClip(deps: { clipGenerator: ClipGenerator; store: ArtifactStore }) {
  return {
    async quoteClips(scenes: Scene[]): Promise<number[]> {
      return scenes.map((scene) => deps.clipGenerator.plan(scene).reduce((sum, step) => sum + step.credits, 0));
    },

    async generateClip(input: GenerateClipInput): Promise<GenerateClipResult> {
      return atActivityBoundary(async () => {
        const context = Context.current();
        const previous = context.info.heartbeatDetails as LegacyClipHeartbeat | undefined;
        const steps = deps.clipGenerator.plan(input.scene);
        const ids = [previous?.checkpoint.imageTaskId, previous?.checkpoint.taskId].slice(0, steps.length);
        const clipFile = clipFileName(input.scene.index);
        const outPath = await deps.store.tempPath(input.videoId, clipFile);
        const beat = (): LegacyClipHeartbeat => ({ checkpoint: { imageTaskId: ids[0], taskId: ids[1] }, progress: 0 });
        const heartbeats = startHeartbeatLoop(beat());
        const inputs: Record<string, string> = {};
        let credits = 0;
        try {
          for (const [i, step] of steps.entries()) {
            const final = i === steps.length - 1;
            let taskId = ids[i];
            if (taskId) log.info('Resuming clip task', { taskId });
            else {
              await heartbeats.quiet();
              taskId = (await deps.clipGenerator.submit({ scene: input.scene, step: step.name, inputs })).taskId;
              ids[i] = taskId;
              heartbeats.update(beat());
            }
            const outcome = await deps.clipGenerator.await({
              scene: input.scene,
              step: step.name,
              taskId,
              outPath: final ? outPath : undefined,
              signal: context.cancellationSignal,
              onProgress: () => undefined,
            });
            credits += outcome.spend.credits;
            if (outcome.output) inputs[step.name] = outcome.output;
          }
          await deps.store.publish(input.videoId, clipFile, outPath, context.cancellationSignal);
          return { clipFile, spend: { credits } };
        } finally {
          heartbeats.stop();
          await fs.rm(outPath, { force: true });
        }
      });
    },
  };
}
