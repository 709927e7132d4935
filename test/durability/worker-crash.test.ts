/**
 * A worker process killed with SIGKILL in each stage: a new worker finishes the video, and no
 * activity that had completed runs again. Each stage has its own video, task queue and worker
 * process, and the stages run side by side, since most of the time is spent waiting for Temporal
 * to notice the lost activity (its heartbeat timeout).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WORKFLOW_TYPE } from '../../src/shared/temporal-names';
import type { VideoStage } from '../../src/shared/video';
import type { generateVideo } from '../../src/workflows';
import { statusQuery } from '../../src/workflows/video-messages';
import { activityRuns, repeatedWork, workKey, type ActivityRun } from '../helpers/activity-runs';
import { startChildWorker, type ChildWorker } from '../helpers/child-worker';
import { pollUntil } from '../helpers/poll';
import { runningActivities } from '../helpers/running-activities';
import { shortVideoInput } from '../helpers/short-video';
import { startTestEnv } from '../helpers/temporal-test-env';
import { writeToolWrapper } from '../helpers/tool-wrapper';
import { uniqueName } from '../helpers/unique';

jest.setTimeout(300_000);

// Concurrent tests start together, so the server is shared through a promise, not beforeAll.
let envPromise: Promise<TestWorkflowEnvironment> | undefined;
const testEnv = () => (envPromise ??= startTestEnv());
afterAll(async () => {
  await (await envPromise)?.teardown();
});

type Handle = WorkflowHandle<typeof generateVideo>;

interface KillPoint {
  stage: VideoStage;
  /** What the kill interrupts, for the test title. */
  interrupts: string;
  /**
   * Roles of the first worker. A stage whose activity takes milliseconds is over before a poll can
   * see it; leaving the next stage's role out holds the run right after it, so the kill can never
   * land inside writeScript, whose lost attempt would only be retried after its 3-minute timeout.
   */
  firstRoles?: string;
  /** espeak-ng takes two seconds more per call, so narrations are seen while they run. */
  slowNarration?: boolean;
  /** True when the kill lands while the stage's activity runs, so that activity must be retried. */
  inFlight: boolean;
  /** Resolves once the worker should die. */
  killWhen(handle: Handle): Promise<void>;
}

const completed = (type: string) => async (handle: Handle) => {
  await pollUntil(
    async () => activityRuns(await handle.fetchHistory()),
    (runs) => runs.some((r) => r.activityType === type && r.outcome === 'completed'),
    120_000,
    100,
  );
};

const running = (type: string, stage?: VideoStage) => async (handle: Handle) => {
  await pollUntil(
    async () => ({ running: await runningActivities(handle), stage: (await handle.query(statusQuery).catch(() => undefined))?.stage }),
    (now) => now.running.some((a) => a.activityType === type) && (stage === undefined || now.stage === stage),
    120_000,
    100,
  );
};

const KILL_POINTS: KillPoint[] = [
  {
    stage: 'fetching_source',
    interrupts: 'right after fetchSource completed',
    firstRoles: 'workflows,source',
    inFlight: false,
    killWhen: completed('fetchSource'),
  },
  {
    stage: 'writing_script',
    interrupts: 'right after writeScript completed',
    firstRoles: 'workflows,source,script',
    inFlight: false,
    killWhen: completed('writeScript'),
  },
  {
    stage: 'narrating',
    interrupts: 'during narrateScene',
    // Without the clip-submissions role no clip is in flight at the kill, which would add its heartbeat timeout.
    firstRoles: 'workflows,source,script,narration,clips,render',
    slowNarration: true,
    inFlight: true,
    killWhen: running('narrateScene'),
  },
  { stage: 'generating_clips', interrupts: 'during awaitClipStep', inFlight: true, killWhen: running('awaitClipStep', 'generating_clips') },
  { stage: 'rendering', interrupts: 'during renderVideo', inFlight: true, killWhen: running('renderVideo') },
];

test.concurrent.each(KILL_POINTS)(
  'a worker killed in $stage ($interrupts) is replaced, the video completes and no completed activity runs again',
  async (point) => {
    const env = await testEnv();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-crash-'));
    const taskQueue = uniqueName('crash');
    const base = { address: env.address, taskQueue, mediaRoot: path.join(dir, 'media') };
    const workers: ChildWorker[] = [];
    try {
      const binDir = path.join(dir, 'bin');
      if (point.slowNarration) await writeToolWrapper(binDir, 'espeak-ng', 'sleep 2');
      const first = await startChildWorker({
        ...base,
        binDir: point.slowNarration ? binDir : undefined,
        env: point.firstRoles ? { WORKER_ROLES: point.firstRoles } : {},
      });
      workers.push(first);

      const args = shortVideoInput();
      const handle = await env.client.workflow.start<typeof generateVideo>(WORKFLOW_TYPE, {
        taskQueue,
        workflowId: args.videoId,
        args: [args],
      });
      await point.killWhen(handle);
      await first.kill();
      // Read after the kill: what the server still counts as running was lost with the worker.
      const inFlight = (await runningActivities(handle)).map((a) => a.activityId);

      const second = await startChildWorker(base);
      workers.push(second);
      const state = await handle.result();
      expect(state.status).toBe('completed');
      const video = await fs.stat(path.join(base.mediaRoot, args.videoId, state.result?.file ?? 'missing'));
      expect(video.size).toBe(state.result?.bytes);

      const runs = activityRuns(await handle.fetchHistory());
      expect(repeatedWork(runs)).toEqual([]);
      const keys = runs.map(workKey);
      expect(new Set(keys).size).toBe(keys.length);
      expect(runs.every((r) => r.outcome === 'completed')).toBe(true);

      // What the dead worker was running is retried once, on the new worker; nothing else is retried.
      const retried = (r: ActivityRun) => inFlight.includes(r.activityId);
      for (const run of runs.filter(retried)) {
        expect({ id: run.activityId, attempt: run.attempt, timeout: run.lastFailure?.timeoutFailureInfo?.timeoutType }).toEqual({
          id: run.activityId,
          attempt: 2,
          timeout: temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT,
        });
        expect(run.identity).toMatch(new RegExp(`^${second.pid}@`));
      }
      expect(runs.filter((r) => !retried(r)).map((r) => `${r.activityType}#${r.attempt}`)).toEqual(
        runs.filter((r) => !retried(r)).map((r) => `${r.activityType}#1`),
      );
      expect(inFlight.length > 0).toBe(point.inFlight);
    } finally {
      for (const worker of workers) await worker.kill();
      await fs.rm(dir, { recursive: true, force: true });
    }
  },
);
