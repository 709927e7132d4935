/**
 * Artifacts in an S3-compatible bucket (AWS S3, GCS's XML API, R2, MinIO) under
 * `<prefix><videoId>/<name>`, so workers on different hosts share nothing but Temporal and the
 * bucket. MEDIA_ROOT is this host's working folder: working copies are written there, a published
 * file stays there as a cache, and `fetch` downloads into it. An object appears only when its
 * upload completes (S3 never shows a part of a PUT or of an unfinished multipart upload).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type _Object,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ArtifactMissingError } from './artifact-missing-error';
import { checkArtifactName, checkVideoId, isArtifactName, isSafeVideoId } from './artifact-names';
import type { ArtifactInfo, ArtifactStore, ByteRange, StoredVideo } from './artifact-store';
import { ArtifactStoreUnavailableError } from './artifact-store-unavailable-error';
import { LocalArtifactStore } from './local-artifact-store';

export interface S3StoreOptions {
  bucket: string;
  /** A non-AWS endpoint (MinIO, R2, GCS); AWS when undefined. */
  endpoint?: string;
  /** @default 'us-east-1' */
  region: string;
  /** @default false */
  forcePathStyle: boolean;
  /** Empty, or segments ending in `/`. @default '' */
  prefix: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.wav': 'audio/wav',
  '.json': 'application/json',
  '.srt': 'application/x-subrip',
  '.jpg': 'image/jpeg',
};

/** DeleteObjects takes at most 1,000 keys a call. */
const DELETE_BATCH = 1000;

const statusOf = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
const isNotFound = (err: unknown) => statusOf(err) === 404 || (err as Error).name === 'NoSuchKey' || (err as Error).name === 'NotFound';

/** The client for these options; credentials come from the SDK's default provider chain alone. */
export function createS3Client(options: S3StoreOptions): S3Client {
  return new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    followRegionRedirects: true,
    // Checksums only where S3 requires them: several S3-compatible servers reject the newer
    // default trailing checksums.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // An endpoint that drops packets fails a start in seconds rather than hanging it.
    requestHandler: { connectionTimeout: 5000 },
  });
}

export class S3ArtifactStore implements ArtifactStore {
  readonly kind = 's3' as const;
  /** This host's working folder and cache, in the local store's layout. */
  private readonly cache: LocalArtifactStore;
  /** ETags of the cached copies this process downloaded or uploaded, keyed by local path. */
  private readonly cachedEtags = new Map<string, string>();

  constructor(
    readonly options: S3StoreOptions,
    workingFolder: string,
    private readonly client: S3Client = createS3Client(options),
  ) {
    this.cache = new LocalArtifactStore(workingFolder);
  }

  /** Where the store lives, for messages: never a credential. */
  get location(): string {
    return `bucket ${this.options.bucket} at ${this.options.endpoint ?? `AWS S3 (${this.options.region})`}`;
  }

  key(videoId: string, name: string): string {
    return `${this.videoPrefix(videoId)}${checkArtifactName(name)}`;
  }

  private videoPrefix(videoId: string): string {
    return `${this.options.prefix}${checkVideoId(videoId)}/`;
  }

