/**
 * The step cache on a real store on disk: what a key covers, what counts as a hit, that a hit
 * restarts the entry's retention clock, and that a store failure while keeping a copy is logged
 * rather than failing the step that already paid for its output.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { cacheKey, isCacheFolder, StepCache } from '../../src/cache/step-cache';
import { LocalArtifactStore } from '../../src/storage/local-artifact-store';

let root: string;
let store: LocalArtifactStore;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-step-cache-'));
  store = new LocalArtifactStore(root);
});
afterEach(() => fs.rm(root, { recursive: true, force: true }));

test('a key covers the scope, the step and every determinant, in any key order', () => {
  const key = cacheKey('shared', 'narration', { narrator: 'espeak-ng:en-us', text: 'Hello.', voice: 'en-us' });
  expect(isCacheFolder(key)).toBe(true);
  expect(cacheKey('shared', 'narration', { voice: 'en-us', text: 'Hello.', narrator: 'espeak-ng:en-us' })).toBe(key);
  for (const other of [
    cacheKey('tenant:alice', 'narration', { narrator: 'espeak-ng:en-us', text: 'Hello.', voice: 'en-us' }),
    cacheKey('shared', 'clip', { narrator: 'espeak-ng:en-us', text: 'Hello.', voice: 'en-us' }),
    cacheKey('shared', 'narration', { narrator: 'espeak-ng:en-us', text: 'Hello!', voice: 'en-us' }),
    cacheKey('shared', 'narration', { narrator: 'gemini-tts:model', text: 'Hello.', voice: 'en-us' }),
  ]) {
    expect(other).not.toBe(key);
  }
});

test('an output is a hit once stored, copies into a video, and its use restarts its retention clock', async () => {
  const cache = new StepCache(store);
  const key = cacheKey('shared', 'narration', { text: 'Hello.' });
  expect(await cache.get(key)).toBeUndefined();
  const output = path.join(root, 'made.wav');
  await fs.writeFile(output, 'RIFF-bytes');
  await new MockActivityEnvironment().run(() => cache.put(key, { step: 'narration', value: { durationSec: 1.5 }, credits: 3 }, output));
  // The made file stays where it was: the step publishes it into its own video.
  await expect(fs.readFile(output, 'utf8')).resolves.toBe('RIFF-bytes');

  const entryFile = path.join(root, key, 'entry.json');
  const old = new Date(Date.now() - 5 * 86_400_000);
  await fs.utimes(entryFile, old, old);
  const hit = await cache.get(key);
  expect(hit).toMatchObject({ step: 'narration', value: { durationSec: 1.5 }, credits: 3, file: 'output.wav' });
  expect((await fs.stat(entryFile)).mtimeMs).toBeGreaterThan(old.getTime() + 86_400_000);

  await cache.copyInto(key, hit!, 'video-1', 'scene-00.wav');
  await expect(fs.readFile(path.join(root, 'video-1', 'scene-00.wav'), 'utf8')).resolves.toBe('RIFF-bytes');

  // An entry whose output is gone is a miss, never half a hit.
  await fs.rm(path.join(root, key, 'output.wav'));
  expect(await cache.get(key)).toBeUndefined();
});

test('a store that fails while keeping a copy does not fail the step', async () => {
  const failing = Object.assign(Object.create(store) as LocalArtifactStore, {
    publish: () => Promise.reject(new Error('bucket unreachable')),
  });
  const cache = new StepCache(failing);
  const key = cacheKey('shared', 'script', { document: 'x' });
  await expect(
    new MockActivityEnvironment().run(() => cache.put(key, { step: 'script', value: { title: 'T' }, credits: 0 })),
  ).resolves.toBeUndefined();
  expect(await new StepCache(store).get(key)).toBeUndefined();
});
