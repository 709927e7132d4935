/**
 * S3ArtifactStore against the shared contract on a real MinIO: each host has its own empty
 * working folder, and only the bucket is shared.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { loadConfig } from '../../src/config';
import { ArtifactStoreUnavailableError } from '../../src/storage/artifact-store-unavailable-error';
import type { ArtifactStore } from '../../src/storage/artifact-store';
import { S3ArtifactStore, type S3StoreOptions } from '../../src/storage/s3-artifact-store';
import { startMinio, type MinioServer } from '../helpers/minio-server';
import { describeArtifactStoreContract } from './artifact-store-contract';

let minio: MinioServer;
let scratch: string;
const folders = new Map<ArtifactStore, string>();

const optionsFor = (server: MinioServer, extra: Partial<S3StoreOptions> = {}): S3StoreOptions => ({
  bucket: server.bucket,
  endpoint: server.endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  prefix: 'tenant-a/',
  ...extra,
});
const clientFor = (server: MinioServer, endpoint = server.endpoint) =>
  new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });

beforeAll(async () => {
  minio = await startMinio();
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-s3-hosts-'));
});
afterAll(async () => {
  for (const store of folders.keys()) (store as S3ArtifactStore).destroy();
  await minio?.stop();
  if (scratch) await fs.rm(scratch, { recursive: true, force: true });
});

describeArtifactStoreContract('S3ArtifactStore on MinIO', () => ({
  newHost: async () => {
    const folder = await fs.mkdtemp(path.join(scratch, 'host-'));
    const store = new S3ArtifactStore(optionsFor(minio), folder, clientFor(minio));
    folders.set(store, folder);
    return store;
  },
  workingFolder: (store) => folders.get(store) ?? '',
  // Three parts of the 8 MiB multipart upload.
  slowPublishBytes: 20 * 1024 * 1024,
}));

describe('S3ArtifactStore on MinIO', () => {
  test('keys are <S3_PREFIX><videoId>/<name>, and another prefix sees none of them', async () => {
    const folder = await fs.mkdtemp(path.join(scratch, 'prefix-'));
    const a = new S3ArtifactStore(optionsFor(minio, { prefix: 'team-a/' }), folder, clientFor(minio));
    const b = new S3ArtifactStore(optionsFor(minio, { prefix: 'team-b/' }), folder, clientFor(minio));
    try {
      expect(a.key('v1', 'video.mp4')).toBe('team-a/v1/video.mp4');
      const file = await a.tempPath('v1', 'video.mp4');
      await fs.writeFile(file, 'a');
      await a.publish('v1', 'video.mp4', file);
      expect(await b.info('v1', 'video.mp4')).toBeUndefined();
      const seen: string[] = [];
      for await (const v of b.listVideos()) seen.push(v.videoId);
      expect(seen).not.toContain('v1');
    } finally {
      await a.remove('v1');
      a.destroy();
      b.destroy();
    }
  });

  test('checkBucket names the bucket and endpoint, never the key, when the bucket is missing or unreachable', async () => {
    const folder = await fs.mkdtemp(path.join(scratch, 'check-'));
    const missing = new S3ArtifactStore(optionsFor(minio, { bucket: 'no-such-bucket' }), folder, clientFor(minio));
    const unreachable = new S3ArtifactStore(
      optionsFor(minio, { endpoint: 'http://127.0.0.1:9' }),
      folder,
      clientFor(minio, 'http://127.0.0.1:9'),
    );
    try {
      await expect(missing.checkBucket()).rejects.toThrow(
        new ArtifactStoreUnavailableError(
          `The artifact store cannot be used (bucket no-such-bucket at ${minio.endpoint}): it does not exist`,
        ),
      );
      const err = await unreachable.checkBucket().catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(ArtifactStoreUnavailableError);
      expect((err as Error).message).toMatch(/^The artifact store cannot be used \(bucket \S+ at http:\/\/127\.0\.0\.1:9\): /);
      expect((err as Error).message).not.toContain(minio.secretAccessKey);
      await expect(new S3ArtifactStore(optionsFor(minio), folder, clientFor(minio)).checkBucket()).resolves.toBeUndefined();
    } finally {
      missing.destroy();
      unreachable.destroy();
    }
  });

  test('ARTIFACT_STORE=s3 needs S3_BUCKET, and a prefix must end in /', () => {
    expect(() => loadConfig({ ARTIFACT_STORE: 's3' })).toThrow('Invalid configuration: ARTIFACT_STORE=s3 but S3_BUCKET is not set');
    expect(() => loadConfig({ ARTIFACT_STORE: 's3', S3_BUCKET: 'b', S3_PREFIX: 'reelflow' })).toThrow(/S3_PREFIX/);
    const config = loadConfig({ ARTIFACT_STORE: 's3', S3_BUCKET: 'media', S3_PREFIX: 'reelflow/' });
    expect(config.artifacts).toEqual(
      expect.objectContaining({
        store: 's3',
        keepIntermediateFiles: false,
        s3: expect.objectContaining({ bucket: 'media', downloads: 'proxy' }),
      }),
    );
    expect(loadConfig({}).artifacts.store).toBe('local');
  });
});
