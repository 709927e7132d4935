import type { MediaStore } from '../storage/media-store';

/** Cleanup after a cancelled run: partial narration, clips and renders are of no use to anyone. */
export function createDiscardVideoFiles(deps: { store: MediaStore }) {
  return {
    async discardVideoFiles(input: { videoId: string }): Promise<void> {
      await deps.store.remove(input.videoId);
    },
  };
}
