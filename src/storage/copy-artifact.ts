import fs from 'node:fs/promises';
import type { ArtifactStore } from './artifact-store';

/** A stored artifact's place: the video (or upload, or cache entry) folder and the name in it. */
export interface ArtifactRef {
  videoId: string;
  name: string;
}

/**
 * Copies a stored artifact to another place in the same store: fetched to this host, copied to a
 * working file, published. Copying the same bytes again is harmless. Throws ArtifactMissingError
 * when the source is gone.
 */
export async function copyArtifact(store: ArtifactStore, from: ArtifactRef, to: ArtifactRef, signal?: AbortSignal): Promise<void> {
  const source = await store.fetch(from.videoId, from.name, signal);
  const working = await store.tempPath(to.videoId, to.name);
  await fs.copyFile(source, working);
  await store.publish(to.videoId, to.name, working, signal);
}
