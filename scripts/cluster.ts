/**
 * `npm run cluster`: a real Temporal cluster on this machine, not the dev server: PostgreSQL with
 * Temporal's schemas, two server nodes forming one ring, and a balancer on TEMPORAL_ADDRESS that
 * skips a dead node, so `npm run worker` and `npm run api` use it unchanged. Data stays in
 * `.temporal/cluster/` (or TEMPORAL_DEV_DATA_DIR/cluster) between runs. On SIGINT or SIGTERM it
 * stops the nodes, then PostgreSQL, and exits 0 after one final line. docs/production.md,
 * "Running a Temporal cluster", says what it proves and how it maps onto docker-compose.temporal.yml.
 */
import path from 'node:path';
import type { Duration } from '@temporalio/common';
import { loadClusterEnv, loadConfig } from '../src/config';
import { clusterBinaries } from '../src/dev/cluster/cluster-binaries';
import { NUM_HISTORY_SHARDS } from '../src/dev/cluster/node-config';
import { startTemporalCluster, type TemporalCluster } from '../src/dev/cluster/temporal-cluster';
import { devDataDir } from '../src/dev/dev-data-dir';
import { listenAddress } from '../src/dev/listen-address';
import { STOP_MARGIN_MS, stopOnSignals } from '../src/shared-node/stop-on-signals';

/** `.temporal/cluster/`, or `$TEMPORAL_DEV_DATA_DIR/cluster/`. */
const dataDirOf = (): string => path.join(devDataDir(), 'cluster');

/** A node stopping on its own is an outage of half the cluster: say so, and keep serving. */
function reportNodeExits(cluster: TemporalCluster, stopping: () => boolean): void {
  for (const node of cluster.nodes) {
    void node.exited.then((exit) => {
      if (stopping()) return;
      console.error(
        `Temporal ${node.name} (${node.address}) exited on its own (code ${exit.code}, signal ${exit.signal}); ` +
          `the other node serves alone. Its log: ${path.join(path.relative(process.cwd(), dataDirOf()), node.name, 'server.log')}`,
      );
    });
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const { TEMPORAL_RETENTION } = loadClusterEnv();
  const dataDir = dataDirOf();
  const started = Date.now();
  const starting = startTemporalCluster({
    binaries: clusterBinaries(),
    dataDir,
    namespace: config.temporal.namespace,
    retention: TEMPORAL_RETENTION as Duration,
    listen: listenAddress(config.temporal.address),
  });
  // Handled from the start: a signal while the cluster starts waits for it, then stops it.
  const request = stopOnSignals(
    async (signal) => {
      console.log(`${signal} received, stopping the Temporal cluster`);
      await (await starting.catch(() => undefined))?.stop();
      console.log('Temporal cluster stopped (nodes, then PostgreSQL)');
    },
    { deadlineMs: 60_000 + STOP_MARGIN_MS, onFailure: (message) => console.error(`Temporal cluster: ${message}`) },
  );
  const cluster = await starting;
  if (request.signal) return;
  reportNodeExits(cluster, () => request.signal !== undefined);

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const { temporal, temporal_visibility } = cluster.schemaVersions;
  console.log(
    [
      `Temporal cluster ready in ${seconds} s: ${cluster.nodes.length} nodes, ${NUM_HISTORY_SHARDS} history shards, ` +
        `PostgreSQL on ${cluster.database.host}:${cluster.database.port} (schemas temporal ${temporal}, visibility ${temporal_visibility}).`,
      ...cluster.nodes.map((node) => `  ${node.name} frontend ${node.address}`),
      `  balancer  ${cluster.address} (skips a node that is down)`,
      `Namespace ${cluster.namespace}${cluster.setup.createdNamespace ? ` created (retention ${TEMPORAL_RETENTION})` : ''}, ` +
        'search attributes VideoStage, VideoTenant, VideoCredits on SQL visibility.',
      `Point the worker and the API at it: TEMPORAL_ADDRESS=${cluster.address} npm run worker (and npm run api).`,
      `Data and logs in ${path.relative(process.cwd(), dataDir) || '.'}. Ctrl-C stops it.`,
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
