/**
 * `npm run worker`: runs the workflow worker and every activity worker in one process (or only
 * those named in WORKER_ROLES). On SIGINT or SIGTERM they stop polling, running activities are
 * given the shutdown grace time, then cancelled, and the process exits 0 after one final line,
 * `worker stopped` (src/shared-node/stop-on-signals.ts).
 */
import { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { ActivityDeps } from './activities';
import { DetachedActivities } from './activities/detached-activities';
import { StepClaims } from './cache/step-claims';
import { dataConverterFor } from './codec/data-converter';
import { loadConfig, type Config } from './config';
import { createProviders } from './providers/create-providers';
import type { ArtifactStore } from './storage/artifact-store';
import { assertArtifactStoreUsable, createArtifactStore } from './storage/create-artifact-store';
import { createWorkers, type CreateWorkersOptions, type QueueLimits } from './worker-runtime/create-workers';
import { keepHealthFile } from './worker-runtime/health-file';
import { prebuiltWorkflowBundle } from './worker-runtime/prebuilt-workflow-bundle';
import { keepMediaRetentionSchedule } from './retention/media-retention-schedule';
import { installSdkLogging } from './worker-runtime/install-sdk-logging';
import { hideSecrets, logger, setLogLevel } from './shared-node/logger';
import { configSecrets } from './shared-node/config-secrets';
import { serveMetrics } from './observability/metrics-server';
import { startConfiguredTracing } from './observability/tracing';
import type { WorkerObservability } from './observability/worker-observability';
import { WorkerMetrics } from './observability/worker-metrics';
import { startupFailureFields } from './shared-node/startup-failure';
import { STOP_MARGIN_MS, stopOnSignals } from './shared-node/stop-on-signals';
import { connectWorker } from './temporal-connection/connect';
import { assertSearchAttributes } from './temporal-connection/search-attributes';

/**
 * Limits of each activity queue, from the configuration. Rates are enforced by the Temporal
 * server per task queue, so they hold across every worker process of the deployment.
 */
export function queueLimits(config: Config): QueueLimits {
  const gemini = (provider: string) => (provider === 'gemini' ? config.gemini.ratePerSec : undefined);
  return {
    concurrency: config.concurrency,
    ratePerSec: {
      source: config.pubmed.ratePerSec,
      script: gemini(config.providers.script),
      narration: gemini(config.providers.narration),
      'clip-submissions': config.providers.clip === 'runway' ? config.runway.ratePerSec : undefined,
    },
  };
}

/**
 * The workers this configuration asks for, with the configured providers and limits. Their
 * activities take the step cache's claims through a client of their own on `connection`, so that
 * concurrent runs make each cached output once.
 */
export function createConfiguredWorkers(
  config: Config,
  connection: NativeConnection,
  common?: CreateWorkersOptions['common'],
  observability: WorkerObservability = {},
  services: Pick<ActivityDeps, 'detached'> = {},
  store: ArtifactStore = createArtifactStore(config),
) {
  return createWorkers({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    deps: {
      ...createProviders(config),
      store,
      scenePauseSec: config.scenePauseSec,
      keepIntermediateFiles: config.artifacts.keepIntermediateFiles,
      claims: new StepClaims(
        new Client({ connection, namespace: config.temporal.namespace, dataConverter: dataConverterFor(config) }),
        config.temporal.taskQueue,
      ),
      ...services,
    },
    limits: queueLimits(config),
    roles: config.workerRoles,
    // Compiled (dist/), the bundle `npm run build` made; under tsx the workflows are bundled at start.
    workflowBundle: prebuiltWorkflowBundle(),
    common: { shutdownGraceTime: config.shutdownGraceMs, dataConverter: dataConverterFor(config), ...common },
    observability: {
      providerNames: {
        source: 'pubmed',
        script: config.providers.script,
        narration: config.providers.narration,
        clip: config.providers.clip,
      },
      ...observability,
    },
  });
}

/**
 * Runs the configured workers until `stop` is aborted (or a worker fails), then closes everything.
 * `common` adds options to every worker (benchmarks pass an activity interceptor through it).
 */
export async function runWorker(config: Config = loadConfig(), stop?: AbortSignal, common?: CreateWorkersOptions['common']): Promise<void> {
  setLogLevel(config.logLevel);
  hideSecrets(configSecrets(config));
  const { workerMetricsAddress, workerAppMetricsAddress } = config.observability;
  installSdkLogging(config.logLevel === 'debug' ? 'DEBUG' : 'INFO', { metricsAddress: workerMetricsAddress });
  const tracing = startConfiguredTracing(config, 'reelflow-worker');
  const metrics = new WorkerMetrics();
  metrics.collectProcessMetrics();
  const metricsServer = workerAppMetricsAddress ? await serveMetrics(workerAppMetricsAddress, metrics.registry) : undefined;
  const connection = await connectWorker(config);
  try {
    await assertSearchAttributes(connection.operatorService, config.temporal.namespace);
    const store = createArtifactStore(config);
    await assertArtifactStoreUsable(store);
    // Provider waits run detached from their activity slots, completed through this client.
    const dataConverter = dataConverterFor(config);
    const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter });
    const detached = new DetachedActivities(client.activity, config.clipWaitHeartbeatMs);
    await keepMediaRetentionSchedule(client, config);
    const workers = await createConfiguredWorkers(config, connection, common, { metrics, tracing }, { detached }, store);
    logger.info('worker started', {
      sdkMetrics: workerMetricsAddress ? `http://${workerMetricsAddress}/metrics` : 'off',
      appMetrics: metricsServer?.url ?? 'off',
      tracing: tracing ? 'on' : 'off',
      taskQueue: config.temporal.taskQueue,
      roles: config.workerRoles ?? 'all',
      providers: config.providers,
      artifactStore: store.kind,
      workflowBundle: prebuiltWorkflowBundle()?.codePath ?? 'bundled at start',
    });
    const running = Promise.all(workers.map((w) => w.run()));
    let released: Promise<void> | undefined;
    const shutdown = () => {
      logger.info('worker stopping', { signal: stop?.reason as unknown, graceSec: config.shutdownGraceMs / 1000 });
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      // Other workers take the detached waits over at once rather than after their heartbeat timeout.
      released = detached.release();
    };
    if (stop?.aborted) shutdown();
    else stop?.addEventListener('abort', shutdown, { once: true });
    const health = config.workerHealthFile ? await keepHealthFile(config.workerHealthFile, workers) : undefined;
    try {
      await running;
    } finally {
      await (released ?? detached.release());
      await health?.stop();
    }
  } finally {
    await connection.close();
    await metricsServer?.close();
    await tracing?.shutdown();
  }
  logger.info('worker stopped');
}

if (require.main === module) {
  const stopRequest = new AbortController();
  const running = Promise.resolve().then(() => {
    const config = loadConfig();
    stopOnSignals(
      async (signal) => {
        stopRequest.abort(signal);
        await running;
      },
      {
        deadlineMs: config.shutdownGraceMs + STOP_MARGIN_MS,
        onFailure: (message) => logger.error('worker stop failed', { error: message }),
      },
    );
    return runWorker(config, stopRequest.signal);
  });
  running.then(
    () => process.exit(0),
    (err: unknown) => {
      // After a signal, stopOnSignals reports how the stop ended.
      if (stopRequest.signal.aborted) return;
      logger.error('worker failed', startupFailureFields(err));
      process.exit(1);
    },
  );
}
