import fs from 'node:fs/promises';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SCRIPT_FILE } from '../../src/activities/render-video';
import { FailureType } from '../../src/shared/failure-types';
import { WORKFLOW_TYPE } from '../../src/shared/temporal-names';
import type { GenerateVideoInput, Script } from '../../src/shared/video';
import { pollUntil } from '../helpers/poll';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';

let env: TestWorkflowEnvironment;
let stack: VideoStack;

beforeAll(async () => {
  env = await startTestEnv();
  stack = await startVideoStack(env, { api: true });
});
afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

const statusOf = (id: string) =>
  pollUntil(
    async () => (await call('GET', `/api/videos/${id}`)).body,
    () => true,
  );

test('a reviewed video waits for approval, takes an edited script, and renders the edited narration', async () => {
  const started = await call('POST', '/api/videos', {
    source: { type: 'text', title: 'Bees', text: 'Bees dance to tell others where flowers are. The dance encodes direction and distance.' },
    options: { review: true, maxScenes: 3 },
  });
  expect(started.status).toBe(202);
  const id = started.body.id as string;
  await pollUntil(
    async () => (await statusOf(id)).stage,
    (stage) => stage === 'awaiting_review',
  );

  // The script can be read once written.
  const script = (await call('GET', `/api/videos/${id}/script`)).body as Script;
  expect(script.scenes.length).toBeGreaterThan(0);

  // The API's schema refuses an empty narration; the workflow's validator refuses a wrong index.
  const emptyNarration = await call('PUT', `/api/videos/${id}/script`, {
    ...script,
    scenes: script.scenes.map((s, i) => (i === 0 ? { ...s, narration: ' ' } : s)),
  });
  expect(emptyNarration.status).toBe(400);
  expect(emptyNarration.body.error.message).toContain('narration');
  const wrongIndex = await call('PUT', `/api/videos/${id}/script`, {
    ...script,
    scenes: script.scenes.map((s, i) => (i === 0 ? { ...s, index: 7 } : s)),
  });
  expect(wrongIndex.status).toBe(400);
  expect(wrongIndex.body.error).toEqual(
    expect.objectContaining({ code: 'invalid_script', message: expect.stringContaining('scenes[0].index must be 0') }),
  );

  const narration = 'Honeybees waggle to point their sisters toward food.';
  const edited: Script = { ...script, scenes: script.scenes.map((s, i) => (i === 1 ? { ...s, narration } : s)) };
  const saved = await call('PUT', `/api/videos/${id}/script`, edited);
  expect(saved.status).toBe(200);
  expect(saved.body.scenes[1].narration).toBe(narration);
  expect((await call('GET', `/api/videos/${id}/script`)).body.scenes[1].narration).toBe(narration);

  const approved = await call('POST', `/api/videos/${id}/approve`);
  expect(approved.status).toBe(202);
  // Approval and leaving review are one step: the very next status has moved on, and the script is frozen.
  expect((await statusOf(id)).stage).not.toBe('awaiting_review');
  const late = await call('PUT', `/api/videos/${id}/script`, { ...edited, title: 'Edited after approval' });
  expect(late.status).toBe(409);
  expect(late.body.error.code).toBe('not_awaiting_review');
  expect((await call('POST', `/api/videos/${id}/approve`)).status).toBe(409);
  const done = await pollUntil(
    () => statusOf(id),
    (s) => s.status !== 'running' && s.status !== 'queued',
    120_000,
  );
  expect(done.status).toBe('completed');

  const written = JSON.parse(await fs.readFile(stack.store.path(id, SCRIPT_FILE), 'utf8')) as Script;
  expect(written.scenes[1]?.narration).toBe(narration);

  // Once finished, the script can be neither edited nor approved again.
  expect((await call('PUT', `/api/videos/${id}/script`, edited)).status).toBe(409);
  expect((await call('POST', `/api/videos/${id}/approve`)).status).toBe(409);
});

test('approving or editing a video that does not await review gets 409', async () => {
  const started = await call('POST', '/api/videos', {
    source: { type: 'text', title: 'Owls', text: 'Owls hunt at night.' },
    options: { review: true },
  });
  const id = started.body.id as string;
  await pollUntil(
    async () => (await statusOf(id)).stage,
    (stage) => stage === 'awaiting_review',
  );
  const script = (await call('GET', `/api/videos/${id}/script`)).body as Script;
  await call('POST', `/api/videos/${id}/cancel`);
  await pollUntil(
    async () => (await statusOf(id)).status,
    (s) => s === 'cancelled',
  );
  expect((await call('POST', `/api/videos/${id}/approve`)).status).toBe(409);
  expect((await call('PUT', `/api/videos/${id}/script`, script)).status).toBe(409);
});

test('a review that outlasts its timeout ends the run as failed with ReviewTimedOut', async () => {
  // The API's minimum review timeout is 10 s; the workflow client sets 2 s to keep the test short.
  const videoId = uniqueName('video-review');
  const input: GenerateVideoInput = {
    videoId,
    source: { type: 'text', title: 'Late review', text: 'Nobody approves this.' },
    options: { review: true, reviewTimeoutSec: 2, maxScenes: 2, voice: 'en-us', sceneConcurrency: 2 },
  };
  await env.client.workflow.start(WORKFLOW_TYPE, { workflowId: videoId, taskQueue: stack.taskQueue, args: [input] });
  const final = await pollUntil(
    () => statusOf(videoId),
    (s) => s.status === 'failed' || s.status === 'completed',
    60_000,
  );
  expect(final.status).toBe('failed');
  expect(final.error).toEqual({
    type: FailureType.ReviewTimedOut,
    message: expect.stringContaining('2 seconds'),
    stage: 'awaiting_review',
  });
});
