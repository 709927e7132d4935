import { Context } from '@temporalio/activity';
import type { ScriptWriter, Spend } from '../providers/contracts';
import { fitScript } from '../shared/validate-script';
import type { Script, SourceDocument } from '../shared/video';
import { startHeartbeatLoop } from './heartbeat-loop';
import { atActivityBoundary } from './to-application-failure';

export interface WriteScriptInput {
  videoId: string;
  document: SourceDocument;
  maxScenes: number;
}

/**
 * Stage `writing_script`: one call to the script writer; the script travels in the history. Its
 * visuals are fitted to the clip provider's prompt limit here, whichever writer wrote them.
 */
export function createWriteScript(deps: { scriptWriter: ScriptWriter }) {
  return {
    async writeScript(input: WriteScriptInput): Promise<{ script: Script; spend: Spend }> {
      return atActivityBoundary(async () => {
        const { cancellationSignal } = Context.current();
        const heartbeats = startHeartbeatLoop();
        try {
          const written = await deps.scriptWriter.writeScript({
            document: input.document,
            maxScenes: input.maxScenes,
            signal: cancellationSignal,
          });
          return { ...written, script: fitScript(written.script) };
        } finally {
          heartbeats.stop();
        }
      });
    },
  };
}
