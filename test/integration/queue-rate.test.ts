/**
 * A task-queue rate (`maxTaskQueueActivitiesPerSecond`, e.g. RUNWAY_RATE_PER_SEC) is enforced by
 * the Temporal server, which splits a queue into partitions (4 by default) and gives each an
 * equal share of the rate. Unless rate-limited queues stay on one partition, a configured rate of
 * 1/s is observed as four starts at once and then one start every 4 s. This test holds every
 * server the project starts (the tests' and `npm run temporal`'s) to the configured rate, shared
 * by two workers on their own connections, as two worker processes would share it, and checks
 * that the compose cluster's dynamic config names every queue the worker rate-limits.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sleep } from '@temporalio/activity';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadConfig } from '../../src/config';
import { startDevServer } from '../../src/dev/dev-server';
import { freePort } from '../../src/dev/free-port';
import { temporalCliPath } from '../../src/dev/temporal-cli';
import { activityTaskQueue, type ActivityQueue } from '../../src/shared/temporal-names';
import { queueLimits } from '../../src/worker';
import { pollUntil } from '../helpers/poll';
import type { RateProbeActivities, rateProbe } from '../helpers/rate-probe-workflow';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';

const RATE_PER_SEC = 1;
const STARTS = 6;
const INTERVAL_MS = 1000 / RATE_PER_SEC;
/** Time the starts need at the configured rate: the first is free, each later one waits 1/rate. */
const EXPECTED_SPAN_MS = (STARTS - 1) * INTERVAL_MS;
/**
 * Each activity holds its worker's only slot a little longer than one interval, so the next
 * start must go to the other worker: both take part, and the rate is the queue's, not a worker's.
 */
const ACTIVITY_MS = 1.2 * INTERVAL_MS;

interface RunningServer {
  address: string;
  stop(): Promise<void>;
}

const servers: [string, () => Promise<RunningServer>][] = [
  [
    'the test server (startTestEnv)',
    async () => {
      const env = await startTestEnv();
      return { address: env.address, stop: () => env.teardown() };
    },
  ],
  [
    'the dev server of `npm run temporal` and the demo (startDevServer)',
    async () => {
      const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-rate-'));
      const server = await startDevServer({ cliPath: temporalCliPath(), dbFile: path.join(dir, 'temporal.db'), port: await freePort() });
      return {
        address: server.address,
        async stop() {
          await server.stop();
          await fs.rm(dir, { recursive: true, force: true });
        },
      };
    },
  ],
];

let bundle: WorkflowBundleWithSourceMap;
beforeAll(async () => {
  bundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../helpers/rate-probe-workflow'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
});

describe.each(servers)('on %s', (_name, startServer) => {
  let server: RunningServer | undefined;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    // Latest first: workers stop before their connections close, and all before the server.
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await server?.stop();
  });

  /** Starts a worker on its own connection, as a separate worker process would have. */
  async function startWorker(options: Omit<WorkerOptions, 'connection'>): Promise<void> {
    const connection = await NativeConnection.connect({ address: server!.address });
    cleanups.push(() => connection.close());
    const worker = await Worker.create({ ...options, connection, shutdownGraceTime: '1s' });
    const running = worker.run();
    cleanups.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
  }

  test(`${STARTS} activity starts at ${RATE_PER_SEC}/s across two workers take (N - 1) / rate seconds, not 4 times that`, async () => {
    const taskQueue = uniqueName('rate');
    const limitedQueue = `${taskQueue}-limited`;
    const starts: { at: number; worker: string }[] = [];
    const activities = (worker: string): RateProbeActivities => ({
      async recordStart() {
        starts.push({ at: Date.now(), worker });
        await sleep(ACTIVITY_MS);
      },
    });

    await startWorker({ taskQueue, workflowBundle: bundle });
    for (const worker of ['first', 'second']) {
      await startWorker({
        taskQueue: limitedQueue,
        activities: activities(worker),
        maxTaskQueueActivitiesPerSecond: RATE_PER_SEC,
        maxConcurrentActivityTaskExecutions: 1,
      });
    }

    const connection = await Connection.connect({ address: server!.address });
    cleanups.push(() => connection.close());
    const handle = await new Client({ connection }).workflow.start<typeof rateProbe>('rateProbe', {
      taskQueue,
      workflowId: uniqueName('rate-probe'),
      args: [limitedQueue, STARTS],
      workflowExecutionTimeout: '1 minute',
    });

    // Four partitions would need up to four times the expected span; wait long enough to see it.
    await pollUntil(
      async () => starts.length,
      (count) => count === STARTS,
      5 * EXPECTED_SPAN_MS,
    );
    await handle.result();

    const times = starts.map((s) => s.at).sort((a, b) => a - b);
    const spanMs = times[times.length - 1]! - times[0]!;
    const longestGapMs = Math.max(...times.slice(1).map((t, i) => t - times[i]!));
    const perWorker = ['first', 'second'].map((w) => starts.filter((s) => s.worker === w).length);
    expect(perWorker).not.toContain(0);
    expect(spanMs).toBeGreaterThanOrEqual(0.8 * EXPECTED_SPAN_MS);
    expect(spanMs).toBeLessThanOrEqual(1.6 * EXPECTED_SPAN_MS);
    // Four partitions start up to four at once, then pause for four intervals; one partition
    // starts one per interval, and a gap a few milliseconds over two intervals is scheduling
    // jitter on a loaded machine, still well short of the four-interval pause.
    expect(longestGapMs).toBeLessThan(3 * INTERVAL_MS);
  });
});

test('the compose cluster keeps every queue that the worker rate-limits on one partition', async () => {
  const config = loadConfig({});
  const rateLimited = Object.keys(queueLimits(config).ratePerSec).map((queue) =>
    activityTaskQueue(config.temporal.taskQueue, queue as ActivityQueue),
  );
  const file = await fs.readFile(path.resolve(__dirname, '../../config/temporal/dynamic-config.yaml'), 'utf8');
  // The file keeps one shape: one write partition per named queue, and the read partitions as an
  // alias of that list, so both settings always name the same queues.
  const named = [...file.matchAll(/^ {2}- value: 1\n {4}constraints: \{ taskQueueName: (\S+) \}$/gm)].map((m) => m[1]);
  expect(named.sort()).toEqual(rateLimited.sort());
  expect(file).toMatch(/^matching\.numTaskqueueWritePartitions: &(\S+)\n[\s\S]*^matching\.numTaskqueueReadPartitions: \*\1$/m);
});
