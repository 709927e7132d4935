/**
 * The whole stack on one machine: a Temporal dev server on a SQLite file (with its Web UI), the
 * workers and the API, in this process. Used by `npm run demo` and `npm start`. It stops in the
 * reverse order: the API, then the workers, then the dev server, so no part loses what it uses.
 */
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { startApi, type RunningApi } from '../api/main';
import type { Config } from '../config';
import { createConfiguredWorkers } from '../worker';
import { installSdkLogging } from '../worker-runtime/install-sdk-logging';
import { setLogLevel } from '../shared-node/logger';
import { startDevServer, type DevServer } from './dev-server';
import { temporalCliPath } from './temporal-cli';

export interface LocalStack {
  temporal: DevServer;
  api: RunningApi;
  /** Stops the API, the workers, then the dev server; later calls return the same promise. */
  stop(): Promise<void>;
}

/** How long the API's requests and the workers' activities may finish when the stack stops. */
const STOP_GRACE_MS = 5_000;

function portOf(address: string): number {
  const port = Number(address.split(':').pop());
  if (!Number.isInteger(port) || port <= 0) throw new Error(`TEMPORAL_ADDRESS must end in a port, got ${address}`);
  return port;
}

export async function startLocalStack(config: Config, options: { dataDir: string; log: (line: string) => void }): Promise<LocalStack> {
  // The SDK's per-worker state messages and the API's line per request would drown the demo's progress bar.
  // The stack stops its parts in order itself; the SDK must not stop the workers on Ctrl-C first.
  installSdkLogging('WARN', { shutdownSignals: [] });
  if (config.logLevel !== 'debug') setLogLevel('warn');
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
  let stopped: Promise<void> | undefined;
  const stopAll = () =>
    (stopped ??= (async () => {
      for (const stop of [...stops].reverse()) await stop().catch(() => undefined);
    })());
  try {
    const connection = await NativeConnection.connect({ address: temporal.address });
    stops.push(() => connection.close());
    const workers = await createConfiguredWorkers(config, connection, { shutdownGraceTime: STOP_GRACE_MS });
    const running = workers.map((w) => w.run());
    stops.push(async () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await Promise.allSettled(running);
    });
    options.log(`workers polling ${config.temporal.taskQueue} and its activity queues`);
    const api = await startApi(config);
    stops.push(() => api.close(STOP_GRACE_MS));
    options.log(`API listening on ${api.url}`);
    return { temporal, api, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
