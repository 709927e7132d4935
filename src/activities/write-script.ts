import { Context } from '@temporalio/activity';
import { cacheKey, StepCache } from '../cache/step-cache';
import type { ScriptWriter, Spend } from '../providers/contracts';
import { fitScript } from '../shared/validate-script';
import type { CacheScope, Reused, Script, SourceDocument } from '../shared/video';
import { startHeartbeatLoop } from './heartbeat-loop';
import { makeOnce, type SingleFlightDeps } from './make-once';
import { atActivityBoundary } from './to-application-failure';

export interface WriteScriptInput {
  videoId: string;
  document: SourceDocument;
  maxScenes: number;
  /** Looks the script up in the step cache first, and stores it there; absent in older runs. */
  cacheScope?: CacheScope;
}

/**
 * Stage `writing_script`: one call to the script writer; the script travels in the history. Its
 * visuals are fitted to the clip provider's prompt limit here, whichever writer wrote them.
 */
export function createWriteScript(deps: { scriptWriter: ScriptWriter } & SingleFlightDeps) {
  const cache = new StepCache(deps.store);
  return {
    async writeScript(input: WriteScriptInput): Promise<{ script: Script; spend: Spend } & Reused> {
      return atActivityBoundary(async () => {
        const { cancellationSignal } = Context.current();
        const identity = deps.scriptWriter.cacheIdentity;
        const key =
          input.cacheScope && identity
            ? cacheKey(input.cacheScope, 'script', { writer: identity, document: input.document, maxScenes: input.maxScenes })
            : undefined;
        return makeOnce<{ script: Script; spend: Spend } & Reused>(deps, key, {
          what: 'the script',
          reuse: async (hit) => ({
            script: hit.value as Script,
            spend: { credits: 0 },
            reused: { credits: hit.credits, tokens: hit.tokens },
          }),
          async make() {
            const heartbeats = startHeartbeatLoop();
            try {
              const written = await deps.scriptWriter.writeScript({
                document: input.document,
                maxScenes: input.maxScenes,
                signal: cancellationSignal,
              });
              const script = fitScript(written.script);
              if (key)
                await cache.put(key, { step: 'script', value: script, credits: written.spend.credits, tokens: written.spend.tokens });
              return { ...written, script };
            } finally {
              heartbeats.stop();
            }
          },
        });
      });
    },
  };
}
