import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { pollUntil } from '../helpers/poll';
import { startTestEnv } from '../helpers/temporal-test-env';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';

const BIN = path.resolve(__dirname, '../../bin/reelflow.mjs');
const API_KEY = 'cli-test-key-123';

let env: TestWorkflowEnvironment;
let stack: VideoStack;
let workDir: string;

beforeAll(async () => {
  env = await startTestEnv();
  stack = await startVideoStack(env, { api: true, env: { API_KEYS: API_KEY } });
  workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-cli-'));
});
afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
  if (workDir) await fs.rm(workDir, { recursive: true, force: true });
});

/** Runs `reelflow …` as a user would, against the test stack's API. */
function reelflow(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: workDir,
      env: { PATH: process.env.PATH, REELFLOW_API_URL: stack.apiUrl, REELFLOW_API_KEY: API_KEY, ...extraEnv },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('create --wait renders a text video with a progress log, then status, list and download work on it', async () => {
  const textFile = path.join(workDir, 'source.txt');
  await fs.writeFile(textFile, 'Octopuses have three hearts. Two pump blood to the gills, one to the body.');
  const created = await reelflow(['create', '--title', 'Octopus hearts', '--text-file', textFile, '--max-scenes', '3', '--wait']);
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  const lines = created.stdout.trim().split('\n');
  const id = lines[0]!;
  expect(id).toMatch(/^video-/);
  expect(lines.some((l) => /^\[[#-]{30}\]\s+\d+% \w+/.test(l))).toBe(true);
  expect(lines.at(-2)).toMatch(/100% done/);
  expect(lines.at(-1)).toBe(`completed: ${stack.apiUrl}/api/videos/${id}/video`);

  const status = await reelflow(['status', id]);
  expect(status.code).toBe(0);
  expect(JSON.parse(status.stdout)).toEqual(expect.objectContaining({ id, status: 'completed' }));

  const listed = await reelflow(['list', '--status', 'completed']);
  expect(listed.code).toBe(0);
  expect(listed.stdout).toContain(`${id}\tcompleted\tdone\t`);

  const downloaded = await reelflow(['download', id, '-o', 'out.mp4']);
  expect(downloaded.code).toBe(0);
  const bytes = await fs.readFile(path.join(workDir, 'out.mp4'));
  expect(bytes.length).toBe(JSON.parse(status.stdout).result.bytes);
  expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');

  const followed = await reelflow(['follow', id]);
  expect(followed.code).toBe(0);
  expect(followed.stdout).toContain('100% done');
});

test('cancel stops a reviewed video, and follow then exits non-zero with the status', async () => {
  const created = await reelflow(['create', '--title', 'Held', '--text', 'Waiting for review.', '--review']);
  expect(created.code).toBe(0);
  const id = created.stdout.trim();
  await pollUntil(
    async () => JSON.parse((await reelflow(['status', id])).stdout).stage as string,
    (s) => s === 'awaiting_review',
  );

  const cancelled = await reelflow(['cancel', id]);
  expect(cancelled.code).toBe(0);
  expect(cancelled.stdout).toBe(`cancel requested for ${id}\n`);

  const followed = await reelflow(['follow', id]);
  expect(followed.code).toBe(1);
  expect(followed.stderr).toContain(`video ${id} cancelled`);

  const again = await reelflow(['cancel', id]);
  expect(again.code).toBe(1);
  expect(again.stderr).toMatch(/failed \(409\): Video .* has already finished/);
});

test('errors print the API message and exit non-zero; bad usage exits 2', async () => {
  const invalid = await reelflow(['create', '--pmid', '12ab']);
  expect(invalid.code).toBe(1);
  expect(invalid.stderr).toContain('pmid must be 1 to 9 digits');

  const unknown = await reelflow(['status', 'video-does-not-exist']);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain('(404): Video video-does-not-exist was not found');

  const noKey = await reelflow(['list'], { REELFLOW_API_KEY: '' });
  expect(noKey.code).toBe(1);
  expect(noKey.stderr).toContain('(401)');

  const notReady = await reelflow(['download', 'video-does-not-exist']);
  expect(notReady.code).toBe(1);

  expect((await reelflow(['frobnicate'])).code).toBe(2);
  expect((await reelflow(['create', '--title', 'No text'])).code).toBe(2);
  expect((await reelflow(['status'])).code).toBe(2);
  expect((await reelflow(['--help'])).stdout).toContain('Usage: reelflow');
});
