/**
 * What the cluster's own tables say about it. Nodes heartbeat into `cluster_membership` (every
 * 10–15 s; a row older than 20 s is a dead member to the server too) and find each other there,
 * and the history service that holds a shard writes its address into the shard's row in `shards`
 * when it takes the shard. Read together they answer "is every node in the ring?" and "who serves
 * each shard now?", which is how a start knows the cluster is whole and a failover is over.
 */
import { Reader } from 'protobufjs/minimal';
import { NUM_HISTORY_SHARDS, type NodeService } from './node-config';
import type { PostgresServer } from './postgres-server';
import type { TemporalNode } from './temporal-node';

/** `role` in `cluster_membership` (the server's persistence.ServiceType). */
const ROLES: Record<string, NodeService> = { '1': 'frontend', '2': 'history', '3': 'matching', '4': 'worker' };
/** The server's own cut-off (ringpop monitor: healthyHostLastHeartbeatCutoff). */
const LIVE_HEARTBEAT_SEC = 20;
const MEMBERS_TIMEOUT_MS = 60_000;

export interface ClusterMember {
  service: NodeService;
  /** The member's ringpop address, `host:membershipPort`. */
  address: string;
}

/** Members that heartbeated within the last 20 s. Timestamps are written in UTC. */
export async function liveMembers(db: PostgresServer): Promise<ClusterMember[]> {
  const rows = await db.query(
    'temporal',
    `SELECT role, rpc_address, rpc_port FROM cluster_membership
      WHERE last_heartbeat > (now() AT TIME ZONE 'UTC') - interval '${LIVE_HEARTBEAT_SEC} seconds'`,
  );
  return rows.flatMap(([role, host, port]) => {
    const service = ROLES[role ?? ''];
    return service ? [{ service, address: `${host}:${port}` }] : [];
  });
}

/** The `owner` field (3) of a persisted ShardInfo: `<history host:port>-<n>-<uuid>`. */
function ownerOf(hex: string): string | undefined {
  const reader = Reader.create(Buffer.from(hex, 'hex'));
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 3 && (tag & 7) === 2) return reader.string();
    reader.skipType(tag & 7);
  }
  return undefined;
}

/** Each shard's owner as the history service's `host:grpcPort`, by shard id (1-based). */
export async function shardOwners(db: PostgresServer): Promise<Map<number, string>> {
  const rows = await db.query('temporal', `SELECT shard_id, encode(data, 'hex') FROM shards WHERE data_encoding = 'Proto3'`);
  const owners = new Map<number, string>();
  for (const [shard, hex] of rows) {
    const owner = ownerOf(hex ?? '')?.match(/^(.+:\d+)-/)?.[1];
    if (owner) owners.set(Number(shard), owner);
  }
  return owners;
}

/** The name of the node whose history service owns each shard, or the raw owner when no node has it. */
export async function shardNodes(db: PostgresServer, nodes: readonly TemporalNode[]): Promise<Map<number, string>> {
  const byAddress = new Map(nodes.map((n) => [`127.0.0.1:${n.ports.grpc.history}`, n.name]));
  const owners = await shardOwners(db);
  return new Map([...owners].map(([shard, owner]) => [shard, byAddress.get(owner) ?? owner]));
}

/**
 * Resolves once every service of every node in `nodes` is a live member and every history shard
 * is held by one of them (so no shard still waits on a member of an earlier run).
 */
export async function waitForMembers(db: PostgresServer, nodes: readonly TemporalNode[], timeoutMs = MEMBERS_TIMEOUT_MS): Promise<void> {
  const wanted = nodes.flatMap((node) =>
    (Object.entries(node.ports.membership) as [NodeService, number][]).map(([service, port]) => `${service}@127.0.0.1:${port}`),
  );
  const histories = new Set(nodes.map((n) => `127.0.0.1:${n.ports.grpc.history}`));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const live = new Set((await liveMembers(db)).map((m) => `${m.service}@${m.address}`));
    const missing = wanted.filter((member) => !live.has(member));
    const owners = await shardOwners(db);
    const unserved = Array.from({ length: NUM_HISTORY_SHARDS }, (_, i) => i + 1).filter((s) => !histories.has(owners.get(s) ?? ''));
    if (missing.length === 0 && unserved.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `The cluster did not form within ${timeoutMs} ms: ` +
          `members missing ${missing.join(', ') || 'none'}; shards not held by a live node ${unserved.join(', ') || 'none'}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
