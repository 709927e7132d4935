import fs from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { ArtifactMissingError } from '../storage/artifact-missing-error';
import type { ArtifactStore } from '../storage/artifact-store';

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
        let source: string;
        try {
          source = await deps.store.fetch(input.fromVideoId, name, cancellationSignal);
        } catch (err) {
          if (err instanceof ArtifactMissingError) continue;
          throw err;
        }
        const working = await deps.store.tempPath(input.videoId, name);
        await fs.copyFile(source, working);
        await deps.store.publish(input.videoId, name, working, cancellationSignal);
        copied.push(name);
        Context.current().heartbeat(copied.length);
      }
      return { copied };
    },
  };
}
