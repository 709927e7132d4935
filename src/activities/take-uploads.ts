import { ApplicationFailure, Context } from '@temporalio/activity';
import { FailureType } from '../shared/failure-types';
import type { ArtifactStore } from '../storage/artifact-store';
import { copyArtifact } from '../storage/copy-artifact';
import { readUpload } from '../uploads/upload-records';
import { atActivityBoundary } from './to-application-failure';

export interface TakeUploadsInput {
  videoId: string;
  images: string[];
  audio?: string;
}

export interface TakenImage {
  /** The image's name in the video's folder. */
  file: string;
  /** EXIF orientation, 1 (upright) to 8. */
  orientation: number;
}

export interface TakenUploads {
  images: TakenImage[];
  soundtrack?: { file: string; durationSec: number };
}

/**
 * A slideshow's first step: copies the uploads it uses into the video's own folder, so the video
 * owns what it renders from and an upload can expire (or be used by other videos) on its own. An
 * upload that is gone fails the run at once, naming it. Copying twice publishes the same bytes
 * twice, so a retried attempt is harmless.
 */
export function createTakeUploads(deps: { store: ArtifactStore }) {
  const { store } = deps;
  return {
    async takeUploads(input: TakeUploadsInput): Promise<TakenUploads> {
      return atActivityBoundary(async () => {
        const context = Context.current();
        const copy = async (uploadId: string, kind: 'image' | 'audio', name: string) => {
          const record = await readUpload(store, uploadId);
          if (!record || record.type !== kind) {
            throw ApplicationFailure.nonRetryable(
              record
                ? `Upload ${uploadId} is not an ${kind} file`
                : `Upload ${uploadId} is gone (uploads are kept for a limited time); upload it again`,
              FailureType.UploadMissing,
            );
          }
          const file = `${name}.${record.file.split('.').pop()}`;
          await copyArtifact(
            store,
            { videoId: uploadId, name: record.file },
            { videoId: input.videoId, name: file },
            context.cancellationSignal,
          );
          context.heartbeat();
          return { file, record };
        };
        const images: TakenImage[] = [];
        for (const [i, uploadId] of input.images.entries()) {
          const { file, record } = await copy(uploadId, 'image', `image-${String(i).padStart(3, '0')}`);
          images.push({ file, orientation: record.type === 'image' ? record.orientation : 1 });
        }
        if (!input.audio) return { images };
        const { file, record } = await copy(input.audio, 'audio', 'soundtrack');
        return { images, soundtrack: { file, durationSec: record.type === 'audio' ? record.durationSec : 0 } };
      });
    },
  };
}
