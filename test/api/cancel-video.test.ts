import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DrawnClipGenerator } from '../../src/providers/local/drawn-clip-generator';
import { pollUntil } from '../helpers/poll';
import { startTestEnv } from '../helpers/temporal-test-env';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';

let env: TestWorkflowEnvironment;
let stack: VideoStack;

beforeAll(async () => {
  env = await startTestEnv();
  // Sixty-second clips keep ffmpeg busy long enough to be caught drawing.
  stack = await startVideoStack(env, { api: true, deps: () => ({ clipGenerator: new DrawnClipGenerator({ durationSec: 60 }) }) });
});
afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

/** Pids of live processes whose command line mentions `needle`. */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = /^State:\s+(\w)/m.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (state !== 'Z' && cmdline.includes(needle)) pids.push(Number(entry));
    } catch {
      // The process ended while being read.
    }
  }
  return pids;
}

async function getJson(url: string, init?: RequestInit) {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

test('cancelling during clip generation reads cancelled only once ffmpeg has stopped, keeps only finished files; then a second cancel is 409', async () => {
  const started = await getJson(`${stack.apiUrl}/api/videos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      source: { type: 'text', title: 'Slow clips', text: 'Sleep helps memory. Naps help a little too.' },
      options: { maxScenes: 2 },
    }),
  });
  expect(started.status).toBe(202);
  const id = started.body.id as string;
  const folder = path.join(stack.mediaRoot, id);

  await pollUntil(
    async () => (await getJson(`${stack.apiUrl}/api/videos/${id}`)).body,
    (s) => s.stage === 'generating_clips',
    90_000,
  );
  await pollUntil(
    async () => processesMentioning(folder),
    (pids) => pids.length > 0,
    30_000,
  );

  const cancelledAt = Date.now();
  const cancel = await getJson(`${stack.apiUrl}/api/videos/${id}/cancel`, { method: 'POST' });
  expect(cancel.status).toBe(202);

  const final = await pollUntil(
    async () => (await getJson(`${stack.apiUrl}/api/videos/${id}`)).body,
    (s) => s.status === 'cancelled',
    20_000,
  );
  const statusMs = Date.now() - cancelledAt;
  expect(final.scenes.some((s: { clip: string }) => s.clip === 'done')).toBe(false);
  // `cancelled` is only shown once the run has really ended: activities stopped, no half-written
  // file left; what finished (the narrations) is kept for a retry.
  const narrated = (final.scenes as { index: number; narration: string }[])
    .filter((s) => s.narration === 'done')
    .map((s) => `scene-${String(s.index).padStart(2, '0')}.wav`);
  expect(fs.readdirSync(folder).sort()).toEqual(narrated.sort());
  expect(processesMentioning(folder)).toEqual([]);
  process.stdout.write(`cancel: cancelled, partial files gone and ffmpeg stopped ${statusMs} ms after the request\n`);

  const again = await getJson(`${stack.apiUrl}/api/videos/${id}/cancel`, { method: 'POST' });
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('already_finished');
});
