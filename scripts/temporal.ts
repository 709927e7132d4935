/**
 * `npm run temporal`: a single-machine Temporal server for operators, kept in
 * `.temporal/reelflow.db` (or TEMPORAL_DEV_DATA_DIR) so runs survive a restart. It listens where
 * the rest of the stack expects it (TEMPORAL_ADDRESS, TEMPORAL_UI_URL, TEMPORAL_NAMESPACE). On
 * SIGINT or SIGTERM it stops the server and exits 0 after one final line. A cluster
 * (docker-compose.temporal.yml) replaces it when one machine is not enough.
 */
import path from 'node:path';
import { loadConfig } from '../src/config';
import { devDataDir } from '../src/dev/dev-data-dir';
import { listenAddress } from '../src/dev/listen-address';
import { startDevServer } from '../src/dev/dev-server';
import { temporalCliPath } from '../src/dev/temporal-cli';
import { STOP_MARGIN_MS, stopOnSignals } from '../src/shared-node/stop-on-signals';

function uiPortOf(uiUrl: string): number {
  const url = new URL(uiUrl);
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const dbFile = path.join(devDataDir(), 'reelflow.db');
  const { host, port } = listenAddress(config.temporal.address);
  const starting = startDevServer({
    cliPath: temporalCliPath(),
    dbFile,
    host,
    port,
    uiPort: uiPortOf(config.temporal.uiUrl),
    namespace: config.temporal.namespace,
  });
  // Handled from the start: a signal while the server starts waits for it, then stops it.
  const request = stopOnSignals(
    async (signal) => {
      console.log(`${signal} received, stopping the Temporal dev server`);
      await (await starting.catch(() => undefined))?.stop();
      console.log('Temporal dev server stopped');
    },
    { deadlineMs: config.shutdownGraceMs + STOP_MARGIN_MS, onFailure: (message) => console.error(`Temporal dev server: ${message}`) },
  );
  const server = await starting;
  if (request.signal) return;
  console.log(
    `Temporal dev server on ${server.address} (namespace ${config.temporal.namespace}), ` +
      `Web UI ${server.uiUrl ?? 'off'}, data in ${path.relative(process.cwd(), dbFile)}. ` +
      'Ctrl-C stops it.',
  );

  server.process.once('exit', (code, signal) => {
    if (request.signal) return;
    console.error(`The Temporal dev server exited on its own (code ${code}, signal ${signal})`);
    process.exit(1);
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
