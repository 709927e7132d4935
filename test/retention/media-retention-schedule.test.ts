/**
 * The media retention schedule as worker start keeps it, on a real Temporal server: real worker
 * processes (src/worker.ts) starting at once, then again with new settings, then with the sweep
 * turned off; and an operator's pause surviving a restart.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ScheduleNotFoundError, type ScheduleDescription } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadConfig } from '../../src/config';
import { ensureMediaRetentionSchedule } from '../../src/retention/media-retention-schedule';
import { mediaRetentionScheduleId } from '../../src/shared/media-retention';
import { startChildWorker, type ChildWorker } from '../helpers/child-worker';
import { pollUntil } from '../helpers/poll';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';

jest.setTimeout(300_000);

let env: TestWorkflowEnvironment;
let mediaRoot: string;
const started: ChildWorker[] = [];

beforeAll(async () => {
  env = await startTestEnv();
  mediaRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-media-'));
});

afterAll(async () => {
  await Promise.allSettled(started.map((w) => w.stop()));
  await env?.teardown();
  await fs.rm(mediaRoot, { recursive: true, force: true });
});

async function startWorker(taskQueue: string, settings: Record<string, string>): Promise<ChildWorker> {
  const worker = await startChildWorker({ address: env.address, taskQueue, mediaRoot, env: { WORKER_ROLES: 'workflows', ...settings } });
  started.push(worker);
  return worker;
}

/** The outcome the worker logged for the schedule (`created`, `updated`, `removed` or `off`). */
function outcomeOf(worker: ChildWorker): string {
  const line = worker
    .output()
    .split('\n')
    .find((l) => l.includes('"message":"media retention schedule"'));
  return line ? ((JSON.parse(line) as { outcome?: string }).outcome ?? 'no outcome') : 'not logged';
}

/** The schedules of a task queue, as the Web UI lists them (listing is eventually consistent). */
async function listed(scheduleId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const schedule of env.client.schedule.list()) if (schedule.scheduleId === scheduleId) ids.push(schedule.scheduleId);
  return ids;
}

const settingsOf = (d: ScheduleDescription) => ({
  everyMs: d.spec.intervals?.[0]?.every,
  args: d.action.type === 'startWorkflow' ? d.action.args : undefined,
  overlap: d.policies.overlap,
  note: d.state.note,
});

test('workflow workers keep exactly one schedule: two starting at once both succeed, a later start brings new settings, and 0 removes it', async () => {
  const taskQueue = uniqueName('tq');
  const scheduleId = mediaRetentionScheduleId(taskQueue);
  const schedule = env.client.schedule.getHandle(scheduleId);

  const first = { MEDIA_RETENTION_DAYS: '30', MEDIA_RETENTION_FAILED_DAYS: '7' };
  const pair = await Promise.all([startWorker(taskQueue, first), startWorker(taskQueue, first)]);
  expect(pair.map(outcomeOf).sort()).toEqual(['created', 'updated']);
  const created = await schedule.describe();
  expect(settingsOf(created)).toEqual({
    everyMs: 3_600_000,
    args: [{ completedDays: 30, failedDays: 7, keepIntermediateFiles: false }],
    overlap: 'SKIP',
    note: expect.stringContaining('completed runs 30 days, failed/cancelled runs 7 days') as string,
  });
  expect(created.action).toMatchObject({ workflowType: 'mediaRetention', taskQueue });
  expect(created.memo?.description).toContain(taskQueue);
  await pollUntil(
    () => listed(scheduleId),
    (ids) => ids.length === 1,
    30_000,
  );
  await Promise.all(pair.map((w) => w.stop()));

  const again = await startWorker(taskQueue, {
    MEDIA_RETENTION_DAYS: '14',
    MEDIA_RETENTION_FAILED_DAYS: '0.5',
    MEDIA_RETENTION_SWEEP_MINUTES: '15',
    KEEP_INTERMEDIATE_FILES: 'true',
  });
  expect(outcomeOf(again)).toBe('updated');
  expect(settingsOf(await schedule.describe())).toEqual({
    everyMs: 900_000,
    args: [{ completedDays: 14, failedDays: 0.5, keepIntermediateFiles: true }],
    overlap: 'SKIP',
    note: expect.stringContaining('completed runs 14 days, failed/cancelled runs 0.5 days, completed runs keep every file') as string,
  });
  expect(
    await pollUntil(
      () => listed(scheduleId),
      (ids) => ids.length === 1,
      30_000,
    ),
  ).toEqual([scheduleId]);
  await again.stop();

  const off = await startWorker(taskQueue, { MEDIA_RETENTION_SWEEP_MINUTES: '0' });
  expect(outcomeOf(off)).toBe('removed');
  await expect(schedule.describe()).rejects.toThrow(ScheduleNotFoundError);
  await off.stop();

  // Only workers that run workflows keep the schedule.
  const activitiesOnly = await startChildWorker({ address: env.address, taskQueue, mediaRoot, env: { WORKER_ROLES: 'cleanup' } });
  started.push(activitiesOnly);
  expect(outcomeOf(activitiesOnly)).toBe('not logged');
  await expect(schedule.describe()).rejects.toThrow(ScheduleNotFoundError);
});

test("an operator's pause and note survive a worker start that brings new settings", async () => {
  const taskQueue = uniqueName('tq');
  const schedule = env.client.schedule.getHandle(mediaRetentionScheduleId(taskQueue));
  await ensureMediaRetentionSchedule(env.client, loadConfig({ TASK_QUEUE: taskQueue }));
  await schedule.pause('Paused while the bucket is migrated');

  const outcome = await ensureMediaRetentionSchedule(env.client, loadConfig({ TASK_QUEUE: taskQueue, MEDIA_RETENTION_DAYS: '90' }));
  expect(outcome).toBe('updated');
  const described = await schedule.describe();
  expect(described.state).toMatchObject({ paused: true, note: 'Paused while the bucket is migrated' });
  expect(settingsOf(described).args).toEqual([{ completedDays: 90, failedDays: 7, keepIntermediateFiles: false }]);
  await schedule.delete();
});
