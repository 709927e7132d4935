import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { probeMedia } from '../../src/media/probe';
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

test('create --wait renders a text video, following its stages over the event stream; status, list, open and download work on it', async () => {
  const textFile = path.join(workDir, 'source.txt');
  await fs.writeFile(textFile, 'Octopuses have three hearts. Two pump blood to the gills, one to the body.');
  const created = await reelflow([
    'create',
    '--title',
    'Octopus hearts',
    '--text-file',
    textFile,
    '--max-scenes',
    '3',
    '--voice',
    'en-us',
    '--burn-captions',
    '--preset',
    'vertical',
    '--wait',
  ]);
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  const lines = created.stdout.trim().split('\n');
  const id = lines[0]!;
  expect(id).toMatch(/^video-/);
  const bars = lines.filter((l) => /^\[[#-]{30}\]\s+\d+% \w+/.test(l));
  const stages = new Set(bars.map((l) => /% (\w+)/.exec(l)![1]));
  expect(stages.size).toBeGreaterThanOrEqual(3);
  expect(bars.some((l) => / · ETA \d/.test(l))).toBe(true);
  expect(lines.at(-2)).toMatch(/100% done/);
  expect(lines.at(-1)).toBe(`completed: ${stack.apiUrl}/api/videos/${id}/video`);

  const status = await reelflow(['status', id]);
  expect(status.code).toBe(0);
  // --burn-captions reached the render: its input in the run's history asks for it.
  const history = await env.client.workflow.getHandle(id).fetchHistory();
  const render = history.events?.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'renderVideo');
  const renderInput = JSON.parse(Buffer.from(render!.activityTaskScheduledEventAttributes!.input!.payloads![0]!.data!).toString('utf8'));
  expect(renderInput.burnCaptions).toBe(true);
  expect(JSON.parse(status.stdout)).toEqual(expect.objectContaining({ id, status: 'completed' }));

  const listed = await reelflow(['list', '--status', 'completed']);
  expect(listed.code).toBe(0);
  const [header, ...rows] = listed.stdout.trimEnd().split('\n');
  expect(header).toMatch(/^ID +STATUS +STAGE +CREATED +TITLE$/);
  // Titles come from the run; a list without them shows a dash.
  expect(rows).toContainEqual(expect.stringMatching(new RegExp(`^${id} +completed +done +\\S+Z +(Octopus hearts|—)$`)));

  const downloaded = await reelflow(['download', id, '-o', 'out.mp4']);
  expect(downloaded.code).toBe(0);
  const bytes = await fs.readFile(path.join(workDir, 'out.mp4'));
  expect(bytes.length).toBe(JSON.parse(status.stdout).result.bytes);
  expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
  // --preset vertical: a phone-shaped video.
  expect((await probeMedia(path.join(workDir, 'out.mp4'))).video).toMatchObject({ width: 1080, height: 1920 });

  const followed = await reelflow(['follow', id]);
  expect(followed.code).toBe(0);
  expect(followed.stdout).toContain('100% done');

  // A revision of one scene's words: a new video, the other scenes taken from the cache.
  const revised = await reelflow(['revise', id, '--scene', '1', '--narration', 'An octopus pumps blue blood with three hearts.', '--wait']);
  expect(revised.code).toBe(0);
  const revisedId = revised.stdout.split('\n')[0]!;
  const revisedStatus = JSON.parse((await reelflow(['status', revisedId])).stdout) as Record<string, any>;
  expect(revisedStatus).toMatchObject({ status: 'completed', revisionOf: id });
  expect(revisedStatus.scenes[1].reused).toBeUndefined();
  expect(revisedStatus.scenes[0].reused).toEqual(['narration', 'clip']);
  expect(JSON.parse((await reelflow(['script', 'show', revisedId])).stdout).scenes[1].narration).toBe(
    'An octopus pumps blue blood with three hearts.',
  );
  expect((await reelflow(['revise', id, '--scene', '1'])).code).toBe(2);

  // `open` prints the link and hands it to the desktop's opener (here one that writes it down).
  const bin = path.join(workDir, 'bin');
  const opened = path.join(workDir, 'opened.txt');
  await fs.mkdir(bin, { recursive: true });
  await fs.writeFile(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`, { mode: 0o755 });
  const openStatus = await reelflow(['open', id], { PATH: `${bin}${path.delimiter}${process.env.PATH}` });
  expect(openStatus.code).toBe(0);
  expect(openStatus.stdout).toBe(`${stack.apiUrl}/#/videos/${id}\n`);
  const openUi = await reelflow(['open', id, '--ui'], { PATH: `${bin}${path.delimiter}${process.env.PATH}` });
  expect(openUi.stdout).toBe(`${JSON.parse(status.stdout).webUiUrl}\n`);
  const urls = await pollUntil(
    async () => (await fs.readFile(opened, 'utf8').catch(() => '')).trim().split('\n'),
    (l) => l.length === 2,
  );
  expect(urls.sort()).toEqual([openStatus.stdout.trim(), openUi.stdout.trim()].sort());
});

test('review from the command line: create --review says what to run next, script show and edit in $EDITOR, approve, follow to the end', async () => {
  const created = await reelflow([
    'create',
    '--title',
    'Reviewed',
    '--text',
    'Bees dance to say where flowers are. The angle points the way.',
    '--review',
    '--max-scenes',
    '2',
  ]);
  expect(created.code).toBe(0);
  const id = created.stdout.trim();
  expect(id).toMatch(/^video-[^\n]+$/);
  for (const step of ['script show', 'script edit', 'approve']) expect(created.stderr).toContain(`reelflow ${step} ${id}\n`);
  const awaiting = await pollUntil(
    async () => JSON.parse((await reelflow(['status', id])).stdout) as { stage: string; reviewDeadline?: string; updatedAt: string },
    (s) => s.stage === 'awaiting_review',
  );
  // The status says until when the run waits: the default review timeout after review began.
  expect(Date.parse(awaiting.reviewDeadline!) - Date.parse(awaiting.updatedAt)).toBe(stack.config.defaults.reviewTimeoutSec * 1000);

  const shown = await reelflow(['script', 'show', id]);
  expect(shown.code).toBe(0);
  const script = JSON.parse(shown.stdout) as { scenes: { title: string }[] };
  expect(script.scenes.length).toBeGreaterThan(0);

  const unchanged = await reelflow(['script', 'edit', id], { EDITOR: 'true' });
  expect(unchanged.code).toBe(0);
  expect(unchanged.stderr).toContain('unchanged; nothing sent');
  const failedEditor = await reelflow(['script', 'edit', id], { EDITOR: 'sed -i s/Bees/Wasps/g; false' });
  expect(failedEditor.code).toBe(1);
  expect(failedEditor.stderr).toContain('The editor exited with 1; nothing sent');
  expect((await reelflow(['script', 'show', id])).stdout).toBe(shown.stdout);

  const edited = await reelflow(['script', 'edit', id], { EDITOR: `sed -i 's/"title": "[^"]*"/"title": "Edited in sed"/'` });
  expect(edited.stderr).toBe('');
  expect(edited.code).toBe(0);
  expect(edited.stdout).toContain(`reelflow approve ${id}`);
  const after = JSON.parse((await reelflow(['script', 'show', id])).stdout) as { scenes: { title: string }[] };
  expect(after.scenes.map((s) => s.title)).toEqual(script.scenes.map(() => 'Edited in sed'));

  const approved = await reelflow(['approve', id]);
  expect(approved.code).toBe(0);
  expect(approved.stdout).toMatch(new RegExp(`^approved ${id}; now (narrating|generating_clips|rendering|done)`));
  const followed = await reelflow(['follow', id]);
  expect(followed.code).toBe(0);
  expect(followed.stdout).toMatch(/100% done/);
  expect((await reelflow(['approve', id])).code).toBe(1);

  // Two completed videos now: a page of one keeps the filters in its "more" hint.
  const paged = await reelflow(['list', '--status', 'completed', '--limit', '1']);
  expect(paged.code).toBe(0);
  expect(paged.stdout.trim().split('\n')).toHaveLength(2);
  expect(paged.stderr).toMatch(/^more: reelflow list --status completed --limit 1 --cursor \S+\n$/);
});

test('cancel stops a reviewed video, follow then exits non-zero; retry takes its script over; delete removes both', async () => {
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

  // A retry takes the written script over; it was never approved, so the new video awaits review.
  const retried = await reelflow(['retry', id]);
  expect(retried.code).toBe(0);
  const retryId = retried.stdout.trim();
  expect(retryId).toMatch(/^video-/);
  expect(retried.stderr).toContain(`reelflow follow ${retryId}`);
  const retryStatus = await pollUntil(
    async () => JSON.parse((await reelflow(['status', retryId])).stdout) as { stage: string; retryOf?: string },
    (s) => s.stage === 'awaiting_review',
  );
  expect(retryStatus.retryOf).toBe(id);
  expect((await reelflow(['script', 'show', retryId])).stdout).toBe((await reelflow(['script', 'show', id])).stdout);

  // Deleting a running video cancels it first; both leave the list.
  for (const video of [retryId, id]) {
    const deleted = await reelflow(['delete', video]);
    expect(deleted.stderr).toBe('');
    expect(deleted.stdout).toBe(`deleted ${video}\n`);
  }
  const listed = await reelflow(['list', '--limit', '100']);
  expect(listed.stdout).not.toContain(id);
  expect(listed.stdout).not.toContain(retryId);
  const gone = await reelflow(['retry', id]);
  expect(gone.code).toBe(1);
  expect(gone.stderr).toContain('(404)');
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

  const badVoice = await reelflow(['create', '--title', 'Voice', '--text', 'Hello.', '--voice', 'not a voice']);
  expect(badVoice.code).toBe(1);
  expect(badVoice.stderr).toContain('voice must be a plain voice name');

  const unreachable = await reelflow(['follow', 'video-x', '--api', 'http://127.0.0.1:9']);
  expect(unreachable.code).toBe(1);
  expect(unreachable.stderr).toMatch(/^reelflow: Cannot reach the Reelflow API at http:\/\/127\.0\.0\.1:9/);
  expect(unreachable.stderr).not.toContain('fetch failed');

  expect((await reelflow(['frobnicate'])).code).toBe(2);
  expect((await reelflow(['script', 'frob', 'video-x'])).code).toBe(2);
  expect((await reelflow(['create', '--title', 'T', '--text', 'x', '--max-scenes', 'many'])).code).toBe(2);
  expect((await reelflow(['create', '--title', 'No text'])).code).toBe(2);
  expect((await reelflow(['status'])).code).toBe(2);
  expect((await reelflow(['--help'])).stdout).toContain('Usage: reelflow');
});
