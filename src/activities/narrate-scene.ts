import fs from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { probeMedia } from '../media/probe';
import type { Narrator, Spend } from '../providers/contracts';
import type { Scene } from '../shared/video';
import type { ArtifactStore } from '../storage/artifact-store';
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
export function createNarrateScene(deps: { narrator: Narrator; store: ArtifactStore }) {
  return {
    async narrateScene(input: NarrateSceneInput): Promise<NarrateSceneResult> {
      return atActivityBoundary(async () => {
        const { cancellationSignal } = Context.current();
        const audioFile = narrationFileName(input.scene.index);
        // Written privately, then published whole: a retry or another host never sees half a WAV.
        const outPath = await deps.store.tempPath(input.videoId, audioFile);
        const heartbeats = startHeartbeatLoop();
        try {
          const { spend } = await deps.narrator.narrate({
            text: input.scene.narration,
            voice: input.voice,
            outPath,
            signal: cancellationSignal,
          });
          const { durationSec } = await probeMedia(outPath, cancellationSignal);
          await deps.store.publish(input.videoId, audioFile, outPath, cancellationSignal);
          return { audioFile, durationSec, spend };
        } finally {
          heartbeats.stop();
          await fs.rm(outPath, { force: true });
        }
      });
    },
  };
}
