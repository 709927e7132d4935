/**
 * Providers that fail: a passing outage is retried with growing backoff until the video completes;
 * a permanent refusal ends the run as `failed`, with the reason and the stage in the API's status.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ProviderRejectedError } from '../../src/providers/errors';
import { EspeakNarrator } from '../../src/providers/local/espeak-narrator';
import { WORKFLOW_TYPE } from '../../src/shared/temporal-names';
import type { generateVideo } from '../../src/workflows';
import { activityRuns } from '../helpers/activity-runs';
import { progressLine } from '../../src/cli/follow-video';
import type { VideoStatusBody } from '../../src/api/schemas';
import { FlakyNarrator } from '../helpers/flaky-narrator';
import { pollUntil } from '../helpers/poll';
import { shortVideoInput } from '../helpers/short-video';
import { startTestEnv } from '../helpers/temporal-test-env';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';

jest.setTimeout(180_000);

let env: TestWorkflowEnvironment;
const stacks: VideoStack[] = [];

beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(async () => {
  for (const stack of stacks) await stack.stop();
  await env?.teardown();
});

test('a narrator that fails twice is retried with growing backoff, the status shows the retry meanwhile, and the video completes', async () => {
  const narrator = new FlakyNarrator(new EspeakNarrator({ fallbackVoice: 'en-us' }), 2);
  const stack = await startVideoStack(env, { deps: () => ({ narrator }), api: true });
  stacks.push(stack);

  const args = shortVideoInput({ sceneConcurrency: 1, maxScenes: 2 });
  const handle = await env.client.workflow.start<typeof generateVideo>(WORKFLOW_TYPE, {
    taskQueue: stack.taskQueue,
    workflowId: args.videoId,
    args: [args],
  });
  // While the narration waits out its backoff, the status says what failed and when it runs again.
  const retrying = await pollUntil(
    async () => (await (await fetch(`${stack.apiUrl}/api/videos/${args.videoId}`)).json()) as VideoStatusBody,
    (s) => (s.retries ?? []).some((r) => r.activity === 'narrateScene'),
    60_000,
    100,
  );
  const retry = retrying.retries!.find((r) => r.activity === 'narrateScene')!;
  expect(retry.attempt).toBeGreaterThanOrEqual(2);
  expect(retry.lastError).toEqual({ type: 'ProviderUnavailable', message: expect.stringContaining('unavailable') });
  expect(Date.parse(retry.nextAttemptAt ?? '')).toBeGreaterThan(Date.parse(retrying.createdAt));
  expect(progressLine(retrying)).toContain(`retrying narrateScene (attempt ${retry.attempt}, ProviderUnavailable:`);
  const state = await handle.result();
  expect(state.status).toBe('completed');

  const narrations = activityRuns(await handle.fetchHistory()).filter((r) => r.activityType === 'narrateScene');
  expect(narrations.length).toBe(state.scenes.length);
  for (const run of narrations) {
    expect(run.attempt).toBe(3);
    expect(run.lastFailure?.applicationFailureInfo?.type).toBe('ProviderUnavailable');
  }
  for (const scene of state.scenes) {
    const times = narrator.callTimes(stack.store.path(args.videoId, `scene-${String(scene.index).padStart(2, '0')}.wav`));
    expect(times).toHaveLength(3);
    const [first = 0, second = 0, third = 0] = times;
    // initialInterval 2 s, coefficient 2: about 2 s, then about 4 s.
    expect(second - first).toBeGreaterThanOrEqual(1_800);
    expect(third - second).toBeGreaterThan((second - first) * 1.5);
  }
});

test('a narrator that refuses for good ends the run as failed, with the reason and the stage in GET /api/videos/:id', async () => {
  const narrator = new FlakyNarrator(
    new EspeakNarrator({ fallbackVoice: 'en-us' }),
    Infinity,
    () => new ProviderRejectedError('The speech service rejected the API key (test)'),
  );
  const stack = await startVideoStack(env, { deps: () => ({ narrator }), api: true });
  stacks.push(stack);

  const res = await fetch(`${stack.apiUrl}/api/videos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ source: shortVideoInput().source, options: { maxScenes: 2, sceneConcurrency: 1 } }),
  });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };

  const status = await pollUntil(
    async () => (await (await fetch(`${stack.apiUrl}/api/videos/${id}`)).json()) as Record<string, any>,
    (s) => s.status !== 'queued' && s.status !== 'running',
    120_000,
  );
  expect(status.status).toBe('failed');
  expect(status.error).toEqual(
    expect.objectContaining({ type: 'ProviderRejected', stage: 'narrating', message: expect.stringContaining('rejected the API key') }),
  );
  // Not retryable: the narrator was asked once.
  expect(narrator.calls).toHaveLength(1);
  const narrations = activityRuns(await env.client.workflow.getHandle(id).fetchHistory()).filter((r) => r.activityType === 'narrateScene');
  expect(narrations.map((r) => [r.attempt, r.outcome])).toEqual([[1, 'failed']]);
});
