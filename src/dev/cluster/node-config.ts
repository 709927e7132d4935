/**
 * The configuration file of one Temporal server node of the local cluster, following the
 * server's own `config/development-postgres12.yaml` and the image's `config_template.yaml` (what
 * docker-compose.temporal.yml runs): PostgreSQL through the `postgres12` plugin for both the
 * default store and SQL visibility (so custom search attributes such as VideoStage work), every
 * service in the one process, each with its own gRPC and membership port. Nodes find each other
 * through the `cluster_membership` table of the shared database (ringpop needs no seed list), and
 * share `clusterMetadata` and `numHistoryShards`, which must never change once a cluster has data.
 * Written as JSON, which the server's YAML loader reads as it is.
 */
import { SQL_PLUGIN } from './temporal-schema';

/** History shards: fixed for a cluster's life; the same as NUM_HISTORY_SHARDS in docker-compose.temporal.yml. */
export const NUM_HISTORY_SHARDS = 4;

/** The services every node runs, each on a gRPC port and a membership (ringpop) port of its own. */
export const NODE_SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type NodeService = (typeof NODE_SERVICES)[number];

export interface NodePorts {
  grpc: Record<NodeService, number>;
  membership: Record<NodeService, number>;
  /** The frontend's HTTP API (the same calls as gRPC, as JSON). */
  frontendHttp: number;
}

export interface NodeConfigOptions {
  ports: NodePorts;
  database: { host: string; port: number; user: string; password: string };
  /** The address clients use for the whole cluster (the balancer's), recorded in the cluster metadata. */
  clusterAddress: string;
  /** The server's dynamic configuration file (config/temporal/dynamic-config.yaml, as in compose). */
  dynamicConfigFile: string;
  /** @default 'warn' */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
}

function datastore(database: string, options: NodeConfigOptions, maxConns: number) {
  const { host, port, user, password } = options.database;
  return {
    sql: {
      pluginName: SQL_PLUGIN,
      databaseName: database,
      connectAddr: `${host}:${port}`,
      connectProtocol: 'tcp',
      user,
      password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  };
}

/** The node's configuration as an object; `JSON.stringify` it into the file `server --config-file` reads. */
export function nodeConfig(options: NodeConfigOptions) {
  const { ports } = options;
  const rpc = (service: NodeService) => ({
    grpcPort: ports.grpc[service],
    membershipPort: ports.membership[service],
    bindOnLocalHost: true,
    ...(service === 'frontend' ? { httpPort: ports.frontendHttp } : {}),
  });
  return {
    log: { stdout: true, level: options.logLevel ?? 'warn' },
    persistence: {
      numHistoryShards: NUM_HISTORY_SHARDS,
      defaultStore: 'default',
      visibilityStore: 'visibility',
      datastores: {
        default: datastore('temporal', options, 20),
        visibility: datastore('temporal_visibility', options, 10),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      pprof: { port: 0 },
    },
    services: Object.fromEntries(NODE_SERVICES.map((service) => [service, { rpc: rpc(service) }])),
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: options.clusterAddress },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: options.dynamicConfigFile, pollInterval: '60s' },
  };
}
