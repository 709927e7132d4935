/**
 * A worker killed while Runway renders a clip must not make the next worker pay again: the task
 * id is in the history (the result of its submitClipStep activity), and the retried
 * awaitClipStep polls that task.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WORKFLOW_TYPE } from '../../src/shared/temporal-names';
import type { GenerateVideoInput, VideoState } from '../../src/shared/video';
import { startFakeGemini, type FakeGemini } from '../fakes/fake-gemini';
import { startFakeRunway, type FakeRunway } from '../fakes/fake-runway';
import { startChildWorker } from '../helpers/child-worker';
import { pollUntil } from '../helpers/poll';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';

let env: TestWorkflowEnvironment;
let gemini: FakeGemini;
let runway: FakeRunway;
let mediaRoot: string;

beforeAll(async () => {
  [env, gemini, runway] = await Promise.all([
    startTestEnv(),
    startFakeGemini({ apiKey: 'test-gemini-key' }),
    // Each clip stays RUNNING for ~40 polls (about 8 s at 200 ms), long enough to kill a worker mid-render.
    startFakeRunway({ apiKey: 'test-runway-key', pendingPolls: 1, throttledPolls: 1, runningPolls: 40 }),
  ]);
  mediaRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-crash-'));
});
afterAll(async () => {
  await Promise.all([env?.teardown(), gemini?.close(), runway?.close()]);
  await fs.rm(mediaRoot, { recursive: true, force: true });
});

test('killing the worker mid-render resumes every Runway task instead of submitting it again', async () => {
  const taskQueue = uniqueName('crash');
  const workerOptions = {
    address: env.address,
    taskQueue,
    mediaRoot,
    env: {
      SCRIPT_PROVIDER: 'gemini',
      NARRATION_PROVIDER: 'gemini',
      CLIP_PROVIDER: 'runway',
      GEMINI_API_KEY: 'test-gemini-key',
      GOOGLE_GEMINI_BASE_URL: gemini.url,
      RUNWAYML_API_SECRET: 'test-runway-key',
      RUNWAYML_BASE_URL: runway.url,
      RUNWAY_POLL_INTERVAL_MS: '200',
    },
  };
  const workers = [await startChildWorker(workerOptions)];
  try {
    const input: GenerateVideoInput = {
      videoId: uniqueName('video'),
      source: { type: 'text', title: 'Crash safety', text: 'Clips are paid once. A crash must not pay twice for the same scene.' },
      options: { review: false, reviewTimeoutSec: 60, maxScenes: 3, voice: 'Kore', sceneConcurrency: 3 },
    };
    const handle = await env.client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId: input.videoId, args: [input] });

    // Kill once two scenes' video tasks exist (each stays RUNNING for seconds) and every task
    // Runway has made is being awaited: no submission's answer is then in flight, so this test is
    // about resuming. An answer lost to the kill is the paid-work-faults suite's row.
    await pollUntil(
      async () => runway.tasks.map((t) => ({ kind: t.kind, polls: t.polls })),
      (tasks) => tasks.filter((t) => t.kind === 'video').length >= 2 && tasks.every((t) => t.polls > 0),
      60_000,
      50,
    );
    await workers[0]!.kill();
    workers.push(await startChildWorker(workerOptions));

    const state = (await handle.result()) as VideoState;
    expect(state.status).toBe('completed');
    const videoTasks = runway.tasks.filter((t) => t.kind === 'video');
    const prompts = new Set(videoTasks.map((t) => t.promptText));
    expect(videoTasks).toHaveLength(state.scenes.length);
    expect(prompts.size).toBe(state.scenes.length);
    // The history shows the retries that resumed rather than resubmitted.
    const history = await handle.fetchHistory();
    const retried = (history.events ?? []).filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 0) > 1);
    expect(retried.length).toBeGreaterThan(0);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
});
