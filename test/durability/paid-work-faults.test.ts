/**
 * The ordinary ways paid work gets interrupted, each driven through the real stack: worker
 * processes running src/worker.ts, the real Runway SDK against the fake Runway server, a real
 * Temporal dev server. The fake's own log is the witness: how many tasks were created, which were
 * deleted, what Runway would bill, against what the run reports as spent.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WorkflowFailedError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { type ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { FailureType } from '../../src/shared/failure-types';
import { WORKFLOW_TYPE } from '../../src/shared/temporal-names';
import type { GenerateVideoInput, VideoOptions, VideoState } from '../../src/shared/video';
import type { generateVideo } from '../../src/workflows';
import { approveUpdate, editScriptUpdate, finishedWorkQuery, scriptQuery, statusQuery } from '../../src/workflows/video-messages';
import { startFakeRunway, type FakeRunway, type FakeRunwayOptions, type FakeRunwayTask } from '../fakes/fake-runway';
import { startChildWorker, type ChildWorker } from '../helpers/child-worker';
import { pollUntil } from '../helpers/poll';
import { shortVideoInput } from '../helpers/short-video';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';

jest.setTimeout(240_000);

type Handle = WorkflowHandle<typeof generateVideo>;

/** Runway prices in the fake and in the adapter's defaults: 5 per image, 5 per second of video (5 s). */
const IMAGE_CREDITS = 5;
const VIDEO_CREDITS = 25;

let env: TestWorkflowEnvironment;
let scratch: string;
beforeAll(async () => {
  env = await startTestEnv();
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-paid-faults-'));
});
afterAll(async () => {
  await env?.teardown();
  await fs.rm(scratch, { recursive: true, force: true });
});

interface Stack {
  runway: FakeRunway;
  handle: Handle;
  input: GenerateVideoInput;
  mediaDir: string;
  workers: ChildWorker[];
  /** Starts one more worker process on the same queues. */
  addWorker(): Promise<ChildWorker>;
}

/** A fake Runway, one worker process with Runway clips (local script and narration), and a started video. */
async function startStack(
  options: { runway?: FakeRunwayOptions; video?: Partial<VideoOptions>; env?: Record<string, string> } = {},
): Promise<Stack> {
  const runway = await startFakeRunway({
    apiKey: 'test-runway-key',
    pendingPolls: 1,
    throttledPolls: 1,
    runningPolls: 25,
    ...options.runway,
  });
  const taskQueue = uniqueName('paid');
  const mediaRoot = path.join(scratch, taskQueue);
  const workers: ChildWorker[] = [];
  const addWorker = async () => {
    const worker = await startChildWorker({
      address: env.address,
      taskQueue,
      mediaRoot,
      env: {
        CLIP_PROVIDER: 'runway',
        RUNWAYML_API_SECRET: 'test-runway-key',
        RUNWAYML_BASE_URL: runway.url,
        RUNWAY_POLL_INTERVAL_MS: '200',
        RUNWAY_REQUEST_TIMEOUT_MS: '5000',
        WORKER_SHUTDOWN_GRACE_SEC: '1',
        ...options.env,
      },
    });
    workers.push(worker);
    return worker;
  };
  await addWorker();
  const input = shortVideoInput(options.video);
  const handle = await env.client.workflow.start<typeof generateVideo>(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: input.videoId,
    args: [input],
  });
  return { runway, handle, input, mediaDir: path.join(mediaRoot, input.videoId), workers, addWorker };
}

async function stopStack(stack: Stack | undefined): Promise<void> {
  if (!stack) return;
  await Promise.all(stack.workers.map((w) => w.stop()));
  await stack.runway.close();
}

const tasksOf = (runway: FakeRunway, kind: FakeRunwayTask['kind']) => runway.tasks.filter((t) => t.kind === kind);
const runningVideoTasks = (runway: FakeRunway) =>
  pollUntil(
    async () => tasksOf(runway, 'video').filter((t) => t.polls > 3).length,
    (n) => n >= 1,
    90_000,
  );

