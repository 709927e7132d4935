/**
 * `npm run worker`: runs the workflow worker and every activity worker in one process (or only
 * those named in WORKER_ROLES). Temporal's runtime stops them gracefully on SIGINT and SIGTERM:
 * running activities are given the shutdown grace time, then cancelled.
 */
import { NativeConnection } from '@temporalio/worker';
import { loadConfig, type Config } from './config';
import { createProviders } from './providers/create-providers';
import { MediaStore } from './storage/media-store';
import { createWorkers, type CreateWorkersOptions, type QueueLimits } from './worker-runtime/create-workers';
import { keepHealthFile } from './worker-runtime/health-file';
import { installSdkLogging } from './worker-runtime/install-sdk-logging';
import { logger, setLogLevel } from './shared-node/logger';

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

/** The workers this configuration asks for, with the configured providers and limits. */
export function createConfiguredWorkers(config: Config, connection: NativeConnection, common?: CreateWorkersOptions['common']) {
  return createWorkers({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    deps: { ...createProviders(config), store: new MediaStore(config.mediaRoot), scenePauseSec: config.scenePauseSec },
    limits: queueLimits(config),
    roles: config.workerRoles,
    common: { shutdownGraceTime: config.shutdownGraceMs, ...common },
  });
}

export async function runWorker(config: Config = loadConfig()): Promise<void> {
  setLogLevel(config.logLevel);
  installSdkLogging(config.logLevel === 'debug' ? 'DEBUG' : 'INFO');
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  try {
    const workers = await createConfiguredWorkers(config, connection);
    logger.info('worker started', {
      taskQueue: config.temporal.taskQueue,
      roles: config.workerRoles ?? 'all',
      providers: config.providers,
    });
    const running = Promise.all(workers.map((w) => w.run()));
    const health = config.workerHealthFile ? await keepHealthFile(config.workerHealthFile, workers) : undefined;
    try {
      await running;
    } finally {
      await health?.stop();
    }
    logger.info('worker stopped');
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  runWorker().catch((err: unknown) => {
    logger.error('worker failed', { error: err instanceof Error ? err.message : String(err) });
    process.exit(1);
  });
}
