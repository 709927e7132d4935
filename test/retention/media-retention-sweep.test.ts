/**
 * The media retention schedule on a real Temporal server, with real workers, local providers and
 * real files: completed, failed, cancelled and running videos plus folders whose runs Temporal no
 * longer knows. Each sweep is triggered through the schedule, and the disk shows what it removed,
 * pruned and kept. Retention is given in seconds (fractions of a day) so runs age within the test.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SERVED_FILES, VIDEO_FILE } from '../../src/activities/render-video';
import type { LocalArtifactStore } from '../../src/storage/local-artifact-store';
import { newUploadId } from '../../src/uploads/upload-records';
import { statusQuery } from '../../src/workflows/video-messages';
import { pollUntil } from '../helpers/poll';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';
import { DAY_MS, FAILING_TEXT, RefusingNarrator, passed, seconds, startVideo as startOn, sweepWith as sweepOn } from './sweep-helpers';

jest.setTimeout(240_000);

let env: TestWorkflowEnvironment;
let stack: VideoStack;
const startVideo = (options: Parameters<typeof startOn>[2] = {}, text?: string) => startOn(env.client, stack.taskQueue, options, text);
const sweepWith = (settings: Parameters<typeof sweepOn>[2]) => sweepOn(env.client, stack.taskQueue, settings);

beforeAll(async () => {
  env = await startTestEnv();
  // Renders keep their narration and clips, as runs from before pruning at render did.
  stack = await startVideoStack(env, { env: { KEEP_INTERMEDIATE_FILES: 'true' }, deps: () => ({ narrator: new RefusingNarrator() }) });
});

afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

/** The artifacts in a video's folder, sorted; [] once the folder is gone. */
async function filesOf(videoId: string): Promise<string[]> {
  const names = await fs.readdir(path.join(stack.mediaRoot, videoId)).catch(() => [] as string[]);
  return names.filter((n) => !n.startsWith('.')).sort();
}

/** Publishes a small artifact as an activity would, dated `ageMs` ago. */
async function writeArtifact(store: LocalArtifactStore, videoId: string, name: string, ageMs: number): Promise<void> {
  const file = await store.tempPath(videoId, name);
  await fs.writeFile(file, `${name} of ${videoId}`);
  await store.publish(videoId, name, file);
  const when = new Date(Date.now() - ageMs);
  await fs.utimes(store.path(videoId, name), when, when);
}

test('sweeps remove media past retention, prune completed runs to what they serve, and never touch a running run', async () => {
  const store = stack.store;

  // A completed run, holding its scenes' narration and clips besides what it serves.
  const completed = await startVideo();
  // A failed run: one scene's narration is refused for good, after the others made files.
  const failed = await startVideo({}, FAILING_TEXT);
  // A cancelled run: the workflow removes its files; leftovers of a cleanup that never ran stay.
  const cancelled = await startVideo({ review: true, reviewTimeoutSec: 600 });
  // A running run, waiting for review, with a file older than any retention.
  const running = await startVideo({ review: true, reviewTimeoutSec: 600 });

  await completed.result();
  await expect(failed.result()).rejects.toThrow();
  for (const handle of [cancelled, running]) {
    await pollUntil(
      () => handle.query(statusQuery),
      (s) => s.stage === 'awaiting_review',
      60_000,
    );
  }
  await cancelled.cancel();
  await expect(cancelled.result()).rejects.toThrow();
  await writeArtifact(store, cancelled.workflowId, 'scene-01.wav', 0);
  await writeArtifact(store, running.workflowId, 'notes.json', 400 * DAY_MS);

  // Folders whose runs Temporal no longer knows (their histories passed namespace retention).
  const oldRendered = uniqueName('video-orphan');
  const youngRendered = uniqueName('video-orphan');
  const halfDayUnrendered = uniqueName('video-orphan');
  await writeArtifact(store, oldRendered, VIDEO_FILE, 2 * DAY_MS);
  await writeArtifact(store, youngRendered, VIDEO_FILE, 0);
  const lastWrite = Date.now();
  await writeArtifact(store, halfDayUnrendered, 'scene-00.wav', DAY_MS / 2);
  // A step-cache entry and an upload: folders of no run, kept as long as a failed run's files.
  const cacheEntry = `cache-${'ab12'.repeat(16)}`;
  await writeArtifact(store, cacheEntry, 'output.wav', DAY_MS / 2);
  await writeArtifact(store, cacheEntry, 'entry.json', DAY_MS / 2);
  const upload = newUploadId();
  await writeArtifact(store, upload, 'original.png', DAY_MS / 2);
  await writeArtifact(store, upload, 'upload.json', DAY_MS / 2);

  const completedFiles = await filesOf(completed.workflowId);
  const failedFiles = await filesOf(failed.workflowId);
  const served = completedFiles.filter((n) => (SERVED_FILES as readonly string[]).includes(n));
  expect(served).toContain(VIDEO_FILE);
  expect(completedFiles.length).toBeGreaterThan(served.length);
  expect(failedFiles.length).toBeGreaterThan(0);

  // Retention of a day for both: only the completed run's extras and the old rendered orphan go.
  const first = await sweepWith({ completedDays: 1, failedDays: 1 });
  expect(await filesOf(completed.workflowId)).toEqual(served);
  expect(await filesOf(failed.workflowId)).toEqual(failedFiles);
  expect(await filesOf(cancelled.workflowId)).toEqual(['scene-01.wav']);
  expect(await filesOf(running.workflowId)).toEqual(['notes.json']);
  expect(await filesOf(oldRendered)).toEqual([]);
  expect(await filesOf(youngRendered)).toEqual([VIDEO_FILE]);
  expect(await filesOf(halfDayUnrendered)).toEqual(['scene-00.wav']);
  expect(await filesOf(cacheEntry)).toEqual(['entry.json', 'output.wav']);
  expect(await filesOf(upload)).toEqual(['original.png', 'upload.json']);
  expect(first).toEqual({ videos: 9, removed: 1, orphans: 1, pruned: 1, kept: 7, failed: 0 });

  // Failed runs after one second: the failed and cancelled runs go, and so does the orphan with no
  // MP4 (it never completed); the completed run and the young rendered orphan stay.
  await passed(lastWrite, 1500);
  const second = await sweepWith({ completedDays: 1, failedDays: seconds(1) });
  expect(await filesOf(failed.workflowId)).toEqual([]);
  expect(await filesOf(cancelled.workflowId)).toEqual([]);
  expect(await filesOf(halfDayUnrendered)).toEqual([]);
  expect(await filesOf(cacheEntry)).toEqual([]);
  expect(await filesOf(upload)).toEqual([]);
  expect(await filesOf(completed.workflowId)).toEqual(served);
  expect(await filesOf(youngRendered)).toEqual([VIDEO_FILE]);
  expect(await filesOf(running.workflowId)).toEqual(['notes.json']);
  expect(second).toMatchObject({ videos: 8, removed: 5, orphans: 3, failed: 0 });

  // Completed runs after one second too: only the running run keeps its files.
  const third = await sweepWith({ completedDays: seconds(1), failedDays: seconds(1) });
  expect(await filesOf(completed.workflowId)).toEqual([]);
  expect(await filesOf(youngRendered)).toEqual([]);
  expect(await filesOf(running.workflowId)).toEqual(['notes.json']);
  expect(third).toEqual({ videos: 3, removed: 2, orphans: 1, pruned: 0, kept: 1, failed: 0 });

  await running.cancel();
});
