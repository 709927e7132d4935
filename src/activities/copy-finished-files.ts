import { Context } from '@temporalio/activity';
import { ArtifactMissingError } from '../storage/artifact-missing-error';
import type { ArtifactStore } from '../storage/artifact-store';
import { copyArtifact } from '../storage/copy-artifact';

/**
 * A retry's first step: copies the files an earlier run of the video finished (narrations, clips)
 * into the new video's folder, so the new run owns what it renders from and the old video can be
 * deleted on its own. A file that is gone (removed by retention) is left out, and the run makes it
 * again. Copying a file twice publishes the same bytes twice, so a retried attempt is harmless.
 */
export function createCopyFinishedFiles(deps: { store: ArtifactStore }) {
  return {
    async copyFinishedFiles(input: { fromVideoId: string; videoId: string; names: string[] }): Promise<{ copied: string[] }> {
      const { cancellationSignal } = Context.current();
      const copied: string[] = [];
      for (const name of input.names) {
        try {
          await copyArtifact(deps.store, { videoId: input.fromVideoId, name }, { videoId: input.videoId, name }, cancellationSignal);
        } catch (err) {
          if (err instanceof ArtifactMissingError) continue;
          throw err;
        }
        copied.push(name);
        Context.current().heartbeat(copied.length);
      }
      return { copied };
    },
  };
}
