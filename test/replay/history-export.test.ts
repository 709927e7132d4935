/**
 * `npm run history:export` writes what `temporal workflow show --output json` prints (machine
 * paths aside), for failed and cancelled runs too, and what it writes replays.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { machinePaths } from '../../scripts/history-export';
import { temporalCliPath } from '../../src/dev/temporal-cli';
import { WORKFLOW_TYPE } from '../../src/shared/temporal-names';
import type { generateVideo } from '../../src/workflows';
import { statusQuery } from '../../src/workflows/video-messages';
import { WaitingNarrator } from '../helpers/flaky-narrator';
import { pollUntil } from '../helpers/poll';
import { shortVideoInput } from '../helpers/short-video';
import { startTestEnv } from '../helpers/temporal-test-env';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';
import { workflowBundle } from '../helpers/workflow-bundle';

const run = promisify(execFile);
const PROJECT_ROOT = path.resolve(__dirname, '../..');

let env: TestWorkflowEnvironment;
let stack: VideoStack;
let outDir: string;

beforeAll(async () => {
  env = await startTestEnv();
  stack = await startVideoStack(env, { deps: () => ({ narrator: new WaitingNarrator() }) });
  outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-export-'));
});
afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
  await fs.rm(outDir, { recursive: true, force: true });
});

async function exportWithScript(videoId: string, name: string): Promise<string> {
  await run(process.execPath, ['--import', 'tsx', 'scripts/history-export.ts', videoId, name, '--out', outDir], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, TEMPORAL_ADDRESS: env.address },
  });
  return fs.readFile(path.join(outDir, `${name}.json`), 'utf8');
}

async function cliShow(videoId: string): Promise<string> {
  const { stdout } = await run(
    temporalCliPath(),
    ['workflow', 'show', '--workflow-id', videoId, '--output', 'json', '--address', env.address],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return stdout;
}

async function expectLikeCliAndReplayable(videoId: string, name: string): Promise<void> {
  const exported = await exportWithScript(videoId, name);
  expect(exported).not.toContain(PROJECT_ROOT);
  const cli = machinePaths().reduce((text, [prefix, label]) => text.split(prefix).join(label), await cliShow(videoId));
  expect(exported).toBe(cli);
  await expect(
    Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, historyFromJSON(JSON.parse(exported)), videoId),
  ).resolves.toBeUndefined();
}

test('the history of a failed run is exported as the CLI shows it, and replays', async () => {
  const args = { ...shortVideoInput(), source: { type: 'text' as const, title: 'Empty', text: '  ' } };
  const handle = await env.client.workflow.start<typeof generateVideo>(WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue,
    workflowId: args.videoId,
    args: [args],
  });
  await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  await expectLikeCliAndReplayable(args.videoId, 'failed-run');
});

test('the history of a cancelled run is exported as the CLI shows it, and replays', async () => {
  const args = shortVideoInput();
  const handle = await env.client.workflow.start<typeof generateVideo>(WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue,
    workflowId: args.videoId,
    args: [args],
  });
  await pollUntil(
    () => handle.query(statusQuery),
    (s) => s.stage === 'narrating',
  );
  await handle.cancel();
  await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
  await expectLikeCliAndReplayable(args.videoId, 'cancelled-run');
});

test('an export without a video id fails with the usage line', async () => {
  const failure = await run(process.execPath, ['--import', 'tsx', 'scripts/history-export.ts'], { cwd: PROJECT_ROOT }).catch(
    (e: unknown) => e,
  );
  expect(failure).toEqual(
    expect.objectContaining({ code: 1, stderr: expect.stringContaining('Usage: npm run history:export -- <videoId>') }),
  );
});
