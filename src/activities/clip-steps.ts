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
import { cacheKey, StepCache } from '../cache/step-cache';
import type { CacheScope, Reused, Scene } from '../shared/video';
import type { ArtifactStore } from '../storage/artifact-store';
import { startHeartbeatLoop } from './heartbeat-loop';
import { claimOwner, claimReleased, makeOnce, type SingleFlightDeps } from './make-once';
import type { ClaimOwner } from '../cache/step-claims';
import { FailureType } from '../shared/failure-types';
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
  /** Looks the scene's clip up in the step cache first, and stores it there; absent in older runs. */
  cacheScope?: CacheScope;
}

export interface AwaitClipStepResult extends Reused {
  /** What the next step starts from (Runway: the image's URL). */
  output?: string;
  /** File name inside the video's media folder, for the final step. */
  clipFile?: string;
  /** What the provider billed for this task. */
  spend: Spend;
}

/** Task ids of steps the step cache answered; no provider knows them. */
export const CACHED_TASK_PREFIX = 'cached-';
/** Task ids of steps whose clip another run is making (its claim, src/cache/step-claims.ts); no provider knows them. */
export const CLAIMED_TASK_PREFIX = 'claimed-';
/** Whether a task id names a provider's task, which a cancel deletes. */
export const isProviderTask = (taskId: string) => !taskId.startsWith(CACHED_TASK_PREFIX) && !taskId.startsWith(CLAIMED_TASK_PREFIX);
/** A scene's clip is claimed by its whole chain of steps in one run, across the activities of each step. */
export const clipClaimPart = (scene: Scene) => `clip-scene-${scene.index}`;

/** The scene's clip in the step cache, with a way to copy it into a video; undefined on a miss or with no cache. */
export async function cachedClip(
  deps: { clipGenerator: ClipGenerator; store: ArtifactStore },
  input: { scene: Scene; preset?: PresetName; cacheScope?: CacheScope },
) {
  const key = clipCacheKey(deps.clipGenerator, input);
  if (!key) return undefined;
  const cache = new StepCache(deps.store);
  const entry = await cache.get(key);
  if (!entry) return undefined;
  return { entry, copyInto: (videoId: string, name: string) => cache.copyInto(key, entry, videoId, name) };
}

export function clipCacheKey(generator: ClipGenerator, input: { scene: Scene; preset?: PresetName; cacheScope?: CacheScope }) {
  const determinants = input.cacheScope ? generator.cacheKey?.(input.scene, input.preset) : undefined;
  return input.cacheScope && determinants !== undefined ? cacheKey(input.cacheScope, 'clip', determinants) : undefined;
}

