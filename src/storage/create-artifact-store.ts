/** The artifact store the configuration asks for, and its start-up check. */
import type { Config } from '../config';
import type { ArtifactStore } from './artifact-store';
import { LocalArtifactStore } from './local-artifact-store';
import { S3ArtifactStore } from './s3-artifact-store';

export function createArtifactStore(config: Pick<Config, 'mediaRoot' | 'artifacts'>): ArtifactStore {
  if (config.artifacts.store === 's3') return new S3ArtifactStore(config.artifacts.s3, config.mediaRoot);
  return new LocalArtifactStore(config.mediaRoot);
}

/**
 * Refuses a start whose bucket is unreachable or missing (ArtifactStoreUnavailableError), so a
 * worker never takes tasks it could not finish. The local store needs no check: its folders
 * are made on demand.
 */
export async function assertArtifactStoreUsable(store: ArtifactStore): Promise<void> {
  if (store instanceof S3ArtifactStore) await store.checkBucket();
}
