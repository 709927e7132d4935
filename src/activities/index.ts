/**
 * All activities, built from their dependencies. Workflows proxy `typeof` the result, so the
 * types they see are exactly what the worker registers.
 */
import type { ClipGenerator, Narrator, ScriptWriter, SourceProvider } from '../providers/contracts';
import type { ActivityQueue } from '../shared/temporal-names';
import type { MediaStore } from '../storage/media-store';
import { createDiscardVideoFiles } from './discard-video-files';
import { createFetchSource } from './fetch-source';
import { createGenerateClip } from './generate-clip';
import { createNarrateScene } from './narrate-scene';
import { createRenderVideo } from './render-video';
import { createWriteScript } from './write-script';

export interface ActivityDeps {
  store: MediaStore;
  sourceProvider: SourceProvider;
  scriptWriter: ScriptWriter;
  narrator: Narrator;
  clipGenerator: ClipGenerator;
  /** Silence after each scene's narration, in seconds. */
  scenePauseSec: number;
}

/** Activities grouped by the task queue they run on. */
export function createActivitiesByQueue(deps: ActivityDeps) {
  return {
    source: createFetchSource(deps),
    script: createWriteScript(deps),
    narration: createNarrateScene(deps),
    clips: createGenerateClip(deps),
    render: { ...createRenderVideo(deps), ...createDiscardVideoFiles(deps) },
  } satisfies Record<ActivityQueue, object>;
}

export type ActivitiesByQueue = ReturnType<typeof createActivitiesByQueue>;

/** Every activity in one object, for tests that run all of them on one queue. */
export function createActivities(deps: ActivityDeps) {
  const byQueue = createActivitiesByQueue(deps);
  return { ...byQueue.source, ...byQueue.script, ...byQueue.narration, ...byQueue.clips, ...byQueue.render };
}
