/**
 * Hosts that share nothing but Temporal and a bucket: two worker processes with separate, empty
 * MEDIA_ROOTs on a real MinIO. The first is killed (SIGKILL) once some narration is in the
 * bucket; the second finishes the video from what the bucket holds; the API, with a third empty
 * MEDIA_ROOT, serves the MP4 from the bucket. A cancelled video leaves no object behind.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startApi, type RunningApi } from '../../src/api/main';
import { loadConfig } from '../../src/config';
import { WORKFLOW_TYPE } from '../../src/shared/temporal-names';
import type { generateVideo } from '../../src/workflows';
import { finishedWorkQuery } from '../../src/workflows/video-messages';
import { startChildWorker, type ChildWorker } from '../helpers/child-worker';
import { startMinio, type MinioServer } from '../helpers/minio-server';
import { pollUntil } from '../helpers/poll';
import { shortVideoInput } from '../helpers/short-video';
import { startTestEnv } from '../helpers/temporal-test-env';
import { writeToolWrapper } from '../helpers/tool-wrapper';
import { uniqueName } from '../helpers/unique';

jest.setTimeout(300_000);

const PREFIX = 'reelflow/';
let env: TestWorkflowEnvironment;
let minio: MinioServer;
let dir: string;
const workers: ChildWorker[] = [];
let api: RunningApi | undefined;
const savedEnv = { ...process.env };

beforeAll(async () => {
  [env, minio] = await Promise.all([startTestEnv(), startMinio()]);
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-shared-nothing-'));
});
afterAll(async () => {
  await api?.close(1000);
  for (const worker of workers) await worker.kill();
  process.env = savedEnv;
  await minio?.stop();
  await env?.teardown();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

/** Keys in the bucket under one video, without the prefix. */
async function objectsOf(videoId: string): Promise<string[]> {
  const page = await minio.client.send(new ListObjectsV2Command({ Bucket: minio.bucket, Prefix: `${PREFIX}${videoId}/` }));
  return (page.Contents ?? []).map((o) => (o.Key ?? '').slice(PREFIX.length + videoId.length + 1)).sort();
}

