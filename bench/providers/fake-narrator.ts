import fs from 'node:fs/promises';
import { pcmToWav } from '../../src/media/wav';
import type { NarrateRequest, Narrator, Spend } from '../../src/providers/contracts';
import type { ExecutionLog } from './execution-log';
import { sleep } from './latencies';

const SAMPLE_RATE = 16_000;
/** A fifth of a second of silence: a valid WAV that ffprobe can measure, written in microseconds. */
const TINY_WAV = pcmToWav(Buffer.alloc(SAMPLE_RATE * 2 * 0.2), { sampleRate: SAMPLE_RATE, channels: 1, bitsPerSample: 16 });

/** A narrator that "speaks" for a fixed latency and writes a tiny valid WAV. */
export class FakeNarrator implements Narrator {
  constructor(private readonly options: { latencyMs: number; log: ExecutionLog }) {}

  async narrate(request: NarrateRequest): Promise<{ spend: Spend }> {
    // The file name carries the scene index (scene-03.wav), which keys the execution log.
    const key = `narration:${request.outPath.split('/').pop() ?? request.outPath}`;
    return this.options.log.around('narration', key, async () => {
      await sleep(this.options.latencyMs, request.signal);
      await fs.writeFile(request.outPath, TINY_WAV);
      return { spend: { credits: 0 } };
    });
  }
}
