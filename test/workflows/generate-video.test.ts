import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { type ApplicationFailure } from '@temporalio/common';
import fs from 'node:fs/promises';
import { probeMedia } from '../../src/media/probe';
import { VIDEO_STAGE_KEY, WORKFLOW_TYPE } from '../../src/shared/temporal-names';
import type { GenerateVideoInput, VideoState } from '../../src/shared/video';
import { statusQuery } from '../../src/workflows/video-messages';
import { analyse } from '../media/media-test-helpers';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';

let env: TestWorkflowEnvironment;
let stack: VideoStack;

beforeAll(async () => {
  env = await startTestEnv();
  stack = await startVideoStack(env);
});
afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

function input(overrides: Partial<GenerateVideoInput> = {}): GenerateVideoInput {
  return {
    videoId: uniqueName('video'),
    source: {
      type: 'text',
      title: 'Sleep and memory',
      text: 'Sleep helps the brain keep what it learned during the day. Deep sleep replays new memories.\n\nPeople who slept after learning remembered more words the next morning than people who stayed awake.',
    },
    options: { review: false, reviewTimeoutSec: 60, maxScenes: 4, voice: 'Kore', sceneConcurrency: 2 },
    ...overrides,
  };
}

test('a text source becomes a completed video with audible narration, moving pictures and matching script and subtitles', async () => {
  const args = input();
  const handle = await env.client.workflow.start(WORKFLOW_TYPE, { taskQueue: stack.taskQueue, workflowId: args.videoId, args: [args] });
  const state = (await handle.result()) as VideoState;

  expect(state.status).toBe('completed');
  expect(state.stage).toBe('done');
  expect(state.progress).toBe(100);
  expect(state.scenes.length).toBeGreaterThanOrEqual(2);
  expect(state.scenes.every((s) => s.narration === 'done' && s.clip === 'done')).toBe(true);

  const info = await probeMedia(stack.store.path(args.videoId, 'video.mp4'));
  const expected = state.scenes.reduce((sum, s) => sum + (s.durationSec ?? 0) + 0.3, 0);
  expect(info.durationSec).toBeCloseTo(expected, 0);
  expect(info.video?.codec).toBe('h264');
  expect(info.audio?.codec).toBe('aac');
  expect(state.result?.bytes).toBe(info.sizeBytes);
  // Nominal length against the file's: each scene is whole frames of 1/30 s (up to a frame off),
  // and the audio encoder's priming and padding add a few tens of milliseconds.
  const frameSlack = state.scenes.length / 30 + 0.05;
  expect(Math.abs(state.result!.durationSec - info.durationSec)).toBeLessThanOrEqual(frameSlack);

  // Audible narration, pictures that keep changing, and companions that agree with the MP4.
  const videoPath = stack.store.path(args.videoId, 'video.mp4');
  const volume = await analyse(videoPath, '-af', 'volumedetect');
  expect(Number(/mean_volume: (-?[\d.]+) dB/.exec(volume)?.[1])).toBeGreaterThan(-50);
  expect(await analyse(videoPath, '-vf', 'freezedetect=n=0.0001:d=1.5')).not.toContain('freeze_start');
  const script = JSON.parse(await fs.readFile(stack.store.path(args.videoId, 'script.json'), 'utf8')) as {
    scenes: { index: number; title: string; startSec: number; durationSec: number }[];
  };
  expect(script.scenes.map((s) => s.title)).toEqual(state.scenes.map((s) => s.title));
  const last = script.scenes[script.scenes.length - 1]!;
  expect(Math.abs(last.startSec + last.durationSec - info.durationSec)).toBeLessThanOrEqual(frameSlack);
  const srt = await fs.readFile(stack.store.path(args.videoId, 'subtitles.srt'), 'utf8');
  const ends = [...srt.matchAll(/--> (\d\d):(\d\d):(\d\d),(\d\d\d)/g)].map(
    ([, h, m, sec, ms]) => +h! * 3600 + +m! * 60 + +sec! + +ms! / 1000,
  );
  expect(ends.length).toBeGreaterThanOrEqual(state.scenes.length);
  expect(Math.max(...ends)).toBeLessThanOrEqual(info.durationSec);
  expect(Math.max(...ends)).toBeGreaterThan(info.durationSec - 1.5);

  const described = await handle.describe();
  expect(described.typedSearchAttributes.get(VIDEO_STAGE_KEY)).toBe('done');
});

test('the status query reports progress that never goes down while the video renders', async () => {
  const args = input();
  const handle = await env.client.workflow.start(WORKFLOW_TYPE, { taskQueue: stack.taskQueue, workflowId: args.videoId, args: [args] });
  const seen: number[] = [];
  const stages = new Set<string>();
  let done = false;
  void handle.result().finally(() => (done = true));
  while (!done) {
    const state = await handle.query(statusQuery).catch(() => undefined);
    if (state) {
      seen.push(state.progress);
      stages.add(state.stage);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(seen.length).toBeGreaterThan(2);
  expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  expect(stages.has('rendering') || stages.has('narrating') || stages.has('generating_clips')).toBe(true);
});

test('an empty text source fails at once as InvalidInput in the fetching_source stage', async () => {
  const args = input({ source: { type: 'text', title: 'Empty', text: '   \n\n  ' } });
  const handle = await env.client.workflow.start(WORKFLOW_TYPE, { taskQueue: stack.taskQueue, workflowId: args.videoId, args: [args] });
  const error = await handle.result().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
  expect(cause.type).toBe('InvalidInput');
  const state = cause.details?.[0] as VideoState;
  expect(state.error).toEqual(expect.objectContaining({ type: 'InvalidInput', stage: 'fetching_source' }));
  // Non-retryable: the activity ran exactly once.
  const history = await handle.fetchHistory();
  const attempts = history.events?.filter((e) => e.activityTaskStartedEventAttributes) ?? [];
  expect(attempts).toHaveLength(1);
});
