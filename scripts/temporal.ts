/**
 * `npm run temporal`: a single-machine Temporal server for operators, kept in
 * `.temporal/reelflow.db` so runs survive a restart. It listens where the rest of the stack
 * expects it (TEMPORAL_ADDRESS, TEMPORAL_UI_URL, TEMPORAL_NAMESPACE) and stops cleanly on
 * SIGINT/SIGTERM. A cluster (docker-compose.temporal.yml) replaces it when one machine is not enough.
 */
import path from 'node:path';
import { loadConfig } from '../src/config';
import { startDevServer } from '../src/dev/dev-server';
import { temporalCliPath } from '../src/dev/temporal-cli';

const DB_FILE = path.resolve(__dirname, '..', '.temporal', 'reelflow.db');

/** Splits `host:port`; the dev server binds an IP, so `localhost` becomes 127.0.0.1. */
function listenAddress(address: string): { host: string; port: number } {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(separator + 1));
  if (separator < 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`TEMPORAL_ADDRESS must look like host:port, got "${address}"`);
  }
  return { host: host === 'localhost' || host === '' ? '127.0.0.1' : host, port };
}

function uiPortOf(uiUrl: string): number {
  const url = new URL(uiUrl);
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const { host, port } = listenAddress(config.temporal.address);
  const server = await startDevServer({
    cliPath: temporalCliPath(),
    dbFile: DB_FILE,
    host,
    port,
    uiPort: uiPortOf(config.temporal.uiUrl),
    namespace: config.temporal.namespace,
  });
  console.log(
    `Temporal dev server on ${server.address} (namespace ${config.temporal.namespace}), ` +
      `Web UI ${server.uiUrl ?? 'off'}, data in ${path.relative(process.cwd(), DB_FILE)}. ` +
      'Ctrl-C stops it.',
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received, stopping the Temporal dev server`);
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.process.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(`The Temporal dev server exited on its own (code ${code}, signal ${signal})`);
    process.exit(1);
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
