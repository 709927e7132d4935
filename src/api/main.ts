/**
 * `npm run api`: serves the HTTP API. On SIGINT or SIGTERM it stops accepting connections,
 * lets requests in flight finish, and closes the Temporal connection.
 */
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { loadConfig, type Config } from '../config';
import { logger, setLogLevel } from '../shared-node/logger';
import { MediaStore } from '../storage/media-store';
import { createApp } from './create-app';
import { assertSafeExposure } from './exposure-guard';

export interface RunningApi {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startApi(config: Config = loadConfig()): Promise<RunningApi> {
  assertSafeExposure(config);
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const app = createApp({ client, config, store: new MediaStore(config.mediaRoot) });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.api.port, config.api.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.api.port;
  const url = `http://${config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host}:${port}`;
  return {
    server,
    url,
    async close() {
      app.close();
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connection.close();
    },
  };
}

if (require.main === module) {
  const config = loadConfig();
  setLogLevel(config.logLevel);
  startApi(config)
    .then((api) => {
      logger.info('api listening', { url: api.url });
      const stop = (signal: string) => {
        logger.info('api stopping', { signal });
        api.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    })
    .catch((err: unknown) => {
      logger.error('api failed to start', { error: err instanceof Error ? err.message : String(err) });
      process.exit(1);
    });
}
