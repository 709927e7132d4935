/**
 * The step cache's claims on a real Temporal server with a real worker running `stepClaim`: who
 * gets a claim, who waits, what ends a wait, and how an owner's retry and a stale claim are told
 * apart. The "owner runs" here are ordinary open workflows; a claim only asks whether its owner's
 * run is still open.
 */
import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { StepClaims, type ClaimOwner } from '../../src/cache/step-claims';
import { STEP_CLAIM_WORKFLOW_TYPE } from '../../src/workflows/step-claim';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';
import { workflowBundle } from '../helpers/workflow-bundle';

jest.setTimeout(60_000);

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let claims: StepClaims;
const taskQueue = uniqueName('claims');

beforeAll(async () => {
  env = await startTestEnv();
  worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await workflowBundle() });
  running = worker.run();
  claims = new StepClaims(env.client, taskQueue);
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

/** An open run to own claims: a workflow that stays open until the test ends it. */
async function openRun(): Promise<WorkflowHandle> {
  return env.client.workflow.start(STEP_CLAIM_WORKFLOW_TYPE, {
    taskQueue,
    workflowId: uniqueName('owner-run'),
    args: [{ workflowId: 'nobody', runId: 'none', part: 'none' }],
  });
}
const ownerIn = async (run: WorkflowHandle, part: string): Promise<ClaimOwner> => ({
  workflowId: run.workflowId,
  runId: (await run.describe()).runId,
  part,
});
const key = () => uniqueName('cache');
/** Settles within `ms`, or reports that it is still pending. */
async function within(promise: Promise<unknown>, ms: number): Promise<'ended' | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const pending = new Promise<'pending'>((resolve) => (timer = setTimeout(() => resolve('pending'), ms)));
  try {
    return await Promise.race([promise.then(() => 'ended' as const), pending]);
  } finally {
    clearTimeout(timer);
  }
}

it('gives a key to the first owner, again to that owner (its retry), and makes any other wait until it settles', async () => {
  const [runA, runB] = await Promise.all([openRun(), openRun()]);
  const [a, b] = await Promise.all([ownerIn(runA, 'narration-1'), ownerIn(runB, 'narration-1')]);
  const k = key();

  expect(await claims.take(k, a)).toEqual({ mine: true });
  expect(await claims.take(k, a)).toEqual({ mine: true });
  const other = await claims.take(k, b);
  expect(other.mine).toBe(false);
  // Another part of the owner's own run waits too: two scenes with the same text make it once.
  expect((await claims.take(k, { ...a, part: 'narration-2' })).mine).toBe(false);

  const waiting = other.mine ? Promise.resolve() : other.wait(new AbortController().signal);
  expect(await within(waiting, 1_500)).toBe('pending');
  await claims.settle(k, b, true); // not b's claim: changes nothing
  expect(await within(waiting, 1_000)).toBe('pending');
  await claims.settle(k, a, true);
  expect(await within(waiting, 10_000)).toBe('ended');
  expect(await env.client.workflow.getHandle(claims.claimId(k)).result()).toEqual({ produced: true });

  // Once settled, the key can be claimed again (an evicted entry is made anew).
  expect(await claims.take(k, b)).toEqual({ mine: true });
  await claims.settle(k, b, false);
  await Promise.all([runA.terminate(), runB.terminate()]);
});

it('ends a wait when the owner run ends without settling, and hands the stale claim to the next run', async () => {
  const [runA, runB] = await Promise.all([openRun(), openRun()]);
  const [a, b] = await Promise.all([ownerIn(runA, 'clip-scene-0'), ownerIn(runB, 'clip-scene-0')]);
  const k = key();
  expect(await claims.take(k, a)).toEqual({ mine: true });
  const other = await claims.take(k, b);
  const waiting = other.mine ? Promise.resolve() : other.wait(new AbortController().signal);
  expect(await within(waiting, 1_000)).toBe('pending');

  await runA.terminate('the owner was terminated mid-step');
  expect(await within(waiting, 10_000)).toBe('ended');
  expect(await claims.take(k, b)).toEqual({ mine: true });
  const claim = await env.client.workflow.getHandle(claims.claimId(k)).describe();
  expect(claim.memo?.owner).toEqual(b);
  await claims.settle(k, b, true);
  await runB.terminate();
});

it('stops a wait when its activity is cancelled', async () => {
  const [runA, runB] = await Promise.all([openRun(), openRun()]);
  const k = key();
  await claims.take(k, await ownerIn(runA, 'script'));
  const other = await claims.take(k, await ownerIn(runB, 'script'));
  const cancel = new AbortController();
  const waiting = other.mine ? Promise.resolve() : other.wait(cancel.signal);
  cancel.abort();
  await expect(waiting).rejects.toThrow();
  await claims.settle(k, await ownerIn(runA, 'script'), false);
  await Promise.all([runA.terminate(), runB.terminate()]);
});

it('waitFor returns at once when nobody holds the key', async () => {
  expect(await within(claims.waitFor(key(), new AbortController().signal), 5_000)).toBe('ended');
});
