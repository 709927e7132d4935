/**
 * `npm run api`: serves the HTTP API. On SIGINT or SIGTERM it stops accepting connections, ends
 * every event stream, lets requests in flight finish (for up to WORKER_SHUTDOWN_GRACE_SEC), closes
 * the Temporal connection and exits 0 with one final line, `api stopped`.
 */
import type { Server } from 'node:http';
import { Client } from '@temporalio/client';
import { dataConverterFor } from '../codec/data-converter';
import { loadConfig, type Config } from '../config';
import { startConfiguredTracing, tracingClientInterceptors } from '../observability/tracing';
import { configSecrets } from '../shared-node/config-secrets';
import { hideSecrets, logger, setLogLevel } from '../shared-node/logger';
import { STOP_MARGIN_MS, stopOnSignals } from '../shared-node/stop-on-signals';
import { assertArtifactStoreUsable, createArtifactStore } from '../storage/create-artifact-store';
import { connectClient } from '../temporal-connection/connect';
import { assertSearchAttributes } from '../temporal-connection/search-attributes';
import { createApp } from './create-app';
import { assertSafeExposure } from './exposure-guard';

export interface RunningApi {
  server: Server;
  url: string;
  /**
   * Stops accepting connections, ends every event stream, waits for requests in flight, then
   * closes the Temporal connection. Requests still running after `drainMs` are cut off.
   * @default drainMs config.shutdownGraceMs
   */
  close(drainMs?: number): Promise<void>;
}

export async function startApi(config: Config = loadConfig()): Promise<RunningApi> {
  assertSafeExposure(config);
  hideSecrets(configSecrets(config));
  const tracing = startConfiguredTracing(config, 'reelflow-api');
  const connection = await connectClient(config);
  const store = createArtifactStore(config);
  const checks = async () => {
    await assertSearchAttributes(connection.operatorService, config.temporal.namespace);
    await assertArtifactStoreUsable(store);
  };
  await checks().catch(async (err: unknown) => {
    await connection.close();
    throw err;
  });
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: dataConverterFor(config),
    interceptors: tracingClientInterceptors(tracing),
  });
  const app = createApp({ client, config, store });
  app.metrics.collectProcessMetrics();
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.api.port, config.api.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.api.port;
  const url = `http://${config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host}:${port}`;
  return {
    server,
    url,
    async close(drainMs = config.shutdownGraceMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Event streams never end by themselves, and a keep-alive connection turns idle only once its
      // response has ended: close idle ones until none is left, and cut off the rest at the deadline.
      app.close();
      const sweep = setInterval(() => server.closeIdleConnections(), 100);
      const cutOff = setTimeout(() => server.closeAllConnections(), drainMs);
      server.closeIdleConnections();
      await closed;
      clearInterval(sweep);
      clearTimeout(cutOff);
      await connection.close();
      await tracing?.shutdown();
    },
  };
}

if (require.main === module) {
  // A configuration error is reported like any other start-up failure: one line, no stack trace.
  Promise.resolve()
    .then(() => {
      const config = loadConfig();
      setLogLevel(config.logLevel);
      return startApi(config).then((api) => ({ api, config }));
    })
    .then(({ api, config }) => {
      logger.info('api listening', { url: api.url });
      stopOnSignals(
        async (signal) => {
          const started = Date.now();
          logger.info('api stopping', { signal });
          await api.close();
          logger.info('api stopped', { signal, stopMs: Date.now() - started });
        },
        {
          deadlineMs: config.shutdownGraceMs + STOP_MARGIN_MS,
          onFailure: (message) => logger.error('api stop failed', { error: message }),
        },
      );
    })
    .catch((err: unknown) => {
      logger.error('api failed to start', { error: err instanceof Error ? err.message : String(err) });
      process.exit(1);
    });
}
