import type { ActivityDeps } from '../../src/activities';
import type { SourceProvider } from '../../src/providers/contracts';
import type { ArtifactStore } from '../../src/storage/artifact-store';
import { ExecutionLog } from './execution-log';
import { FakeClipGenerator } from './fake-clip-generator';
import { FakeNarrator } from './fake-narrator';
import { FakeScriptWriter } from './fake-script-writer';
import type { ProviderLatencies } from './latencies';

export interface FakeDepsOptions {
  store: ArtifactStore;
  /** Scenes every script has. */
  scenes: number;
  latencies: ProviderLatencies;
  /** Where provider work is logged (crash benchmark); nothing is logged without it. */
  logFile?: string;
}

/** Benchmarks use text sources, which never reach a source provider. */
const noPubmed: SourceProvider = {
  fetchPubmed: () => Promise.reject(new Error('The benchmarks use text sources only')),
  searchPubmed: () => Promise.reject(new Error('The benchmarks use text sources only')),
};

/** Activity dependencies whose providers are fakes with fixed latencies. */
export function createFakeDeps(options: FakeDepsOptions): ActivityDeps {
  const log = new ExecutionLog(options.logFile);
  const { latencies } = options;
  return {
    store: options.store,
    sourceProvider: noPubmed,
    scriptWriter: new FakeScriptWriter({ scenes: options.scenes, latencyMs: latencies.scriptMs, log }),
    narrator: new FakeNarrator({ latencyMs: latencies.narrationMs, log }),
    clipGenerator: new FakeClipGenerator({ latencyMs: latencies.clipMs, log }),
    scenePauseSec: 0,
  };
}
