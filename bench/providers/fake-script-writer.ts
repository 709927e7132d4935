import type { ScriptWriter, Spend, WriteScriptRequest } from '../../src/providers/contracts';
import type { Script } from '../../src/shared/video';
import type { ExecutionLog } from './execution-log';
import { sleep } from './latencies';

/** A script writer that answers after a fixed latency with a script of exactly `scenes` scenes. */
export class FakeScriptWriter implements ScriptWriter {
  constructor(private readonly options: { scenes: number; latencyMs: number; log: ExecutionLog }) {}

  async writeScript(request: WriteScriptRequest): Promise<{ script: Script; spend: Spend }> {
    return this.options.log.around('script', 'script', async () => {
      await sleep(this.options.latencyMs, request.signal);
      const scenes = Array.from({ length: this.options.scenes }, (_, index) => ({
        index,
        title: index === 0 ? request.document.title : `Scene ${index}`,
        narration: `Scene ${index} of a benchmark video.`,
      }));
      return { script: { title: request.document.title, scenes }, spend: { credits: 0 } };
    });
  }
}