  /** Throws ArtifactStoreUnavailableError in one line when the bucket cannot be used. */
  async checkBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket }));
    } catch (err) {
      const status = statusOf(err);
      const reason =
        status === 404
          ? 'it does not exist'
          : status === 403 || status === 401
            ? 'access is denied to the configured credentials'
            : `${(err as Error).name}: ${(err as Error).message}`;
      throw new ArtifactStoreUnavailableError(`The artifact store cannot be used (${this.location}): ${reason}`);
    }
  }

  async tempPath(videoId: string, name: string): Promise<string> {
    return this.cache.tempPath(videoId, name);
  }

  async publish(videoId: string, name: string, file: string, signal?: AbortSignal): Promise<void> {
    const key = this.key(videoId, name);
    signal?.throwIfAborted();
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.options.bucket,
        Key: key,
        Body: createReadStream(file),
        ContentType: CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream',
      },
      partSize: 8 * 1024 * 1024,
      queueSize: 4,
      // An abandoned multipart upload is aborted, so no stray parts are billed.
      leavePartsOnError: false,
    });
    const abort = () => void upload.abort();
    signal?.addEventListener('abort', abort, { once: true });
    let etag: string | undefined;
    try {
      etag = (await upload.done()).ETag;
    } finally {
      signal?.removeEventListener('abort', abort);
    }
    await this.cache.publish(videoId, name, file);
    const local = this.cache.path(videoId, name);
    if (etag) this.cachedEtags.set(local, etag);
    else this.cachedEtags.delete(local);
  }

  async fetch(videoId: string, name: string, signal?: AbortSignal): Promise<string> {
    const local = this.cache.path(videoId, name);
    const stored = await this.info(videoId, name);
    if (!stored) throw new ArtifactMissingError(videoId, name);
    // A retried activity may have replaced the object since this host cached it.
    if (this.cachedEtags.get(local) === stored.etag && (await this.cache.info(videoId, name))) return local;
    const partial = await this.cache.tempPath(videoId, name);
    try {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(videoId, name), IfMatch: stored.etag }),
        { abortSignal: signal },
      );
      await pipeline(response.Body as Readable, createWriteStream(partial), { signal });
      await this.cache.publish(videoId, name, partial);
    } catch (err) {
      await fs.rm(partial, { force: true });
      if (isNotFound(err)) throw new ArtifactMissingError(videoId, name);
      throw err;
    }
    this.cachedEtags.set(local, stored.etag);
    return local;
  }

  async info(videoId: string, name: string): Promise<ArtifactInfo | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.key(videoId, name) }));
      return { size: head.ContentLength ?? 0, modified: head.LastModified ?? new Date(0), etag: head.ETag ?? '""' };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async read(videoId: string, name: string, range?: ByteRange): Promise<Readable> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: this.key(videoId, name),
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      return response.Body as Readable;
    } catch (err) {
      if (isNotFound(err)) throw new ArtifactMissingError(videoId, name);
      throw err;
    }
  }

  async downloadUrl(videoId: string, name: string, expiresSec: number): Promise<string | undefined> {
    const command = new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(videoId, name) });
    return getSignedUrl(this.client, command, { expiresIn: expiresSec });
  }

  async remove(videoId: string): Promise<void> {
    await this.deleteKeys(await this.keysOf(videoId));
    await this.cache.remove(videoId);
  }

  async keepOnly(videoId: string, names: readonly string[]): Promise<void> {
    const keep = new Set(names.map((n) => this.key(videoId, n)));
    await this.deleteKeys((await this.keysOf(videoId)).filter((k) => !keep.has(k)));
    await this.cache.keepOnly(videoId, names);
  }

  async *listVideos(): AsyncIterable<StoredVideo> {
    // Keys come sorted, and every key of one video shares `<prefix><videoId>/`, so they are adjacent.
    let current: StoredVideo | undefined;
    for await (const object of this.objectsUnder(this.options.prefix)) {
      const [videoId, name, ...rest] = (object.Key ?? '').slice(this.options.prefix.length).split('/');
      if (!videoId || !name || rest.length > 0 || !isSafeVideoId(videoId) || !isArtifactName(name)) continue;
      const modified = object.LastModified ?? new Date(0);
      if (current?.videoId === videoId) {
        if (modified > current.modified) current.modified = modified;
        current.names.push(name);
        continue;
      }
      if (current) yield current;
      current = { videoId, modified, names: [name] };
    }
    if (current) yield current;
  }

  private async keysOf(videoId: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const object of this.objectsUnder(this.videoPrefix(videoId))) if (object.Key) keys.push(object.Key);
    return keys;
  }

  private async *objectsUnder(prefix: string): AsyncIterable<_Object> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      yield* page.Contents ?? [];
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const answer = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.options.bucket,
          Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      const failed = answer.Errors ?? [];
      if (failed.length > 0) {
        throw new Error(
          `Could not delete ${failed.length} object(s) from ${this.location}: ${failed[0]?.Code ?? 'unknown'} ${failed[0]?.Key ?? ''}`,
        );
      }
    }
  }

  /** Closes the client's connections. */
  destroy(): void {
    this.client.destroy();
  }
}
