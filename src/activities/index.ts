/**
 * All activities, built from their dependencies. Workflows proxy `typeof` the result, so the
 * types they see are exactly what the worker registers.
 */
import type { ClipGenerator, Narrator, ScriptWriter, SourceProvider } from '../providers/contracts';
import type { ActivityQueue } from '../shared/temporal-names';
import type { ArtifactStore } from '../storage/artifact-store';
import { createCancelClipTasks } from './cancel-clip-tasks';
import { createClipSteps } from './clip-steps';
import { createCopyFinishedFiles } from './copy-finished-files';
import type { DetachedActivities } from './detached-activities';
import type { StepClaims } from '../cache/step-claims';
import { createDiscardVideoFiles } from './discard-video-files';
import { createFetchSource } from './fetch-source';
import { createGenerateClip } from './generate-clip';
import { createNarrateScene } from './narrate-scene';
import { createRenderSlideshow } from './render-slideshow';
import { createRenderVideo } from './render-video';
import { createSubmitClipStep } from './submit-clip-step';
import { createTakeUploads } from './take-uploads';
import { createWriteScript } from './write-script';
import { createSweepMedia } from '../retention/sweep-media';

export interface ActivityDeps {
  store: ArtifactStore;
  /**
   * Keeps every scene's narration and clip after a render; otherwise a completed run keeps only
   * what it serves.
   * @default false
   */
  keepIntermediateFiles?: boolean;
  sourceProvider: SourceProvider;
  scriptWriter: ScriptWriter;
  narrator: Narrator;
  clipGenerator: ClipGenerator;
  /** Silence after each scene's narration, in seconds. */
  scenePauseSec: number;
  /** Where provider waits run without holding a slot; without it they wait in their activity. */
  detached?: DetachedActivities;
  /**
   * Lets concurrent runs that miss the same step-cache key make its output once; without it,
   * each makes its own (src/cache/step-claims.ts).
   */
  claims?: StepClaims;
}

/** Activities grouped by the task queue they run on. */
export function createActivitiesByQueue(deps: ActivityDeps) {
  return {
    // A retry's copy of the finished files is light I/O, like a fetch, and comes first as one does.
    // Copying a slideshow's uploads is the same kind of light I/O.
    source: { ...createFetchSource(deps), ...createCopyFinishedFiles(deps), ...createTakeUploads(deps) },
    script: createWriteScript(deps),
    narration: createNarrateScene(deps),
    // generateClip and quoteClips serve runs started before paid steps became activities.
    clips: { ...createClipSteps(deps), ...createGenerateClip(deps) },
    'clip-submissions': createSubmitClipStep(deps),
    // discardVideoFiles stays here for runs that clean up on the render queue.
    render: { ...createRenderVideo(deps), ...createRenderSlideshow(deps), ...createDiscardVideoFiles(deps) },
    cleanup: { ...createDiscardVideoFiles(deps), ...createCancelClipTasks(deps), ...createSweepMedia(deps) },
  } satisfies Record<ActivityQueue, object>;
}

export type ActivitiesByQueue = ReturnType<typeof createActivitiesByQueue>;

/** Every activity in one object, for tests that run all of them on one queue. */
export function createActivities(deps: ActivityDeps) {
  const byQueue = createActivitiesByQueue(deps);
  return Object.assign({}, ...Object.values(byQueue)) as UnionToIntersection<(typeof byQueue)[keyof typeof byQueue]>;
}

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
