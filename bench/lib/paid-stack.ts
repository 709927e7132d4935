/**
 * The paid providers as production wires them, aimed at fake servers: fake Gemini and fake Runway
 * on 127.0.0.1 with fixed latencies, and the project's real workers built by
 * createConfiguredWorkers from a configuration, so the Gemini and Runway adapters, their SDKs,
 * the queue limits and the real ffmpeg render all take part as they would in a deployment.
 */
import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import { type Config, loadConfig } from '../../src/config';
import { createConfiguredWorkers } from '../../src/worker';
import { startFakeGemini, type FakeGemini } from '../../test/fakes/fake-gemini';
import { startFakeRunway, type FakeRunway } from '../../test/fakes/fake-runway';
import type { BenchServer } from './bench-server';

export interface PaidLatencies {
  scriptMs: number;
  ttsMs: number;
  /** How long a Runway task runs after its creation, by kind. */
  imageMs: number;
  videoMs: number;
}

export interface PaidFakes {
  gemini: FakeGemini;
  runway: FakeRunway;
  close(): Promise<void>;
}

const GEMINI_KEY = 'bench-gemini-key';
const RUNWAY_KEY = 'bench-runway-key';

export async function startPaidFakes(latencies: PaidLatencies): Promise<PaidFakes> {
  const [gemini, runway] = await Promise.all([
    startFakeGemini({ apiKey: GEMINI_KEY, latencyMs: { script: latencies.scriptMs, tts: latencies.ttsMs } }),
    startFakeRunway({ apiKey: RUNWAY_KEY, taskDurationMs: { image: latencies.imageMs, video: latencies.videoMs } }),
  ]);
  return { gemini, runway, close: () => Promise.all([gemini.close(), runway.close()]).then(() => undefined) };
}

export interface PaidWorkers {
  config: Config;
  stop(): Promise<void>;
}

/**
 * Loads a configuration the way a deployment would (only the fakes' addresses and keys, the task
 * queue and the media folder are set, plus `overrides`) and runs its workers in this process.
 */
export async function startPaidWorkers(options: {
  bench: BenchServer;
  fakes: PaidFakes;
  taskQueue: string;
  overrides: Record<string, string>;
}): Promise<PaidWorkers> {
  const { bench, fakes } = options;
  const config = loadConfig({
    TEMPORAL_ADDRESS: bench.address,
    TEMPORAL_NAMESPACE: bench.namespace,
    TASK_QUEUE: options.taskQueue,
    MEDIA_ROOT: path.join(bench.workDir, 'media'),
    SCRIPT_PROVIDER: 'gemini',
    NARRATION_PROVIDER: 'gemini',
    CLIP_PROVIDER: 'runway',
    GEMINI_API_KEY: GEMINI_KEY,
    GOOGLE_GEMINI_BASE_URL: fakes.gemini.url,
    RUNWAYML_API_SECRET: RUNWAY_KEY,
    RUNWAYML_BASE_URL: fakes.runway.url,
    ...options.overrides,
  });
  // The workflow worker bundles the workflow code itself, as `npm run worker` does.
  const workers: Worker[] = await createConfiguredWorkers(config, bench.connection);
  const running = Promise.all(workers.map((w) => w.run()));
  return {
    config,
    async stop() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await running.catch(() => undefined);
    },
  };
}
