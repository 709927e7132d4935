import fs from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { cacheKey, StepCache } from '../cache/step-cache';
import { probeMedia } from '../media/probe';
import type { Narrator, Spend } from '../providers/contracts';
import type { CacheScope, Reused, Scene } from '../shared/video';
import { startHeartbeatLoop } from './heartbeat-loop';
import { makeOnce, type SingleFlightDeps } from './make-once';
import { atActivityBoundary } from './to-application-failure';

export interface NarrateSceneInput {
  videoId: string;
  scene: Scene;
  voice: string;
  /** Looks the narration up in the step cache first, and stores it there; absent in older runs. */
  cacheScope?: CacheScope;
}

export interface NarrateSceneResult extends Reused {
  /** File name inside the video's media folder. */
  audioFile: string;
  durationSec: number;
  spend: Spend;
}

export const narrationFileName = (index: number) => `scene-${String(index).padStart(2, '0')}.wav`;

/** Stage `narrating`: speaks one scene into a WAV file and measures how long it lasts. */
export function createNarrateScene(deps: { narrator: Narrator } & SingleFlightDeps) {
  const cache = new StepCache(deps.store);
  return {
    async narrateScene(input: NarrateSceneInput): Promise<NarrateSceneResult> {
      return atActivityBoundary(async () => {
        const { cancellationSignal } = Context.current();
        const audioFile = narrationFileName(input.scene.index);
        const identity = deps.narrator.cacheIdentity;
        const key =
          input.cacheScope && identity
            ? cacheKey(input.cacheScope, 'narration', { narrator: identity, text: input.scene.narration, voice: input.voice })
            : undefined;
        return makeOnce<NarrateSceneResult>(deps, key, {
          what: `the narration of scene ${input.scene.index}`,
          async reuse(hit, signal) {
            await cache.copyInto(key!, hit, input.videoId, audioFile, signal);
            const { durationSec } = hit.value as { durationSec: number };
            return { audioFile, durationSec, spend: { credits: 0 }, reused: { credits: hit.credits, tokens: hit.tokens } };
          },
          async make() {
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
              if (key) {
                await cache.put(
                  key,
                  { step: 'narration', value: { durationSec }, credits: spend.credits, tokens: spend.tokens },
                  outPath,
                  cancellationSignal,
                );
              }
              await deps.store.publish(input.videoId, audioFile, outPath, cancellationSignal);
              return { audioFile, durationSec, spend };
            } finally {
              heartbeats.stop();
              await fs.rm(outPath, { force: true });
            }
          },
        });
      });
    },
  };
}
