/**
 * Where a video's artifacts live: the local disk (MEDIA_ROOT, the default) or an S3-compatible
 * bucket (ARTIFACT_STORE=s3). Activities write each output to a private temporary file in this
 * host's working folder and `publish` it; they `fetch` their inputs, which downloads them when
 * another host made them. So narration, clips and the render can run on hosts that share only
 * Temporal and the bucket.
 *
 * Contract:
 * - A videoId is a safe single path segment and a name a safe file name; anything else throws
 *   UnsafeMediaPathError before any I/O.
 * - `publish` is atomic: a reader sees the previous object or the whole new one, never part of
 *   one. Publishing the same name again (a retried activity) replaces the object.
 * - `remove` and `keepOnly` are idempotent and also clear this host's working copies.
 */
import type { Readable } from 'node:stream';

export interface ArtifactInfo {
  size: number;
  modified: Date;
  /** A strong validator of the content (S3's ETag, or size and mtime on disk), quoted. */
  etag: string;
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

export interface StoredVideo {
  videoId: string;
  /** When the newest of its artifacts was written. */
  modified: Date;
  /** Its artifacts' names, as the listing saw them. */
  names: string[];
}

export interface ArtifactStore {
  readonly kind: 'local' | 's3';

  /** A fresh private path in this host's working folder to write `name` to before `publish`; keeps the extension. */
  tempPath(videoId: string, name: string): Promise<string>;

  /** Makes `file` (from tempPath) the stored artifact `name`, atomically; `file` is consumed. */
  publish(videoId: string, name: string, file: string, signal?: AbortSignal): Promise<void>;

  /** A local path holding the stored artifact `name`, downloaded first when this host lacks it. */
  fetch(videoId: string, name: string, signal?: AbortSignal): Promise<string>;

  /** Size, time and validator of a stored artifact, or undefined when it does not exist. */
  info(videoId: string, name: string): Promise<ArtifactInfo | undefined>;

  /** The artifact's bytes, or one range of them. */
  read(videoId: string, name: string, range?: ByteRange): Promise<Readable>;

  /** A presigned GET URL valid for `expiresSec`, where the store has them (S3); undefined otherwise. */
  downloadUrl(videoId: string, name: string, expiresSec: number): Promise<string | undefined>;

  /** Deletes every artifact of a video, stored and local. */
  remove(videoId: string): Promise<void>;

  /** Deletes every artifact of a video except `names`, stored and local. */
  keepOnly(videoId: string, names: readonly string[]): Promise<void>;

  /** Every video with at least one stored artifact. */
  listVideos(): AsyncIterable<StoredVideo>;
}
