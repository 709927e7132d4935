/**
 * Where a video's artifacts live. Every worker process of a deployment must see the same store
 * (one disk, or a shared volume), because narration, clips and the render run on separate queues.
 *
 * Contract: a videoId is a safe single path segment; `path()` never returns a location outside
 * the store's root; `remove()` is idempotent.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Thrown when a video id or file name could reach outside MEDIA_ROOT. */
export class UnsafeMediaPathError extends Error {
  constructor(what: string) {
    super(`Unsafe media path segment: ${JSON.stringify(what)}`);
    this.name = 'UnsafeMediaPathError';
  }
}

export class MediaStore {
  constructor(readonly root: string) {}

  /** The folder of one video, created on demand by `ensureDir`. */
  dir(videoId: string): string {
    if (!SAFE_ID.test(videoId)) throw new UnsafeMediaPathError(videoId);
    return path.join(this.root, videoId);
  }

  /** Absolute path of one artifact of a video. */
  path(videoId: string, fileName: string): string {
    if (!SAFE_NAME.test(fileName) || fileName.includes('..')) {
      throw new UnsafeMediaPathError(fileName);
    }
    return path.join(this.dir(videoId), fileName);
  }

  async ensureDir(videoId: string): Promise<string> {
    const dir = this.dir(videoId);
    await fs.mkdir(dir, { recursive: true });
    return dir;
  }

  /** Size of an artifact in bytes, or undefined when it does not exist. */
  async size(videoId: string, fileName: string): Promise<number | undefined> {
    try {
      return (await fs.stat(this.path(videoId, fileName))).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Deletes every artifact of a video. */
  async remove(videoId: string): Promise<void> {
    await fs.rm(this.dir(videoId), { recursive: true, force: true });
  }
}
