/**
 * Uploads in the artifact store. Each upload is a folder of its own, named by its id like a
 * video's, holding the file (`original.<ext>`) and its record (`upload.json`), which is written
 * last: an upload without a record was never accepted. A slideshow copies the uploads it uses into
 * its own folder when it starts, so uploads live on their own clock: the retention sweep removes
 * them as it removes a failed run's media (MEDIA_RETENTION_FAILED_DAYS after the upload).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import { ArtifactMissingError } from '../storage/artifact-missing-error';
import type { ArtifactStore } from '../storage/artifact-store';
import { storedExtension, type MediaFacts } from './identify-upload';

export const UPLOAD_RECORD_FILE = 'upload.json';
export const UPLOAD_ID_PATTERN = /^upload-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type UploadRecord = MediaFacts & {
  id: string;
  /** The tenant that uploaded it; only its videos may use it. */
  tenant: string;
  /** The part's file name as sent, for messages and lists; never used as a path. */
  name: string;
  bytes: number;
  /** The stored file's name in the upload's folder. */
  file: string;
  createdAt: string;
};

export const newUploadId = () => `upload-${randomUUID()}`;

export const uploadFileName = (facts: MediaFacts) => `original.${storedExtension(facts)}`;

/** Stores an accepted upload: its file (from `store.tempPath`), then its record. */
export async function saveUpload(store: ArtifactStore, record: UploadRecord, file: string): Promise<void> {
  await store.publish(record.id, record.file, file);
  const recordFile = await store.tempPath(record.id, UPLOAD_RECORD_FILE);
  await fs.writeFile(recordFile, JSON.stringify(record));
  await store.publish(record.id, UPLOAD_RECORD_FILE, recordFile);
}

/** The record of an upload, or undefined when there is none (never uploaded, refused, or swept). */
export async function readUpload(store: ArtifactStore, id: string): Promise<UploadRecord | undefined> {
  if (!UPLOAD_ID_PATTERN.test(id)) return undefined;
  try {
    const file = await store.fetch(id, UPLOAD_RECORD_FILE);
    return JSON.parse(await fs.readFile(file, 'utf8')) as UploadRecord;
  } catch (err) {
    if (err instanceof ArtifactMissingError) return undefined;
    throw err;
  }
}
