/**
 * The ArtifactStore contract (src/storage/artifact-store.ts), one suite for every store. A store
 * under test is given as a factory of "hosts": stores that share the stored artifacts (one disk,
 * or one bucket) but each have their own working folder, as workers on two machines would.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ArtifactMissingError } from '../../src/storage/artifact-missing-error';
import type { ArtifactStore, StoredVideo } from '../../src/storage/artifact-store';
import { UnsafeMediaPathError } from '../../src/storage/unsafe-media-path-error';
import { uniqueName } from '../helpers/unique';

export interface StoreUnderTest {
  /** A store on a new host: same stored artifacts, a fresh empty working folder. */
  newHost(): Promise<ArtifactStore>;
  /** The working folder of a host made by newHost. */
  workingFolder(store: ArtifactStore): string;
  /** Big enough that publishing it is slow (several parts of a multipart upload on S3). */
  slowPublishBytes: number;
}

const sha = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function publishBytes(store: ArtifactStore, videoId: string, name: string, data: Buffer | string): Promise<void> {
  const file = await store.tempPath(videoId, name);
  await fs.writeFile(file, data);
  await store.publish(videoId, name, file);
}

async function collect(videos: AsyncIterable<StoredVideo>): Promise<Map<string, Date>> {
  const found = new Map<string, Date>();
  for await (const v of videos) found.set(v.videoId, v.modified);
  return found;
}

const exists = (file: string) =>
  fs.stat(file).then(
    () => true,
    () => false,
  );

