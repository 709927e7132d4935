/**
 * Stage `generating_clips`, the paying half: one activity per provider submission, on its own
 * rate-limited task queue. Its completion event is the durable record of the task id, written by
 * the server as soon as the provider's answer is handed back, with no heartbeat to wait for. The
 * activity is never retried by Temporal: the workflow sees every attempt and decides, because a
 * submission whose answer was lost may have been paid for.
 */
import type { ClipGenerator } from '../providers/contracts';
import type { CacheScope, Scene } from '../shared/video';
import type { ArtifactStore } from '../storage/artifact-store';
import type { StepClaims } from '../cache/step-claims';
import { cachedClip, clipCacheKey, clipClaimPart, clipFileName, CACHED_TASK_PREFIX, CLAIMED_TASK_PREFIX } from './clip-steps';
import { claimOwner } from './make-once';
import { startHeartbeatLoop } from './heartbeat-loop';
import { atActivityBoundary } from './to-application-failure';
import type { PresetName } from '../shared/presets';

export interface SubmitClipStepInput {
  videoId: string;
  scene: Scene;
  step: string;
  /** Outputs of the scene's earlier steps, by step name. */
  inputs: Record<string, string>;
  /** The video's format; 720p when absent (and in runs started before presets). */
  preset?: PresetName;
  /** Looks the scene's clip up in the step cache first; absent in older runs. */
  cacheScope?: CacheScope;
}

export function createSubmitClipStep(deps: { clipGenerator: ClipGenerator; store: ArtifactStore; claims?: StepClaims }) {
  return {
    async submitClipStep(input: SubmitClipStepInput): Promise<{ taskId: string }> {
      return atActivityBoundary(async () => {
        // A cached clip submits nothing: it is copied in now, and the awaits of this and any later step find it.
        const cached = await cachedClip(deps, input);
        if (cached) {
          await cached.copyInto(input.videoId, clipFileName(input.scene.index));
          return { taskId: `${CACHED_TASK_PREFIX}${input.step}-scene-${input.scene.index}` };
        }
        // Another run making the same clip: submit nothing, and wait for it in the step's await.
        const key = clipCacheKey(deps.clipGenerator, input);
        if (key && deps.claims) {
          const claim = await deps.claims.take(key, claimOwner(clipClaimPart(input.scene)));
          if (!claim.mine) return { taskId: `${CLAIMED_TASK_PREFIX}${input.step}-scene-${input.scene.index}` };
        }
        // Heartbeats only prove the worker is alive, so a lost one is noticed in seconds. A cancel
        // does not abort the request: its answer names a task that the cancel must then delete.
        const heartbeats = startHeartbeatLoop();
        try {
          return await deps.clipGenerator.submit({ scene: input.scene, step: input.step, inputs: input.inputs, preset: input.preset });
        } finally {
          heartbeats.stop();
        }
      });
    },
  };
}
