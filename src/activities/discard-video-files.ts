import type { ArtifactStore } from '../storage/artifact-store';

/** Cleanup after a cancelled run: partial narration, clips and renders are of no use to anyone; stored and local copies go. */
export function createDiscardVideoFiles(deps: { store: ArtifactStore }) {
  return {
    async discardVideoFiles(input: { videoId: string }): Promise<void> {
      await deps.store.remove(input.videoId);
    },
  };
}