/** `subject` is read once the file's own beforeAll has started the store's server. */
export function describeArtifactStoreContract(name: string, subjectOf: () => StoreUnderTest) {
  describe(`${name} keeps the ArtifactStore contract`, () => {
    let subject: StoreUnderTest;
    let host: ArtifactStore;
    beforeAll(async () => {
      subject = subjectOf();
      host = await subject.newHost();
    });

    test('a published artifact can be fetched, described and read whole or in part', async () => {
      const id = uniqueName('v');
      await publishBytes(host, id, 'script.json', '0123456789');
      expect(await fs.readFile(await host.fetch(id, 'script.json'), 'utf8')).toBe('0123456789');
      const info = await host.info(id, 'script.json');
      expect(info).toEqual({ size: 10, modified: expect.anything(), etag: expect.stringMatching(/^".+"$/) });
      expect(Math.abs((info?.modified.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
      expect((await readAll(await host.read(id, 'script.json'))).toString()).toBe('0123456789');
      expect((await readAll(await host.read(id, 'script.json', { start: 3, end: 5 }))).toString()).toBe('345');
    });

    test('tempPath gives a fresh private path in the working folder that keeps the extension', async () => {
      const id = uniqueName('v');
      const [a, b] = [await host.tempPath(id, 'video.mp4'), await host.tempPath(id, 'video.mp4')];
      expect(a).not.toBe(b);
      expect(path.extname(a)).toBe('.mp4');
      expect(a.startsWith(subject.workingFolder(host) + path.sep)).toBe(true);
      // Writing a working copy publishes nothing.
      await fs.writeFile(a, 'draft');
      expect(await host.info(id, 'video.mp4')).toBeUndefined();
      expect(await collect(host.listVideos())).not.toContain(id);
    });

    test('a reader during a slow publish sees the previous artifact or the whole new one, never a part', async () => {
      const id = uniqueName('v');
      const old = crypto.randomBytes(1024);
      const fresh = crypto.randomBytes(subject.slowPublishBytes);
      await publishBytes(host, id, 'video.mp4', old);
      const reader = await subject.newHost();
      const seen: string[] = [];
      let publishing = true;
      const reads = (async () => {
        while (publishing) seen.push(sha(await readAll(await reader.read(id, 'video.mp4'))));
      })();
      // The new content is written slowly into the working copy, then published.
      const file = await host.tempPath(id, 'video.mp4');
      const handle = await fs.open(file, 'w');
      for (let at = 0; at < fresh.length; at += fresh.length / 8) {
        await handle.write(fresh.subarray(at, at + fresh.length / 8));
        await new Promise((r) => setTimeout(r, 20));
      }
      await handle.close();
      await host.publish(id, 'video.mp4', file);
      publishing = false;
      await reads;
      seen.push(sha(await readAll(await reader.read(id, 'video.mp4'))));
      expect(seen.length).toBeGreaterThan(2);
      expect(seen.filter((s) => s !== sha(old) && s !== sha(fresh))).toEqual([]);
      expect(seen.at(-1)).toBe(sha(fresh));
      expect((await reader.info(id, 'video.mp4'))?.size).toBe(fresh.length);
    });

    test('publishing the same name again (a retried activity) replaces it, on every host', async () => {
      const id = uniqueName('v');
      const other = await subject.newHost();
      await publishBytes(host, id, 'scene-00.wav', 'first attempt');
      expect(await fs.readFile(await other.fetch(id, 'scene-00.wav'), 'utf8')).toBe('first attempt');
      await publishBytes(host, id, 'scene-00.wav', 'second attempt, longer');
      expect(await fs.readFile(await other.fetch(id, 'scene-00.wav'), 'utf8')).toBe('second attempt, longer');
      expect((await other.info(id, 'scene-00.wav'))?.size).toBe('second attempt, longer'.length);
    });

    test('fetch on a host that never saw the artifact gets it whole; a missing one is an ArtifactMissingError', async () => {
      const id = uniqueName('v');
      const data = crypto.randomBytes(300_000);
      await publishBytes(host, id, 'scene-01.clip.mp4', data);
      const empty = await subject.newHost();
      const local = await empty.fetch(id, 'scene-01.clip.mp4');
      expect(local.startsWith(subject.workingFolder(empty) + path.sep) || local.startsWith(subject.workingFolder(host))).toBe(true);
      expect(sha(await fs.readFile(local))).toBe(sha(data));
      await expect(empty.fetch(id, 'scene-02.clip.mp4')).rejects.toBeInstanceOf(ArtifactMissingError);
      await expect(empty.read(id, 'scene-02.clip.mp4')).rejects.toBeInstanceOf(ArtifactMissingError);
      expect(await empty.info(id, 'scene-02.clip.mp4')).toBeUndefined();
    });

    test('remove deletes every artifact of one video, stored and local, and may run twice', async () => {
      const [id, neighbour] = [uniqueName('v'), uniqueName('v')];
      await publishBytes(host, id, 'scene-00.wav', 'a');
      await publishBytes(host, id, 'video.mp4', 'b');
      await publishBytes(host, neighbour, 'video.mp4', 'c');
      const other = await subject.newHost();
      const cached = await other.fetch(id, 'scene-00.wav');
      await host.remove(id);
      await other.remove(id);
      await host.remove(id);
      expect(await host.info(id, 'scene-00.wav')).toBeUndefined();
      expect(await host.info(id, 'video.mp4')).toBeUndefined();
      expect(await exists(cached)).toBe(false);
      expect(await exists(path.join(subject.workingFolder(host), id))).toBe(false);
      expect(await host.info(neighbour, 'video.mp4')).toEqual(expect.objectContaining({ size: 1 }));
      const listed = await collect(host.listVideos());
      expect(listed.has(id)).toBe(false);
      expect(listed.has(neighbour)).toBe(true);
    });

    test('keepOnly keeps the named artifacts and deletes the rest, stored and local, and may run twice', async () => {
      const id = uniqueName('v');
      for (const n of ['video.mp4', 'script.json', 'scene-00.wav', 'scene-00.clip.mp4']) await publishBytes(host, id, n, n);
      const stray = await host.tempPath(id, 'scene-01.wav');
      await fs.writeFile(stray, 'left by a crashed attempt');
      await host.keepOnly(id, ['video.mp4', 'script.json', 'thumbnail.jpg']);
      await host.keepOnly(id, ['video.mp4', 'script.json', 'thumbnail.jpg']);
      expect(await host.info(id, 'video.mp4')).toBeDefined();
      expect(await host.info(id, 'script.json')).toBeDefined();
      expect(await host.info(id, 'scene-00.wav')).toBeUndefined();
      expect(await host.info(id, 'scene-00.clip.mp4')).toBeUndefined();
      expect((await fs.readdir(path.join(subject.workingFolder(host), id))).sort()).toEqual(
        host.kind === 'local' ? ['script.json', 'video.mp4'] : expect.not.arrayContaining(['scene-00.wav', path.basename(stray)]),
      );
      await host.keepOnly(uniqueName('never-stored'), ['video.mp4']);
    });

    test('listVideos names each video with an artifact and when its newest one was written', async () => {
      const [a, b] = [uniqueName('list'), uniqueName('list')];
      const before = Date.now() - 2000;
      await publishBytes(host, a, 'video.mp4', 'x');
      await publishBytes(host, a, 'script.json', 'y');
      await publishBytes(host, b, 'scene-00.wav', 'z');
      const listed = await collect(host.listVideos());
      for (const id of [a, b]) {
        expect(listed.get(id)?.getTime()).toBeGreaterThanOrEqual(before);
        expect(listed.get(id)?.getTime()).toBeLessThanOrEqual(Date.now() + 2000);
      }
      // Every video appears once, though it has several artifacts, with their names.
      const seen: { videoId: string; names: string[] }[] = [];
      for await (const v of host.listVideos()) seen.push(v);
      expect(seen.filter((v) => v.videoId === a)).toHaveLength(1);
      expect(seen.find((v) => v.videoId === a)?.names.sort()).toEqual(['script.json', 'video.mp4']);
      expect(seen.find((v) => v.videoId === b)?.names).toEqual(['scene-00.wav']);
    });

    test.each([
      ['a parent folder id', '../outside', 'video.mp4'],
      ['a nested id', 'a/b', 'video.mp4'],
      ['an empty id', '', 'video.mp4'],
      ['a parent folder name', 'v1', '../video.mp4'],
      ['a nested name', 'v1', 'x/video.mp4'],
      ['a hidden name', 'v1', '.video.mp4'],
      ['a name with ..', 'v1', 'a..mp4'],
    ])('%s is refused with UnsafeMediaPathError before any I/O', async (_what, videoId, name) => {
      const calls: (() => Promise<unknown>)[] = [
        () => host.tempPath(videoId, name),
        () => host.publish(videoId, name, '/nonexistent/file'),
        () => host.fetch(videoId, name),
        () => host.info(videoId, name),
        () => host.read(videoId, name),
        () => host.downloadUrl(videoId, name, 60),
      ];
      if (name === 'video.mp4') calls.push(() => host.remove(videoId));
      calls.push(() => host.keepOnly(videoId === '' || videoId.includes('/') || videoId.includes('..') ? videoId : 'v1', [name]));
      for (const call of calls) await expect(call()).rejects.toBeInstanceOf(UnsafeMediaPathError);
      expect(await exists(path.join(subject.workingFolder(host), '..', 'outside'))).toBe(false);
    });

    test('downloadUrl is a working presigned URL on S3 and undefined on disk', async () => {
      const id = uniqueName('v');
      await publishBytes(host, id, 'video.mp4', 'the video bytes');
      const url = await host.downloadUrl(id, 'video.mp4', 60);
      if (host.kind === 'local') {
        expect(url).toBeUndefined();
        return;
      }
      const response = await fetch(url!);
      expect([response.status, await response.text()]).toEqual([200, 'the video bytes']);
      expect(url).toContain('X-Amz-Expires=60');
    });
  });
}
