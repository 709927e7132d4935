/**
 * `npm run cluster` as an operator runs it: it prints both nodes' frontends and the one address
 * to use, serves the namespace with the project's search attributes, stops on SIGTERM with one
 * final line and exit code 0, and leaves no process behind. A second start on the same data
 * creates nothing again.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { freePort } from '../../src/dev/free-port';
import { SEARCH_ATTRIBUTES } from '../../src/shared/temporal-names';
import { processesLeft, startCommand, type CommandProcess } from '../helpers/command-process';
import { uniqueName } from '../helpers/unique';

jest.setTimeout(180_000);

let dir: string;
const started: CommandProcess[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reelflow-cluster-command-'));
  // PostgreSQL may run as its own system user, which must pass through this folder.
  fs.chmodSync(dir, 0o711);
});

afterAll(() => {
  for (const run of started) run.killAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function runCluster(port: number) {
  const marker = uniqueName('cluster-command');
  const env = {
    ...process.env,
    TEMPORAL_DEV_DATA_DIR: path.join(dir, 'data'),
    TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
    TEMPORAL_NAMESPACE: 'reelflow-cluster',
    TEMPORAL_RETENTION: '48h',
  };
  const run = startCommand(process.execPath, ['--import', 'tsx', 'scripts/cluster.ts'], env, marker);
  started.push(run);
  await run.waitForOutput(/Ctrl-C stops it/, 120_000);
  return { run, marker };
}

async function stopCluster({ run, marker }: { run: CommandProcess; marker: string }) {
  process.kill(run.pid, 'SIGTERM');
  const exit = await run.exited;
  expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
  expect(run.stdout().trim().split('\n').at(-1)).toBe('Temporal cluster stopped (nodes, then PostgreSQL)');
  expect(processesLeft(run.pid, marker)).toEqual([]);
}

test('prints the frontends and the address to use, serves the namespace, and stops cleanly; a restart keeps it', async () => {
  const port = await freePort();
  const first = await runCluster(port);
  const out = first.run.stdout();
  expect(out).toMatch(/node1 frontend 127\.0\.0\.1:\d+/);
  expect(out).toMatch(/node2 frontend 127\.0\.0\.1:\d+/);
  expect(out).toContain(`TEMPORAL_ADDRESS=127.0.0.1:${port}`);
  expect(out).toContain('Namespace reelflow-cluster created (retention 48h)');

  const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
  try {
    const described = await connection.workflowService.describeNamespace({ namespace: 'reelflow-cluster' });
    expect(Number(described.config?.workflowExecutionRetentionTtl?.seconds)).toBe(48 * 3600);
    const listed = await connection.operatorService.listSearchAttributes({ namespace: 'reelflow-cluster' });
    expect(Object.keys(listed.customAttributes ?? {}).sort()).toEqual(SEARCH_ATTRIBUTES.map((a) => a.name).sort());
  } finally {
    await connection.close();
  }
  await stopCluster(first);

  const second = await runCluster(port);
  expect(second.run.stdout()).toMatch(/Namespace reelflow-cluster, search attributes/);
  await stopCluster(second);
});
