/**
 * The Temporal server itself stops mid-run and comes back on the same SQLite file: the worker and
 * the client reconnect on their own and the video completes where it stopped.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { startDevServer, type DevServer } from '../../src/dev/dev-server';
import { freePort } from '../../src/dev/free-port';
import { temporalCliPath } from '../../src/dev/temporal-cli';
import { WORKFLOW_TYPE } from '../../src/shared/temporal-names';
import type { generateVideo } from '../../src/workflows';
import { statusQuery } from '../../src/workflows/video-messages';
import { activityRuns, repeatedWork } from '../helpers/activity-runs';
import { startChildWorker, type ChildWorker } from '../helpers/child-worker';
import { pollUntil } from '../helpers/poll';
import { shortVideoInput } from '../helpers/short-video';
import { uniqueName } from '../helpers/unique';

jest.setTimeout(240_000);

let dir: string;
let server: DevServer | undefined;
let worker: ChildWorker | undefined;
let connection: Connection | undefined;

afterAll(async () => {
  await worker?.kill();
  await connection?.close();
  await server?.stop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

test('a Temporal server restarted on its SQLite file mid-run keeps the run, and the video completes', async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-restart-'));
  const port = await freePort();
  const start = () => startDevServer({ cliPath: temporalCliPath(), dbFile: path.join(dir, 'temporal.db'), port });
  server = await start();
  connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const taskQueue = uniqueName('restart');
  const mediaRoot = path.join(dir, 'media');
  worker = await startChildWorker({ address: server.address, taskQueue, mediaRoot });

  const args = shortVideoInput();
  const handle = await client.workflow.start<typeof generateVideo>(WORKFLOW_TYPE, { taskQueue, workflowId: args.videoId, args: [args] });
  const before = await pollUntil(
    () => handle.query(statusQuery).catch(() => undefined),
    (s) => s?.stage === 'narrating' || s?.stage === 'generating_clips',
    120_000,
    100,
  );

  await server.stop();
  server = await start();

  // The client's connection comes back by itself; a call made while it reconnects may still fail.
  const outcome = await pollUntil(
    () =>
      handle.result().then(
        (state) => ({ state, error: undefined }),
        (error: unknown) => ({ state: undefined, error }),
      ),
    (o) => o.state !== undefined || o.error instanceof WorkflowFailedError,
    180_000,
    500,
  );
  expect(outcome.error).toBeUndefined();
  const state = outcome.state;
  expect(state?.status).toBe('completed');
  const runs = activityRuns(await handle.fetchHistory());
  expect(repeatedWork(runs)).toEqual([]);
  // The source and the script were done before the restart and were not redone after it.
  expect(runs.filter((r) => r.activityType === 'fetchSource' || r.activityType === 'writeScript')).toHaveLength(2);
  expect(state?.progress).toBeGreaterThan(before?.progress ?? 100);
});