/** What every completed row must show in the fake's log. */
function expectPaidOnce(runway: FakeRunway, state: VideoState, extra: { image?: number; video?: number } = {}): void {
  expect(state.status).toBe('completed');
  const scenes = state.scenes.length;
  expect(tasksOf(runway, 'image')).toHaveLength(scenes + (extra.image ?? 0));
  expect(tasksOf(runway, 'video')).toHaveLength(scenes + (extra.video ?? 0));
  expect(runway.deletedTaskIds).toEqual([]);
  expect(runway.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
  expect(state.spend.credits).toBeGreaterThanOrEqual(runway.billedCredits());
}

test('a worker stopped with SIGTERM mid-clip exits by itself, and the next worker resumes every Runway task', async () => {
  let stack: Stack | undefined;
  try {
    stack = await startStack();
    await runningVideoTasks(stack.runway);
    const exit = await stack.workers[0]!.stop();
    expect(exit).toEqual({ code: 0, signal: null });
    await stack.addWorker();
    const state = await stack.handle.result();
    expectPaidOnce(stack.runway, state);
    expect(state.spend).toMatchObject({ credits: stack.runway.billedCredits(), billedCredits: stack.runway.billedCredits() });
  } finally {
    await stopStack(stack);
  }
});

test('a wait on Runway holds no activity slot: with one clips slot, the tasks of every scene are waited on at once', async () => {
  let stack: Stack | undefined;
  try {
    stack = await startStack({ runway: { taskDurationMs: { image: 300, video: 4000 } }, env: { CLIP_CONCURRENCY: '1' } });
    const state = await stack.handle.result();
    expectPaidOnce(stack.runway, state);
    // Each video task's wait, from its first poll to its last; waits in their slot would not overlap.
    const runway = stack.runway;
    const waits = tasksOf(runway, 'video').map((task) => {
      const polls = runway.requests.filter((r) => r.method === 'GET' && r.path.endsWith(task.id)).map((r) => r.at);
      return { from: Math.min(...polls), to: Math.max(...polls) };
    });
    const overlapping = Math.max(...waits.map((w) => waits.filter((o) => o.from <= w.from && w.from <= o.to).length));
    expect(state.scenes.length).toBeGreaterThan(1);
    expect(overlapping).toBe(state.scenes.length);
  } finally {
    await stopStack(stack);
  }
});

test('a worker frozen past the heartbeat timeout is replaced; the retry resumes its tasks and the thawed worker deletes nothing', async () => {
  let stack: Stack | undefined;
  try {
    stack = await startStack();
    await runningVideoTasks(stack.runway);
    const frozen = stack.workers[0]!;
    frozen.signal('SIGSTOP');
    await stack.addWorker();
    const state = await stack.handle.result();
    frozen.signal('SIGCONT');
    // The thawed worker learns its attempts timed out; give it time to do anything it would do.
    await new Promise((r) => setTimeout(r, 3_000));
    expectPaidOnce(stack.runway, state);
  } finally {
    await stopStack(stack);
  }
});

test('a Runway task that fails for a transient reason is submitted again, that step only, through Temporal', async () => {
  let stack: Stack | undefined;
  try {
    stack = await startStack({ runway: { runningPolls: 2 } });
    stack.runway.failNextTask('video', 'INTERNAL.BAD_OUTPUT.CODE01');
    const state = await stack.handle.result();
    // The image of the failed scene is kept; only its video is made again.
    expectPaidOnce(stack.runway, state, { video: 1 });
    expect(state.spend.unconfirmedCredits ?? 0).toBe(0);
  } finally {
    await stopStack(stack);
  }
});

test('a poll answered 503 or 429 is retried by Temporal on the same task: nothing submitted again, nothing deleted', async () => {
  let stack: Stack | undefined;
  try {
    stack = await startStack({ runway: { runningPolls: 2 } });
    stack.runway.failNextPoll(503);
    stack.runway.failNextPoll(429);
    const state = await stack.handle.result();
    expect(stack.runway.requests.filter((r) => r.method === 'GET' && (r.status === 503 || r.status === 429))).toHaveLength(2);
    expectPaidOnce(stack.runway, state);
  } finally {
    await stopStack(stack);
  }
});

test('a permanent Runway task failure ends the run at once, with no second submission', async () => {
  let stack: Stack | undefined;
  try {
    stack = await startStack({ runway: { runningPolls: 2 } });
    stack.runway.failNextTask('image', 'SAFETY.INPUT.TEXT');
    const err = await stack.handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(((err as WorkflowFailedError).cause as ApplicationFailure).type).toBe(FailureType.SafetyBlocked);
    const failed = stack.runway.tasks.filter((t) => t.failure);
    expect(failed).toHaveLength(1);
    expect(stack.runway.tasks.filter((t) => t.promptText === failed[0]!.promptText)).toHaveLength(1);
    expect(stack.runway.deletedTaskIds).toEqual([]);
  } finally {
    await stopStack(stack);
  }
});

test('a submission answered by a dropped connection after the task was created is made once more and counted as billed', async () => {
  let stack: Stack | undefined;
  try {
    stack = await startStack({ runway: { runningPolls: 2 } });
    stack.runway.failNextCreate({ status: 'drop' });
    const state = await stack.handle.result();
    expectPaidOnce(stack.runway, state, { image: 1 });
    expect(stack.runway.tasks.filter((t) => t.answerLost)).toHaveLength(1);
    expect(state.spend.unconfirmedCredits).toBe(IMAGE_CREDITS);
    // The orphan is billed by Runway and counted by the run: nothing billed goes unreported.
    expect(state.spend.credits).toBe(stack.runway.billedCredits());
  } finally {
    await stopStack(stack);
  }
});

test('a worker killed between Runway creating a task and the id being recorded costs at most one more submission, counted', async () => {
  let stack: Stack | undefined;
  let killed = false;
  try {
    stack = await startStack({
      // One scene at a time, so exactly one submission is in flight when the worker dies.
      video: { sceneConcurrency: 1 },
      runway: {
        runningPolls: 2,
        beforeAnswer: async (task) => {
          if (killed || task.kind !== 'video') return;
          killed = true;
          await stack!.workers[0]!.kill();
        },
      },
    });
    await pollUntil(
      async () => killed,
      (k) => k,
      90_000,
    );
    await stack.addWorker();
    const state = await stack.handle.result();
    expectPaidOnce(stack.runway, state, { video: 1 });
    expect(state.spend.unconfirmedCredits).toBe(VIDEO_CREDITS);
    expect(state.spend.credits).toBeGreaterThanOrEqual(stack.runway.billedCredits());
  } finally {
    await stopStack(stack);
  }
});

test('a budget counts the image step and refuses a clip before paying for any part of it', async () => {
  let stack: Stack | undefined;
  try {
    // Two whole clips (2 × 30) fit, a third does not.
    stack = await startStack({ runway: { runningPolls: 2 }, video: { maxCredits: 2 * (IMAGE_CREDITS + VIDEO_CREDITS) + 10 } });
    const err = await stack.handle.result().catch((e: unknown) => e);
    expect(((err as WorkflowFailedError).cause as ApplicationFailure).type).toBe(FailureType.BudgetExceeded);
    expect(stack.runway.billedCredits()).toBeLessThanOrEqual(2 * (IMAGE_CREDITS + VIDEO_CREDITS) + 10);
    expect(tasksOf(stack.runway, 'image').length).toBeLessThanOrEqual(2);
  } finally {
    await stopStack(stack);
  }
});

test('a cancel with clips queued stops every activity, deletes the open Runway tasks, creates none after, and keeps only finished files', async () => {
  let stack: Stack | undefined;
  try {
    // The wait learns of the cancel at its next heartbeat; the task runs 5 s, so beat every second.
    stack = await startStack({ video: { sceneConcurrency: 1 }, env: { CLIP_WAIT_HEARTBEAT_SEC: '1' } });
    await runningVideoTasks(stack.runway);
    const cancelledAt = Date.now();
    await stack.handle.cancel();
    const err = await stack.handle.result().catch((e: unknown) => e);
    expect((err as WorkflowFailedError).cause?.name).toBe('CancelledFailure');
    expect((await stack.handle.query(statusQuery)).status).toBe('cancelled');

    const open = stack.runway.tasks.filter((t) => t.kind === 'video');
    expect(stack.runway.deletedTaskIds).toEqual(open.map((t) => t.id));
    expect(stack.runway.tasks.every((t) => t.createdAtMs < cancelledAt)).toBe(true);
    // What finished is kept for a retry, and nothing half-written is left beside it.
    const finished = await stack.handle.query(finishedWorkQuery);
    const kept = finished.scenes.flatMap((s) => [s.narration?.audioFile, s.clipFile].filter((n): n is string => n !== undefined)).sort();
    const mediaFiles = () => fs.readdir(stack!.mediaDir).then((names) => names.sort());
    expect(await mediaFiles()).toEqual(kept);
    // Nothing is written afterwards either.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await mediaFiles()).toEqual(kept);
    expect(stack.runway.tasks.every((t) => t.createdAtMs < cancelledAt)).toBe(true);
  } finally {
    await stopStack(stack);
  }
});

test('once approved, the script is frozen: an edit is refused even before the stage moves on', async () => {
  let stack: Stack | undefined;
  try {
    stack = await startStack({ runway: { runningPolls: 2 }, video: { review: true } });
    const handle = stack.handle;
    await pollUntil(
      () => handle.query(statusQuery),
      (s) => s.stage === 'awaiting_review',
      60_000,
    );
    const script = await handle.query(scriptQuery);
    await handle.executeUpdate(approveUpdate);
    // The update answers after the workflow task that left review: the stage has already changed.
    expect((await handle.query(statusQuery)).stage).not.toBe('awaiting_review');
    const edit = await handle.executeUpdate(editScriptUpdate, { args: [{ ...script!, title: 'Too late' }] }).catch((e: unknown) => e);
    expect(edit).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((edit as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe(FailureType.NotAwaitingReview);
    const state = await handle.result();
    expect(state.title).toBe(script!.title);
    expectPaidOnce(stack.runway, state);
  } finally {
    await stopStack(stack);
  }
});
