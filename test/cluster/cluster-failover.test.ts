/**
 * The real cluster `npm run cluster` starts (PostgreSQL, two Temporal server nodes, the balancer)
 * with the worker and the API as separate processes on it, as operators run them. The node that
 * holds the video's history shard is killed (SIGKILL) mid-run: the other node takes the shard,
 * the video completes, the API answers status and lists through the surviving node, and SQL
 * visibility filters on the VideoStage search attribute.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { clusterBinaries } from '../../src/dev/cluster/cluster-binaries';
import { NUM_HISTORY_SHARDS } from '../../src/dev/cluster/node-config';
import { startTemporalCluster, type TemporalCluster } from '../../src/dev/cluster/temporal-cluster';
import { freePort } from '../../src/dev/free-port';
import { startChildWorker, type ChildWorker } from '../helpers/child-worker';
import { startCommand, type CommandProcess } from '../helpers/command-process';
import { pollUntil } from '../helpers/poll';
import { uniqueName } from '../helpers/unique';

jest.setTimeout(240_000);

const FINISHED = ['completed', 'failed', 'cancelled'];

interface VideoBody {
  id: string;
  status: string;
  stage: string;
  progress: number;
}

let dir: string | undefined;
let cluster: TemporalCluster | undefined;
let worker: ChildWorker | undefined;
let api: CommandProcess | undefined;
let connection: Connection | undefined;

afterAll(async () => {
  await worker?.kill();
  api?.killAll();
  await api?.exited;
  await connection?.close();
  await cluster?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T };
}

test('a node killed mid-run: the other takes its shards, the video completes, and the API and VideoStage lists are served', async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reelflow-cluster-'));
  // PostgreSQL may run as its own system user, which must pass through this folder.
  fs.chmodSync(dir, 0o711);
  const startedAt = Date.now();
  cluster = await startTemporalCluster({ binaries: clusterBinaries(), dataDir: path.join(dir, 'cluster'), logLevel: 'info' });
  const startMs = Date.now() - startedAt;
  expect(cluster.nodes.map((n) => n.name)).toEqual(['node1', 'node2']);
  // Every service of both nodes is in the ring.
  const members = await cluster.members();
  for (const service of ['frontend', 'history', 'matching', 'worker']) {
    expect([service, members.filter((m) => m.service === service).length]).toEqual([service, 2]);
  }

  const taskQueue = uniqueName('cluster');
  const mediaRoot = path.join(dir, 'media');
  worker = await startChildWorker({ address: cluster.address, taskQueue, mediaRoot });
  const port = await freePort();
  const marker = uniqueName('cluster-api');
  api = startCommand(
    process.execPath,
    ['--import', 'tsx', 'src/api/main.ts'],
    {
      ...process.env,
      TEMPORAL_ADDRESS: cluster.address,
      TASK_QUEUE: taskQueue,
      MEDIA_ROOT: mediaRoot,
      HOST: '127.0.0.1',
      PORT: String(port),
      READ_RATE_LIMIT: '1000000',
      LOG_LEVEL: 'info',
    },
    marker,
  );
  await api.waitForOutput(/api listening/, 90_000);
  const apiUrl = `http://127.0.0.1:${port}`;

  const created = await fetch(`${apiUrl}/api/videos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      source: { type: 'text', title: 'How bees find flowers', text: 'Bees dance to tell others.\n\nThe angle points at the food.' },
      options: { maxScenes: 3, voice: 'en-us' },
    }),
  });
  expect(created.status).toBe(202);
  const { id } = (await created.json()) as VideoBody;
  const before = await pollUntil(
    () => getJson<VideoBody>(`${apiUrl}/api/videos/${id}`),
    (r) => r.body.stage === 'narrating' || r.body.stage === 'generating_clips' || FINISHED.includes(r.body.status),
    120_000,
    100,
  );
  expect(before.body.status).toBe('running');

  // The node whose history service holds the video's shard is the one that dies.
  const [[shardText] = []] = await cluster.database.query('temporal', `SELECT shard_id FROM executions WHERE workflow_id = '${id}'`);
  const shard = Number(shardText);
  const owner = (await cluster.shardOwners()).get(shard);
  const victim = cluster.nodes.find((n) => n.name === owner);
  const survivor = cluster.nodes.find((n) => n.name !== owner);
  if (!victim || !survivor) throw new Error(`shard ${shard} of ${id} is held by ${owner}, not by a node of this cluster`);
  const killedAt = Date.now();
  const exit = await victim.kill();
  expect(exit.signal).toBe('SIGKILL');

  const takenOver = await pollUntil(
    () => cluster!.shardOwners(),
    (o) => o.get(shard) === survivor.name,
    120_000,
    100,
  );
  const failoverMs = Date.now() - killedAt;
  expect(takenOver.get(shard)).toBe(survivor.name);

  const done = await pollUntil(
    () => getJson<VideoBody>(`${apiUrl}/api/videos/${id}`).catch(() => undefined),
    (r) => r !== undefined && FINISHED.includes(r.body.status),
    150_000,
    250,
  );
  const completeMs = Date.now() - killedAt;
  expect([done?.status, done?.body.status, done?.body.stage]).toEqual([200, 'completed', 'done']);
  expect(done?.body.progress).toBe(100);

  // Lists through the API: SQL visibility, filtered on the VideoStage search attribute.
  const listed = await pollUntil(
    () => getJson<{ items: { id: string; stage: string }[] }>(`${apiUrl}/api/videos?stage=done`),
    (r) => r.body.items.some((item) => item.id === id),
    30_000,
  );
  expect(listed.status).toBe(200);
  expect(listed.body.items.find((item) => item.id === id)?.stage).toBe('done');
  const running = await getJson<{ items: { id: string }[] }>(`${apiUrl}/api/videos?stage=rendering`);
  expect(running.body.items.map((item) => item.id)).not.toContain(id);

  // The same filter straight against visibility, through the one node left.
  connection = await Connection.connect({ address: survivor.address });
  const client = new Client({ connection, namespace: cluster.namespace });
  const count = async (stage: string) => (await client.workflow.count(`WorkflowId = '${id}' AND VideoStage = '${stage}'`)).count;
  expect([await count('done'), await count('narrating')]).toEqual([1, 0]);

  // Every shard, not only the video's, is now served by the survivor.
  const owners = await pollUntil(
    () => cluster!.shardOwners(),
    (o) => o.size === NUM_HISTORY_SHARDS && [...o.values()].every((n) => n === survivor.name),
    90_000,
    250,
  );
  expect([...owners.values()]).toEqual(Array(NUM_HISTORY_SHARDS).fill(survivor.name));

  process.stdout.write(
    `cluster failover: start ${startMs} ms, ${victim.name} (shard ${shard}) killed at stage ${before.body.stage}, ` +
      `shard taken by ${survivor.name} after ${failoverMs} ms, video completed ${completeMs} ms after the kill\n`,
  );
});