async function objectBytes(key: string): Promise<Buffer> {
  const answer = await minio.client.send(new GetObjectCommand({ Bucket: minio.bucket, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

const files = async (folder: string) => (await fs.readdir(folder, { recursive: true }).catch(() => [] as string[])).sort();

test('a video completes from the bucket after its worker is killed, and the API serves it from the bucket with Range', async () => {
  const taskQueue = uniqueName('s3');
  const s3Env = { ...minio.env, S3_PREFIX: PREFIX };
  const mediaRoots = ['first', 'second', 'api'].map((n) => path.join(dir, n));
  const binDir = path.join(dir, 'bin');
  // Slow speech, so the kill lands while the run is still narrating or drawing clips.
  await writeToolWrapper(binDir, 'espeak-ng', 'sleep 2');
  const first = await startChildWorker({ address: env.address, taskQueue, mediaRoot: mediaRoots[0]!, binDir, env: s3Env });
  workers.push(first);

  const input = shortVideoInput();
  const handle = await env.client.workflow.start<typeof generateVideo>(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: input.videoId,
    args: [input],
  });
  await pollUntil(
    () => objectsOf(input.videoId),
    (keys) => keys.some((k) => k.endsWith('.wav')),
    120_000,
    100,
  );
  await first.kill();
  expect(await objectsOf(input.videoId)).not.toContain('video.mp4');

  const second = await startChildWorker({ address: env.address, taskQueue, mediaRoot: mediaRoots[1]!, env: s3Env });
  workers.push(second);
  const state = await handle.result();
  expect(state.status).toBe('completed');
  // A completed run keeps what it serves; narration, clips and normalised parts are gone.
  expect(await objectsOf(input.videoId)).toEqual(['script.json', 'subtitles.srt', 'thumbnail.jpg', 'video.mp4']);
  const stored = await objectBytes(`${PREFIX}${input.videoId}/video.mp4`);
  expect(stored.length).toBe(state.result?.bytes);
  // The second host rendered from the bucket: it never had the first host's narration locally.
  expect(await files(path.join(mediaRoots[1]!, input.videoId))).toEqual(['script.json', 'subtitles.srt', 'thumbnail.jpg', 'video.mp4']);

  // The real API, with credentials from the SDK's default chain (the environment) and its own empty folder.
  Object.assign(process.env, s3Env);
  api = await startApi(
    loadConfig({ ...s3Env, TEMPORAL_ADDRESS: env.address, TASK_QUEUE: taskQueue, MEDIA_ROOT: mediaRoots[2], PORT: '0' }),
  );
  const start = 1000;
  const end = Math.min(stored.length - 1, start + 64 * 1024);
  const ranged = await fetch(`${api.url}/api/videos/${input.videoId}/video`, { headers: { Range: `bytes=${start}-${end}` } });
  expect(ranged.status).toBe(206);
  expect(ranged.headers.get('content-range')).toBe(`bytes ${start}-${end}/${stored.length}`);
  const body = Buffer.from(await ranged.arrayBuffer());
  expect(crypto.createHash('sha256').update(body).digest('hex')).toBe(
    crypto
      .createHash('sha256')
      .update(stored.subarray(start, end + 1))
      .digest('hex'),
  );
  const whole = await fetch(`${api.url}/api/videos/${input.videoId}/video`);
  expect(Buffer.from(await whole.arrayBuffer()).equals(stored)).toBe(true);
  const etag = whole.headers.get('etag') ?? '';
  expect((await fetch(`${api.url}/api/videos/${input.videoId}/video`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
  // Served by streaming from the bucket: nothing was copied to the API's host.
  expect(await files(mediaRoots[2]!)).toEqual([]);
});

test('with S3_DOWNLOADS=redirect the API answers 302 to a presigned URL that serves the same bytes', async () => {
  const taskQueue = uniqueName('s3');
  const s3Env = { ...minio.env, S3_PREFIX: PREFIX };
  const worker = await startChildWorker({ address: env.address, taskQueue, mediaRoot: path.join(dir, 'redirect-worker'), env: s3Env });
  workers.push(worker);
  const input = shortVideoInput({ maxScenes: 1 });
  const state = await env.client.workflow.execute<typeof generateVideo>(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: input.videoId,
    args: [input],
  });
  expect(state.status).toBe('completed');

  Object.assign(process.env, s3Env);
  const redirecting = await startApi(
    loadConfig({
      ...s3Env,
      S3_DOWNLOADS: 'redirect',
      S3_URL_EXPIRES_SEC: '120',
      TEMPORAL_ADDRESS: env.address,
      TASK_QUEUE: taskQueue,
      MEDIA_ROOT: path.join(dir, 'redirect-api'),
      PORT: '0',
    }),
  );
  try {
    const answer = await fetch(`${redirecting.url}/api/videos/${input.videoId}/video`, { redirect: 'manual' });
    expect(answer.status).toBe(302);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const location = answer.headers.get('location') ?? '';
    expect(location).toContain('X-Amz-Expires=120');
    expect(location).not.toContain(minio.secretAccessKey);
    const download = Buffer.from(await (await fetch(location)).arrayBuffer());
    expect(download.equals(await objectBytes(`${PREFIX}${input.videoId}/video.mp4`))).toBe(true);
  } finally {
    await redirecting.close(1000);
  }
});

test('a cancelled video leaves in the bucket only what it finished, never a partial object', async () => {
  const taskQueue = uniqueName('s3');
  const s3Env = { ...minio.env, S3_PREFIX: PREFIX };
  const worker = await startChildWorker({ address: env.address, taskQueue, mediaRoot: path.join(dir, 'cancel-worker'), env: s3Env });
  workers.push(worker);
  const input = shortVideoInput();
  const handle = await env.client.workflow.start<typeof generateVideo>(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: input.videoId,
    args: [input],
  });
  await pollUntil(
    () => objectsOf(input.videoId),
    (keys) => keys.length > 0,
    120_000,
    100,
  );
  await handle.cancel();
  const ended = await handle.result().catch((err: unknown) => err);
  expect(ended).toBeInstanceOf(WorkflowFailedError);
  // Kept for a retry: exactly the narrations and clips the run reports finished.
  const finished = await handle.query(finishedWorkQuery);
  const names = finished.scenes.flatMap((s) => [s.narration?.audioFile, s.clipFile].filter((n): n is string => n !== undefined));
  expect(await objectsOf(input.videoId)).toEqual(names.sort());
});

test('a worker and the API refuse to start, in one line naming the bucket and endpoint, when the bucket is missing', async () => {
  const badEnv = { ...minio.env, S3_BUCKET: 'no-such-bucket' };
  const line = `The artifact store cannot be used (bucket no-such-bucket at ${minio.endpoint}): it does not exist`;
  const refused = await startChildWorker({
    address: env.address,
    taskQueue: uniqueName('s3'),
    mediaRoot: path.join(dir, 'refused'),
    env: badEnv,
  }).then(
    (w) => {
      workers.push(w);
      return 'started';
    },
    (err: Error) => err.message,
  );
  expect(refused).toContain(`"error":"${line}"`);
  expect(refused).not.toContain(minio.secretAccessKey);

  Object.assign(process.env, badEnv);
  const config = loadConfig({ ...badEnv, TEMPORAL_ADDRESS: env.address, MEDIA_ROOT: path.join(dir, 'refused-api'), PORT: '0' });
  await expect(startApi(config)).rejects.toThrow(line);
});
