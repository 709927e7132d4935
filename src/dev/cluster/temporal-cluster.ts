/**
 * A real Temporal cluster on this machine, not the dev server: PostgreSQL with Temporal's own
 * schemas, two (or more) server processes that form one ring through the shared database, each
 * running every service, and a balancer giving clients one address that skips a dead node. Used
 * by `npm run cluster` and by the failover test; docker-compose.temporal.yml runs the same
 * versions and settings in containers.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Duration } from '@temporalio/common';
import { portIsFree } from './port-is-free';
import type { ClusterBinaries } from './cluster-binaries';
import { ensureClusterNamespace, type ClusterNamespaceResult } from './cluster-namespace';
import { NODE_SERVICES, type NodePorts } from './node-config';
import { startPostgres, type PostgresServer } from './postgres-server';
import { ensureTemporalSchemas, type SchemaVersions } from './temporal-schema';
import { startTemporalNode, type TemporalNode } from './temporal-node';
import { startTcpBalancer, type TcpBalancer } from './tcp-balancer';
import { liveMembers, shardNodes, waitForMembers, type ClusterMember } from './cluster-membership';

export interface TemporalClusterOptions {
  binaries: ClusterBinaries;
  /** Holds the database, each node's config and log; kept between runs. */
  dataDir: string;
  /** @default 2 */
  nodes?: number;
  /** @default 'default' */
  namespace?: string;
  /** Namespace retention ('72h', '30d'), used when the namespace is created. @default '72h' */
  retention?: Duration;
  /** Where the balancer listens; port 0 picks a free one. @default { host: '127.0.0.1', port: 0 } */
  listen?: { host: string; port: number };
  /** The nodes' log level (their logs are `<dataDir>/nodeN/server.log`). @default 'warn' */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

export interface TemporalCluster {
  /** The balancer's `host:port`: the one address clients need (TEMPORAL_ADDRESS). */
  address: string;
  nodes: TemporalNode[];
  database: PostgresServer;
  namespace: string;
  schemaVersions: SchemaVersions;
  setup: ClusterNamespaceResult;
  /** Services that heartbeat in the ring now, read from the `cluster_membership` table. */
  members(): Promise<ClusterMember[]>;
  /** The node (`node1`…) holding each history shard, by shard id, as the `shards` table records it. */
  shardOwners(): Promise<Map<number, string>>;
  /** Stops the balancer, every node still running, then PostgreSQL; resolves once all exited. */
  stop(): Promise<void>;
}

const DEFAULT_RETENTION = '72h';
/** Below the kernel's ephemeral range and the `smallint` limit, above well-known services. */
const LOW_PORTS = { first: 20_000, last: 32_767 } as const;

/**
 * Distinct ports free on 127.0.0.1, below 32768: the `cluster_membership` table stores a
 * member's port as a PostgreSQL `smallint`, so a node on an ephemeral port (32768 and up, where
 * the kernel picks) dies at start with "value … is out of range for type smallint".
 */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const candidate = LOW_PORTS.first + Math.floor(Math.random() * (LOW_PORTS.last - LOW_PORTS.first));
    if (!ports.has(candidate) && (await portIsFree(candidate))) ports.add(candidate);
  }
  return [...ports];
}

function nodePorts(ports: number[]): NodePorts {
  const take = (): number => {
    const port = ports.shift();
    if (port === undefined) throw new Error('ran out of ports');
    return port;
  };
  const grpc = Object.fromEntries(NODE_SERVICES.map((s) => [s, take()])) as NodePorts['grpc'];
  const membership = Object.fromEntries(NODE_SERVICES.map((s) => [s, take()])) as NodePorts['membership'];
  return { grpc, membership, frontendHttp: take() };
}

/** The database password, made on first start and kept beside the data (readable by this user only). */
function databasePassword(dataDir: string): string {
  const file = path.join(dataDir, 'postgres-password');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** Starts the whole cluster and resolves once every node is in the ring and the namespace is ready. */
export async function startTemporalCluster(options: TemporalClusterOptions): Promise<TemporalCluster> {
  const nodeCount = options.nodes ?? 2;
  const namespace = options.namespace ?? 'default';
  const dataDir = path.resolve(options.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  // PostgreSQL may run as another user (see postgres-server.ts): it must pass through, not read.
  fs.chmodSync(dataDir, 0o711);

  const perNode = NODE_SERVICES.length * 2 + 1;
  const ports = await freePorts(1 + nodeCount * perNode);
  const databasePort = ports.shift() as number;
  const started: { balancer?: TcpBalancer; nodes: TemporalNode[]; database?: PostgresServer } = { nodes: [] };
  const stop = async (): Promise<void> => {
    await started.balancer?.close();
    await Promise.all(started.nodes.map((node) => node.stop()));
    await started.database?.stop();
  };

  try {
    const database = await startPostgres({
      binDir: options.binaries.postgresBinDir,
      dir: path.join(dataDir, 'postgres'),
      port: databasePort,
      password: databasePassword(dataDir),
    });
    started.database = database;
    const schemaVersions = await ensureTemporalSchemas(options.binaries.sqlTool, database);

    const layouts = Array.from({ length: nodeCount }, (_, i) => ({ name: `node${i + 1}`, ports: nodePorts(ports) }));
    const listen = options.listen ?? { host: '127.0.0.1', port: 0 };
    const balancer = await startTcpBalancer({ ...listen, backends: layouts.map((l) => `127.0.0.1:${l.ports.grpc.frontend}`) });
    started.balancer = balancer;

    // One at a time: the first node creates the cluster metadata that the others then read.
    for (const layout of layouts) {
      const node = await startTemporalNode({
        ...layout,
        serverBinary: options.binaries.server,
        dir: path.join(dataDir, layout.name),
        database,
        clusterAddress: balancer.address,
        dynamicConfigFile: options.binaries.dynamicConfigFile,
        logLevel: options.logLevel,
      });
      started.nodes.push(node);
    }
    await waitForMembers(database, started.nodes);
    const setup = await ensureClusterNamespace(balancer.address, {
      namespace,
      retention: options.retention ?? DEFAULT_RETENTION,
    });

    return {
      address: balancer.address,
      nodes: started.nodes,
      database,
      namespace,
      schemaVersions,
      setup,
      members: () => liveMembers(database),
      shardOwners: () => shardNodes(database, started.nodes),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
