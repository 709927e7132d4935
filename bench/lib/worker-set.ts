/**
 * One set of the project's real workers (the workflow queue and every activity queue, built by
 * src/worker-runtime/create-workers.ts) with fake providers, in the calling process. Used both in
 * the benchmark process and in bench/worker-process.ts.
 */
import type { ActivityInterceptorsFactory, NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { ACTIVITY_QUEUES, type ActivityQueue } from '../../src/shared/temporal-names';
import { LocalArtifactStore } from '../../src/storage/local-artifact-store';
import { createWorkers } from '../../src/worker-runtime/create-workers';
import { createFakeDeps } from '../providers/fake-deps';
import type { ProviderLatencies } from '../providers/latencies';
import { ExecutionLog } from '../providers/execution-log';
import { stubRenderInterceptor } from '../providers/stub-render-interceptor';

/** Everything a worker set needs besides its connection; plain JSON, so it can cross to a child process. */
export interface WorkerSetConfig {
  taskQueue: string;
  mediaRoot: string;
  scenes: number;
  latencies: ProviderLatencies;
  /** Activities of each queue run at once in this set; high, so the fakes are never queued here. */
  concurrency: number;
  logFile?: string;
}

export interface WorkerSet {
  workers: Worker[];
  /** Resolves once every worker stopped. */
  running: Promise<void>;
  stop(): Promise<void>;
}

export async function startWorkerSet(options: {
  connection: NativeConnection;
  namespace: string;
  bundle: WorkerOptions['workflowBundle'];
  config: WorkerSetConfig;
  interceptors?: ActivityInterceptorsFactory[];
}): Promise<WorkerSet> {
  const { config } = options;
  const concurrency = Object.fromEntries(ACTIVITY_QUEUES.map((q) => [q, config.concurrency])) as Record<ActivityQueue, number>;
  const log = new ExecutionLog(config.logFile);
  const workers = await createWorkers({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: config.taskQueue,
    deps: createFakeDeps({
      store: new LocalArtifactStore(config.mediaRoot),
      scenes: config.scenes,
      latencies: config.latencies,
      logFile: config.logFile,
    }),
    limits: { concurrency, ratePerSec: {} },
    workflowBundle: options.bundle,
    common: {
      shutdownGraceTime: '2s',
      interceptors: { activity: [...(options.interceptors ?? []), stubRenderInterceptor({ latencyMs: config.latencies.renderMs, log })] },
    },
  });
  const running = Promise.all(workers.map((w) => w.run())).then(() => undefined);
  return {
    workers,
    running,
    async stop() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await running.catch(() => undefined);
    },
  };
}
