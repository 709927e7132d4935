/**
 * The worker's liveness file, which the compose health check reads: present and kept fresh while
 * the worker process runs, stale once the process freezes, gone once it stops.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { HEALTH_FILE_INTERVAL_MS } from '../../src/worker-runtime/health-file';
import { startChildWorker, type ChildWorker } from '../helpers/child-worker';
import { pollUntil } from '../helpers/poll';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';

jest.setTimeout(120_000);

let env: TestWorkflowEnvironment;
let dir: string;
beforeAll(async () => {
  env = await startTestEnv();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-health-'));
});
afterAll(async () => {
  await env?.teardown();
  await fs.rm(dir, { recursive: true, force: true });
});

const mtime = async (file: string) => (await fs.stat(file)).mtimeMs;

test('the health file is touched while the worker runs, goes stale when it freezes, and is removed when it stops', async () => {
  const file = path.join(dir, 'worker.health');
  let worker: ChildWorker | undefined;
  try {
    worker = await startChildWorker({
      address: env.address,
      taskQueue: uniqueName('health'),
      mediaRoot: path.join(dir, 'media'),
      env: { WORKER_HEALTH_FILE: file },
    });
    const first = await pollUntil(
      () => mtime(file).catch(() => 0),
      (t) => t > 0,
      10_000,
    );
    await pollUntil(
      () => mtime(file),
      (t) => t > first,
      3 * HEALTH_FILE_INTERVAL_MS,
    );

    worker.signal('SIGSTOP');
    const frozenAt = await mtime(file);
    await new Promise((r) => setTimeout(r, 2 * HEALTH_FILE_INTERVAL_MS));
    expect(await mtime(file)).toBe(frozenAt);
    worker.signal('SIGCONT');

    expect(await worker.stop()).toEqual({ code: 0, signal: null });
    await expect(fs.stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  } finally {
    await worker?.kill();
  }
});
