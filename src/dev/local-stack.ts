/**
 * The whole stack on one machine: a Temporal dev server on a SQLite file (with its Web UI), the
 * workers and the API, in this process. Used by `npm run demo` and `npm start`.
 */
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { startApi, type RunningApi } from '../api/main';
import type { Config } from '../config';
import { createConfiguredWorkers } from '../worker';
import { installSdkLogging } from '../worker-runtime/install-sdk-logging';
import { startDevServer, type DevServer } from './dev-server';
import { temporalCliPath } from './temporal-cli';

export interface LocalStack {
  temporal: DevServer;
  api: RunningApi;
  stop(): Promise<void>;
}

function portOf(address: string): number {
  const port = Number(address.split(':').pop());
  if (!Number.isInteger(port) || port <= 0) throw new Error(`TEMPORAL_ADDRESS must end in a port, got ${address}`);
  return port;
}

export async function startLocalStack(config: Config, options: { dataDir: string; log: (line: string) => void }): Promise<LocalStack> {
  // The SDK's per-worker state messages would drown the demo's progress bar.
  installSdkLogging('WARN');
  const uiPort = Number(new URL(config.temporal.uiUrl).port || 80);
  options.log(`starting Temporal dev server on ${config.temporal.address} (Web UI ${config.temporal.uiUrl})`);
  const temporal = await startDevServer({
    cliPath: temporalCliPath(),
    dbFile: path.join(options.dataDir, 'reelflow.db'),
    port: portOf(config.temporal.address),
    uiPort,
    namespace: config.temporal.namespace,
    logFile: path.join(options.dataDir, 'temporal.log'),
  });
  const stops: (() => Promise<void>)[] = [() => temporal.stop()];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const connection = await NativeConnection.connect({ address: temporal.address });
    stops.push(() => connection.close());
    const workers = await createConfiguredWorkers(config, connection, { shutdownGraceTime: '5s' });
    const running = workers.map((w) => w.run());
    stops.push(async () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.allSettled(running);
    });
    options.log(`workers polling ${config.temporal.taskQueue} and its activity queues`);
    const api = await startApi(config);
    stops.push(() => api.close());
    options.log(`API listening on ${api.url}`);
    return { temporal, api, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
