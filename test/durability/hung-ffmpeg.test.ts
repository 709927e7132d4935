/**
 * An ffmpeg that hangs without a word is noticed through the render's missing heartbeats and the
 * render is retried, instead of the video waiting forever. The worker is a separate process
 * whose PATH starts with a fake ffmpeg that hangs on its first scene normalisation only.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WORKFLOW_TYPE } from '../../src/shared/temporal-names';
import type { generateVideo } from '../../src/workflows';
import { activityRuns } from '../helpers/activity-runs';
import { startChildWorker, type ChildWorker } from '../helpers/child-worker';
import { shortVideoInput } from '../helpers/short-video';
import { startTestEnv } from '../helpers/temporal-test-env';
import { writeToolWrapper } from '../helpers/tool-wrapper';
import { uniqueName } from '../helpers/unique';

jest.setTimeout(240_000);

let env: TestWorkflowEnvironment;
let dir: string;
let worker: ChildWorker | undefined;

beforeAll(async () => {
  env = await startTestEnv();
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-hang-'));
});
afterAll(async () => {
  await worker?.kill();
  await env?.teardown();
  await fs.rm(dir, { recursive: true, force: true });
});

test('a render whose ffmpeg hangs without progress is retried after the heartbeat timeout and the video completes', async () => {
  const binDir = path.join(dir, 'bin');
  const marker = path.join(dir, 'ffmpeg-hung');
  // Only a scene normalisation loops its clip (-stream_loop); drawing clips and joining scenes run normally.
  await writeToolWrapper(
    binDir,
    'ffmpeg',
    `case " $* " in *" -stream_loop "*) if [ ! -e '${marker}' ]; then : > '${marker}'; exec sleep 3600; fi;; esac`,
  );
  const taskQueue = uniqueName('hang');
  // A second render slot: the hung attempt keeps its slot until the worker stops.
  worker = await startChildWorker({
    address: env.address,
    taskQueue,
    mediaRoot: path.join(dir, 'media'),
    binDir,
    env: { RENDER_CONCURRENCY: '2' },
  });

  const args = shortVideoInput();
  const handle = await env.client.workflow.start<typeof generateVideo>(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: args.videoId,
    args: [args],
  });
  const state = await handle.result();

  expect(state.status).toBe('completed');
  await expect(fs.stat(marker)).resolves.toBeTruthy();
  const render = activityRuns(await handle.fetchHistory()).filter((r) => r.activityType === 'renderVideo');
  expect(render).toHaveLength(1);
  expect(render[0]?.attempt).toBe(2);
  expect(render[0]?.lastFailure?.timeoutFailureInfo?.timeoutType).toBe(temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT);
});
