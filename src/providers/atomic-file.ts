/**
 * Writes provider output so that a reader never sees half a file: the bytes go to a temporary
 * sibling first and are renamed into place, which is atomic on one filesystem. A retried activity
 * therefore finds either no file or a whole one.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/** A hidden sibling that keeps the target's extension, so tools that pick a format by name still can. */
function tempSibling(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID()}.tmp${path.extname(target)}`);
}

async function commit(tmp: string, target: string, write: () => Promise<void>): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  try {
    await write();
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Writes `data` to `target` atomically, creating the parent folder when needed. */
export async function writeFileAtomic(target: string, data: Buffer): Promise<void> {
  const tmp = tempSibling(target);
  await commit(tmp, target, () => writeFile(tmp, data));
}

/** Streams a fetch body to `target` atomically; an abort leaves no partial file behind. */
export async function streamToFileAtomic(target: string, body: WebReadableStream<Uint8Array>, signal?: AbortSignal): Promise<void> {
  const tmp = tempSibling(target);
  await commit(tmp, target, () => pipeline(Readable.fromWeb(body), createWriteStream(tmp), { signal }));
}

/** Lets `write` produce the file at a temporary path (an ffmpeg output), then moves it into place. */
export async function produceFileAtomic(target: string, write: (tmpPath: string) => Promise<void>): Promise<void> {
  const tmp = tempSibling(target);
  await commit(tmp, target, () => write(tmp));
}
