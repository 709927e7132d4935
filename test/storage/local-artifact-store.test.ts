/** LocalArtifactStore against the shared contract: every host is the same MEDIA_ROOT, as a shared disk is. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LocalArtifactStore } from '../../src/storage/local-artifact-store';
import { describeArtifactStoreContract } from './artifact-store-contract';

let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-local-store-'));
});
afterAll(() => fs.rm(root, { recursive: true, force: true }));

describeArtifactStoreContract('LocalArtifactStore', () => ({
  newHost: async () => new LocalArtifactStore(root),
  workingFolder: () => root,
  slowPublishBytes: 4 * 1024 * 1024,
}));

test('artifacts keep the MEDIA_ROOT/<videoId>/<name> layout that existing media folders have', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-local-layout-'));
  try {
    const store = new LocalArtifactStore(dir);
    await fs.mkdir(path.join(dir, 'old-video'));
    await fs.writeFile(path.join(dir, 'old-video', 'video.mp4'), 'made before the artifact store');
    expect(await store.fetch('old-video', 'video.mp4')).toBe(path.join(dir, 'old-video', 'video.mp4'));
    expect(store.path('old-video', 'video.mp4')).toBe(path.join(dir, 'old-video', 'video.mp4'));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
