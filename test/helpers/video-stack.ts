/**
 * Runs the real workers (every task queue) against a test server with chosen providers, on a
 * task queue of its own, and optionally the real HTTP API in front of them.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { ActivityDeps } from '../../src/activities';
import { createApp } from '../../src/api/create-app';
import { dataConverterFor } from '../../src/codec/data-converter';
import { loadConfig, type Config } from '../../src/config';
import { LocalArtifactStore } from '../../src/storage/local-artifact-store';
import { createWorkers, type QueueLimits } from '../../src/worker-runtime/create-workers';
import { DrawnClipGenerator } from '../../src/providers/local/drawn-clip-generator';
import { EspeakNarrator } from '../../src/providers/local/espeak-narrator';
import { LocalScriptWriter } from '../../src/providers/local/local-script-writer';
import type { SourceProvider } from '../../src/providers/contracts';
import { serveApp } from './serve-app';
import { uniqueName } from './unique';
import { workflowBundle } from './workflow-bundle';

export interface VideoStack {
  taskQueue: string;
  mediaRoot: string;
  store: LocalArtifactStore;
  config: Config;
  workers: Worker[];
  /** Base URL of the HTTP API, when started with `api: true`. */
  apiUrl: string;
  stop(): Promise<void>;
}

const noPubmed: SourceProvider = {
  fetchPubmed: () => Promise.reject(new Error('PubMed is not available in this test')),
  searchPubmed: () => Promise.reject(new Error('PubMed is not available in this test')),
};

/** Local providers with short clips, so a test video renders in seconds. */
export function localDeps(store: LocalArtifactStore): ActivityDeps {
  return {
    store,
    sourceProvider: noPubmed,
    scriptWriter: new LocalScriptWriter(),
    narrator: new EspeakNarrator({ fallbackVoice: 'en-us' }),
    clipGenerator: new DrawnClipGenerator({ durationSec: 1 }),
    scenePauseSec: 0.3,
  };
}

export async function startVideoStack(
  env: TestWorkflowEnvironment,
  options: {
    deps?: (store: LocalArtifactStore) => Partial<ActivityDeps>;
    api?: boolean;
    env?: Record<string, string>;
    /** Join the workers of another stack on its task queue (several worker processes). */
    taskQueue?: string;
    limits?: QueueLimits;
    /** A connection of its own, as a separate worker process would have. */
    ownConnection?: boolean;
  } = {},
): Promise<VideoStack> {
  const taskQueue = options.taskQueue ?? uniqueName('tq');
  const mediaRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-media-'));
  const config = loadConfig({
    TASK_QUEUE: taskQueue,
    MEDIA_ROOT: mediaRoot,
    TEMPORAL_ADDRESS: env.address,
    PORT: '0',
    // Every test polls from 127.0.0.1, one caller; tests of the read limit set their own.
    READ_RATE_LIMIT: '1000000',
    ...options.env,
  });
  const store = new LocalArtifactStore(mediaRoot);
  const deps = { ...localDeps(store), keepIntermediateFiles: config.artifacts.keepIntermediateFiles, ...options.deps?.(store) };
  const connection = options.ownConnection ? await NativeConnection.connect({ address: env.address }) : env.nativeConnection;
  const workers = await createWorkers({
    connection,
    namespace: config.temporal.namespace,
    taskQueue,
    deps,
    limits: options.limits ?? { concurrency: config.concurrency, ratePerSec: {} },
    workflowBundle: await workflowBundle(),
    common: { shutdownGraceTime: '1s', dataConverter: dataConverterFor(config) },
  });
  const running = workers.map((w) => w.run());

  // With PAYLOAD_ENCRYPTION_KEYS in `options.env`, the API's client encrypts as production's does.
  const dataConverter = dataConverterFor(config);
  const client = dataConverter
    ? new Client({ connection: env.connection, namespace: config.temporal.namespace, dataConverter })
    : env.client;
  const api = options.api ? await serveApp(createApp({ client, config, store })) : undefined;

  return {
    taskQueue,
    mediaRoot,
    store,
    config,
    workers,
    apiUrl: api?.url ?? '',
    async stop() {
      await api?.close();
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.allSettled(running);
      if (options.ownConnection) await connection.close();
      await fs.rm(mediaRoot, { recursive: true, force: true });
    },
  };
}
