import fs from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { probeMedia } from '../media/probe';
import type { Narrator, Spend } from '../providers/contracts';
import type { Scene } from '../shared/video';
import type { MediaStore } from '../storage/media-store';
import { startHeartbeatLoop } from './heartbeat-loop';
import { atActivityBoundary } from './to-application-failure';

export interface NarrateSceneInput {
  videoId: string;
  scene: Scene;
  voice: string;
}

export interface NarrateSceneResult {
  /** File name inside the video's media folder. */
  audioFile: string;
  durationSec: number;
  spend: Spend;
}

export const narrationFileName = (index: number) => `scene-${String(index).padStart(2, '0')}.wav`;

/** Stage `narrating`: speaks one scene into a WAV file and measures how long it lasts. */
export function createNarrateScene(deps: { narrator: Narrator; store: MediaStore }) {
  return {
    async narrateScene(input: NarrateSceneInput): Promise<NarrateSceneResult> {
      return atActivityBoundary(async () => {
        const { cancellationSignal } = Context.current();
        const audioFile = narrationFileName(input.scene.index);
        await deps.store.ensureDir(input.videoId);
        const outPath = deps.store.path(input.videoId, audioFile);
        const heartbeats = startHeartbeatLoop();
        try {
          const { spend } = await deps.narrator.narrate({
            text: input.scene.narration,
            voice: input.voice,
            outPath,
            signal: cancellationSignal,
          });
          const { durationSec } = await probeMedia(outPath, cancellationSignal);
          return { audioFile, durationSec, spend };
        } catch (err) {
          if (cancellationSignal.aborted) await fs.rm(outPath, { force: true });
          throw err;
        } finally {
          heartbeats.stop();
        }
      });
    },
  };
}
