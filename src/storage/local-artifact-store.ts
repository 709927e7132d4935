/**
 * Artifacts on this machine's disk, at MEDIA_ROOT/<videoId>/<name> (the default store). Every
 * worker of a deployment must then see the same disk. A working copy sits in the video's own
 * folder, so `publish` is a rename: atomic on one file system.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ArtifactMissingError } from './artifact-missing-error';
import { checkArtifactName, checkVideoId, isArtifactName, isSafeVideoId, workingCopyName } from './artifact-names';
import type { ArtifactInfo, ArtifactStore, ByteRange, StoredVideo } from './artifact-store';

export { UnsafeMediaPathError } from './unsafe-media-path-error';

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** The validator of a file on disk: its size and modification time, as the API has always sent. */
export const fileEtag = (size: number, mtimeMs: number) => `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;

export class LocalArtifactStore implements ArtifactStore {
  readonly kind = 'local' as const;

  constructor(readonly root: string) {}

  /** The folder of one video's artifacts and working copies. */
  dir(videoId: string): string {
    return path.join(this.root, checkVideoId(videoId));
  }

  /** Where the artifact `name` lies on this host; it may not exist. */
  path(videoId: string, name: string): string {
    const dir = this.dir(videoId);
    return path.join(dir, checkArtifactName(name));
  }

  async tempPath(videoId: string, name: string): Promise<string> {
    const file = this.path(videoId, name);
    await fs.mkdir(path.dirname(file), { recursive: true });
    return path.join(path.dirname(file), workingCopyName(name));
  }

  async publish(videoId: string, name: string, file: string, signal?: AbortSignal): Promise<void> {
    const target = this.path(videoId, name);
    // A cancelled activity publishes nothing, so a cancelled video's cleanup finds all there is.
    signal?.throwIfAborted();
    await fs.mkdir(path.dirname(target), { recursive: true });
    try {
      await fs.rename(file, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      // From another file system: copy beside the target first, so the last step is still a rename.
      const beside = await this.tempPath(videoId, name);
      await fs.copyFile(file, beside);
      await fs.rename(beside, target);
      await fs.rm(file, { force: true });
    }
  }

  async fetch(videoId: string, name: string): Promise<string> {
    const file = this.path(videoId, name);
    try {
      await fs.access(file);
    } catch (err) {
      if (isMissing(err)) throw new ArtifactMissingError(videoId, name);
      throw err;
    }
    return file;
  }

  async info(videoId: string, name: string): Promise<ArtifactInfo | undefined> {
    try {
      const stat = await fs.stat(this.path(videoId, name));
      // Something else where an artifact should be is a broken store, not a missing artifact.
      if (!stat.isFile()) throw new Error(`Not a regular file: ${this.path(videoId, name)}`);
      return { size: stat.size, modified: stat.mtime, etag: fileEtag(stat.size, stat.mtimeMs) };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async read(videoId: string, name: string, range?: ByteRange): Promise<Readable> {
    let handle: fs.FileHandle;
    try {
      handle = await fs.open(this.path(videoId, name), 'r');
    } catch (err) {
      if (isMissing(err)) throw new ArtifactMissingError(videoId, name);
      throw err;
    }
    // The open handle keeps reading the file it opened even if a publish replaces it meanwhile.
    return handle.createReadStream({ start: range?.start, end: range?.end });
  }

  /** Files on disk have no URL of their own; the API serves them. */
  async downloadUrl(videoId: string, name: string): Promise<string | undefined> {
    this.path(videoId, name);
    return undefined;
  }

  async remove(videoId: string): Promise<void> {
    await fs.rm(this.dir(videoId), { recursive: true, force: true });
  }

  async keepOnly(videoId: string, names: readonly string[]): Promise<void> {
    const dir = this.dir(videoId);
    const keep = new Set(names.map(checkArtifactName));
    const entries = await fs.readdir(dir).catch((err: unknown) => {
      if (isMissing(err)) return [];
      throw err;
    });
    await Promise.all(entries.filter((e) => !keep.has(e)).map((e) => fs.rm(path.join(dir, e), { recursive: true, force: true })));
  }

  async *listVideos(): AsyncIterable<StoredVideo> {
    const entries = await fs.readdir(this.root, { withFileTypes: true }).catch((err: unknown) => {
      if (isMissing(err)) return [];
      throw err;
    });
    for (const entry of entries) {
      if (!entry.isDirectory() || !isSafeVideoId(entry.name)) continue;
      const listed = await this.artifactsOf(entry.name);
      if (listed) yield { videoId: entry.name, ...listed };
    }
  }

  /** A video's artifact names and when the newest was written; undefined when it has none. */
  private async artifactsOf(videoId: string): Promise<{ modified: Date; names: string[] } | undefined> {
    const dir = this.dir(videoId);
    const candidates = (await fs.readdir(dir).catch(() => [] as string[])).filter(isArtifactName);
    let newest: Date | undefined;
    const names: string[] = [];
    for (const name of candidates) {
      const stat = await fs.stat(path.join(dir, name)).catch(() => undefined);
      if (!stat?.isFile()) continue;
      names.push(name);
      if (!newest || stat.mtime > newest) newest = stat.mtime;
    }
    return newest ? { modified: newest, names } : undefined;
  }
}