export function createClipSteps(deps: { clipGenerator: ClipGenerator } & SingleFlightDeps) {
  /**
   * Waits on one task and publishes the final step's clip; the same body runs in or out of its
   * slot. The final step stores the clip in the cache and ends the scene's claim on it.
   */
  async function waitForStep(
    input: AwaitClipStepInput,
    signal: AbortSignal,
    onProgress: (progress: number) => void,
    owner: ClaimOwner | undefined,
  ): Promise<AwaitClipStepResult> {
    const clipFile = input.final ? clipFileName(input.scene.index) : undefined;
    if (input.taskId.startsWith(CLAIMED_TASK_PREFIX)) return madeByOther(input, clipFile, signal);
    const reused = await reusedClip(input, clipFile);
    if (reused) return reused;
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
      const key = clipFile && clipCacheKey(deps.clipGenerator, input);
      if (key && outPath) {
        // What the whole chain cost is not known here: the entry records this step's bill, the last and largest.
        await new StepCache(deps.store).put(key, { step: 'clip', credits: outcome.spend.credits }, outPath, signal);
        if (owner) await deps.claims?.settle(key, owner, true);
      }
      if (clipFile && outPath) await deps.store.publish(input.videoId, clipFile, outPath, signal);
      return { output: outcome.output, clipFile, spend: outcome.spend };
    } finally {
      if (outPath) await fs.rm(outPath, { force: true });
    }
  }

  /**
   * A step whose submission found the scene's clip being made by another run: waits for that run,
   * then reuses its clip. When it stopped first, the step fails as a transient task failure, and
   * the workflow submits it again, which takes the claim over.
   */
  async function madeByOther(input: AwaitClipStepInput, clipFile: string | undefined, signal: AbortSignal): Promise<AwaitClipStepResult> {
    const key = clipCacheKey(deps.clipGenerator, input);
    if (key) await deps.claims?.waitFor(key, signal);
    const cached = await cachedClip(deps, input);
    if (!cached) throw claimReleased(`the clip of scene ${input.scene.index}`, FailureType.TaskFailedTransient);
    if (!clipFile) return { output: CACHED_TASK_PREFIX, spend: { credits: 0 }, reused: { credits: 0 } };
    await cached.copyInto(input.videoId, clipFile);
    return { clipFile, spend: { credits: 0 }, reused: { credits: cached.entry.credits } };
  }

  /**
   * A step the cache answers: a submission that found the clip cached (it copied the clip in), or
   * a step with no submission (the local drawer) whose clip is cached.
   */
  async function reusedClip(input: AwaitClipStepInput, clipFile: string | undefined): Promise<AwaitClipStepResult | undefined> {
    const answeredBySubmit = input.taskId.startsWith(CACHED_TASK_PREFIX);
    if (answeredBySubmit && !clipFile) return { output: CACHED_TASK_PREFIX, spend: { credits: 0 }, reused: { credits: 0 } };
    const cached = await cachedClip(deps, input);
    if (answeredBySubmit && clipFile && (await deps.store.info(input.videoId, clipFile))) {
      return { clipFile, spend: { credits: 0 }, reused: { credits: cached?.entry.credits ?? 0 } };
    }
    if (!cached || !clipFile) return undefined;
    await cached.copyInto(input.videoId, clipFile);
    return { clipFile, spend: { credits: 0 }, reused: { credits: cached.entry.credits } };
  }

  /** A remote task, or another run's, waits detached from its slot; the local drawer's step is CPU work and keeps it. */
  const isRemote = (input: AwaitClipStepInput) =>
    input.taskId.startsWith(CLAIMED_TASK_PREFIX) ||
    (!input.taskId.startsWith(CACHED_TASK_PREFIX) &&
      deps.clipGenerator.plan(input.scene).find((step) => step.name === input.step)?.submitted !== false);

  /** The local drawer's step, which no submission claimed: drawn once across runs, like a narration. */
  function drawOnce(input: AwaitClipStepInput, owner: ClaimOwner): Promise<AwaitClipStepResult> {
    const clipFile = input.final ? clipFileName(input.scene.index) : undefined;
    const key = clipFile && !input.taskId.startsWith(CACHED_TASK_PREFIX) ? clipCacheKey(deps.clipGenerator, input) : undefined;
    const beat = (progress: number) => ({ taskId: input.taskId, progress });
    return makeOnce<AwaitClipStepResult>(deps, key, {
      what: `the clip of scene ${input.scene.index}`,
      part: owner.part,
      async reuse(entry, signal) {
        await new StepCache(deps.store).copyInto(key!, entry, input.videoId, clipFile!, signal);
        return { clipFile, spend: { credits: 0 }, reused: { credits: entry.credits } };
      },
      async make() {
        const heartbeats = startHeartbeatLoop(beat(0));
        try {
          // makeOnce ends the claim once this returns.
          return await waitForStep(input, Context.current().cancellationSignal, (p) => heartbeats.update(beat(p)), undefined);
        } finally {
          heartbeats.stop();
        }
      },
    });
  }

  return {
    /** The steps of every scene's clip with their quotes, so the workflow can hold the budget. */
    async planClips(scenes: Scene[]): Promise<ClipStep[][]> {
      return scenes.map((scene) => deps.clipGenerator.plan(scene));
    },

    async awaitClipStep(input: AwaitClipStepInput): Promise<AwaitClipStepResult> {
      const beat = (progress: number) => ({ taskId: input.taskId, progress });
      const owner = claimOwner(clipClaimPart(input.scene));
      if (!isRemote(input)) return atActivityBoundary(() => drawOnce(input, owner));
      const wait = (signal: AbortSignal, heartbeat: (details: unknown) => void) =>
        atActivityBoundary(() => waitForStep(input, signal, (progress) => heartbeat(beat(progress)), owner));
      if (deps.detached) return deps.detached.detach(beat(0), (context) => wait(context.signal, (details) => context.heartbeat(details)));
      const heartbeats = startHeartbeatLoop(beat(0));
      try {
        return await wait(Context.current().cancellationSignal, (details) => heartbeats.update(details));
      } finally {
        heartbeats.stop();
      }
    },
  };
}
