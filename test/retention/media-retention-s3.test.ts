/**
 * Media retention against a real S3 server (MinIO): the same schedule and sweep as on disk, with
 * the workers' artifacts in a bucket. Objects cannot be backdated, so every rule here is given
 * in seconds and runs age within the test.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SERVED_FILES, VIDEO_FILE } from '../../src/activities/render-video';
import { S3ArtifactStore } from '../../src/storage/s3-artifact-store';
import { statusQuery } from '../../src/workflows/video-messages';
import { startMinio, type MinioServer } from '../helpers/minio-server';
import { pollUntil } from '../helpers/poll';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';
import { FAILING_TEXT, RefusingNarrator, passed, seconds, startVideo, sweepWith } from './sweep-helpers';

jest.setTimeout(240_000);

const PREFIX = 'reelflow/';

let env: TestWorkflowEnvironment;
let minio: MinioServer;
let workingFolder: string;
let store: S3ArtifactStore;
let stack: VideoStack;

beforeAll(async () => {
  [env, minio] = await Promise.all([startTestEnv(), startMinio()]);
  workingFolder = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-s3-work-'));
  const options = { bucket: minio.bucket, endpoint: minio.endpoint, region: 'us-east-1', forcePathStyle: true, prefix: PREFIX };
  store = new S3ArtifactStore(options, workingFolder, minio.client);
  stack = await startVideoStack(env, {
    env: { KEEP_INTERMEDIATE_FILES: 'true' },
    deps: () => ({ store, narrator: new RefusingNarrator() }),
  });
});

afterAll(async () => {
  await stack?.stop();
  await Promise.allSettled([env?.teardown(), minio?.stop()]);
  if (workingFolder) await fs.rm(workingFolder, { recursive: true, force: true });
});

/** The objects of a video in the bucket, by name, sorted. */
async function objectsOf(videoId: string): Promise<string[]> {
  const page = await minio.client.send(new ListObjectsV2Command({ Bucket: minio.bucket, Prefix: `${PREFIX}${videoId}/` }));
  return (page.Contents ?? []).map((o) => (o.Key ?? '').slice(`${PREFIX}${videoId}/`.length)).sort();
}

test('sweeps delete expired objects from the bucket, prune completed runs to what they serve, and leave running runs alone', async () => {
  const completed = await startVideo(env.client, stack.taskQueue);
  const failed = await startVideo(env.client, stack.taskQueue, {}, FAILING_TEXT);
  const running = await startVideo(env.client, stack.taskQueue, { review: true, reviewTimeoutSec: 600 });
  await completed.result();
  await expect(failed.result()).rejects.toThrow();
  await pollUntil(
    () => running.query(statusQuery),
    (s) => s.stage === 'awaiting_review',
    60_000,
  );

  const notes = await store.tempPath(running.workflowId, 'notes.json');
  await fs.writeFile(notes, '{}');
  await store.publish(running.workflowId, 'notes.json', notes);
  const orphan = uniqueName('video-orphan');
  const mp4 = await store.tempPath(orphan, VIDEO_FILE);
  await fs.writeFile(mp4, 'not really a video');
  await store.publish(orphan, VIDEO_FILE, mp4);
  const lastWrite = Date.now();

  const completedObjects = await objectsOf(completed.workflowId);
  const served = completedObjects.filter((n) => (SERVED_FILES as readonly string[]).includes(n));
  expect(served).toContain(VIDEO_FILE);
  expect(completedObjects.length).toBeGreaterThan(served.length);
  const failedObjects = await objectsOf(failed.workflowId);
  expect(failedObjects.length).toBeGreaterThan(0);

  const first = await sweepWith(env.client, stack.taskQueue, { completedDays: 1, failedDays: 1 });
  expect(await objectsOf(completed.workflowId)).toEqual(served);
  expect(await objectsOf(failed.workflowId)).toEqual(failedObjects);
  expect(await objectsOf(running.workflowId)).toEqual(['notes.json']);
  expect(await objectsOf(orphan)).toEqual([VIDEO_FILE]);
  expect(first).toEqual({ videos: 4, removed: 0, orphans: 0, pruned: 1, kept: 3, failed: 0 });

  await passed(lastWrite, 1500);
  const second = await sweepWith(env.client, stack.taskQueue, { completedDays: seconds(1), failedDays: seconds(1) });
  expect(await objectsOf(completed.workflowId)).toEqual([]);
  expect(await objectsOf(failed.workflowId)).toEqual([]);
  expect(await objectsOf(orphan)).toEqual([]);
  expect(await objectsOf(running.workflowId)).toEqual(['notes.json']);
  expect(second).toEqual({ videos: 4, removed: 3, orphans: 1, pruned: 0, kept: 1, failed: 0 });

  await running.cancel();
});
