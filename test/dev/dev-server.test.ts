import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer, type DevServer } from '../../src/dev/dev-server';
import { freePort } from '../../src/dev/free-port';
import { temporalCliPath } from '../../src/dev/temporal-cli';

const cliPath = temporalCliPath();
let dir: string;
const running = new Set<DevServer>();

async function start(dbFile: string, port: number, namespace?: string): Promise<DevServer> {
  const server = await startDevServer({ cliPath, dbFile, port, namespace });
  running.add(server);
  return server;
}

async function withClient<T>(server: DevServer, namespace: string, use: (c: Client) => Promise<T>) {
  const connection = await Connection.connect({ address: server.address });
  try {
    return await use(new Client({ connection, namespace }));
  } finally {
    await connection.close();
  }
}

/** Workflow ids the way an operator sees them: `temporal workflow list`. */
function listedWorkflowIds(server: DevServer, namespace: string): string[] {
  const args = ['workflow', 'list', '--address', server.address, '--namespace', namespace];
  const out = execFileSync(cliPath, [...args, '--output', 'json'], { encoding: 'utf8' });
  const rows = JSON.parse(out || '[]') as Array<{ execution: { workflowId: string } }>;
  return rows.map((row) => row.execution.workflowId);
}

async function eventually<T>(read: () => T | Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Starts a run of a type no worker serves, on a queue nobody polls: it just waits there. */
async function startIdleRun(server: DevServer, namespace: string): Promise<string> {
  const workflowId = `dev-server-test-${randomUUID()}`;
  await withClient(server, namespace, (client) =>
    client.workflow.start('neverServed', { taskQueue: `unused-${randomUUID()}`, workflowId }),
  );
  return workflowId;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reelflow-dev-server-'));
});

afterEach(async () => {
  await Promise.all([...running].map((server) => server.stop()));
  running.clear();
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('registers the VideoStage search attribute in the requested namespace', async () => {
  const namespace = `ns-${randomUUID().slice(0, 8)}`;
  const server = await start(path.join(dir, `${randomUUID()}.db`), await freePort(), namespace);

  const connection = await Connection.connect({ address: server.address });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    expect(customAttributes).toHaveProperty('VideoStage');
  } finally {
    await connection.close();
  }
});

test('keeps a run started before a clean restart on the same db file', async () => {
  const dbFile = path.join(dir, `${randomUUID()}.db`);
  const port = await freePort();
  const first = await start(dbFile, port);
  const workflowId = await startIdleRun(first, 'default');
  await first.stop();
  running.delete(first);
  expect(first.process.exitCode ?? first.process.signalCode).not.toBeNull();

  const second = await start(dbFile, port);
  const ids = await eventually(
    () => listedWorkflowIds(second, 'default'),
    (list) => list.includes(workflowId),
  );
  expect(ids).toContain(workflowId);
  await withClient(second, 'default', (client) => client.workflow.getHandle(workflowId).terminate());
});

test('keeps a run across a crash (kill) of the server', async () => {
  const dbFile = path.join(dir, `${randomUUID()}.db`);
  const first = await start(dbFile, await freePort());
  const workflowId = await startIdleRun(first, 'default');
  await first.kill();
  running.delete(first);
  expect(first.process.signalCode).toBe('SIGKILL');

  const second = await start(dbFile, await freePort());
  const status = await withClient(second, 'default', async (client) => {
    const handle = client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    await handle.terminate();
    return description.status.name;
  });
  expect(status).toBe('RUNNING');
});

test('rejects with the server output when the port is taken', async () => {
  // Hangs up on every connection, so that only the bound port matters.
  const blocker = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const { port } = blocker.address() as net.AddressInfo;
  try {
    await expect(startDevServer({ cliPath, dbFile: path.join(dir, `${randomUUID()}.db`), port })).rejects.toThrow(/address already in use/);
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
});
