/**
 * Uploads and slideshows through the real stack: multipart requests to the real HTTP API, files
 * identified by the real ffprobe, a worker process (src/worker.ts, local providers) on a real
 * Temporal server, and the rendered MP4 probed. The media folder is the witness that a refused
 * request stores nothing and that a finished video keeps only what it serves.
 */
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApp } from '../../src/api/create-app';
import { loadConfig } from '../../src/config';
import { loudnessOf } from '../../src/media/loudness';
import { probeMedia } from '../../src/media/probe';
import { runTool } from '../../src/media/run-tool';
import { LocalArtifactStore } from '../../src/storage/local-artifact-store';
import { makeTone } from '../media/media-test-helpers';
import { startChildWorker, type ChildWorker } from '../helpers/child-worker';
import { pollUntil } from '../helpers/poll';
import { serveApp, type ServedApp } from '../helpers/serve-app';
import { startTestEnv } from '../helpers/temporal-test-env';
import { heicHeader, makeSplitImage, pixelAt, withExifOrientation } from '../helpers/test-images';
import { uniqueName } from '../helpers/unique';

jest.setTimeout(240_000);

const KEYS = { alice: 'alice-upload-key-0123456789', bob: 'bob-upload-key-0123456789' };
type Who = keyof typeof KEYS;

let env: TestWorkflowEnvironment;
let mediaRoot: string;
let scratch: string;
let worker: ChildWorker;
let api: ServedApp;
const file = (name: string) => path.join(scratch, name);

beforeAll(async () => {
  env = await startTestEnv();
  mediaRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-uploads-'));
  scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-upload-files-'));
  const taskQueue = uniqueName('uploads');
  worker = await startChildWorker({ address: env.address, taskQueue, mediaRoot });
  const config = loadConfig({
    TASK_QUEUE: taskQueue,
    MEDIA_ROOT: mediaRoot,
    TEMPORAL_ADDRESS: env.address,
    PORT: '0',
    API_KEYS: `alice:${KEYS.alice},bob:${KEYS.bob}`,
    UPLOAD_MAX_FILE_MB: '1',
    UPLOAD_MAX_FILES: '5',
    UPLOAD_MAX_PIXELS: '1000000',
    UPLOAD_MAX_AUDIO_SEC: '10',
  });
  const client = new Client({ connection: env.connection, namespace: config.temporal.namespace });
  api = await serveApp(createApp({ client, config, store: new LocalArtifactStore(mediaRoot) }));

  await makeSplitImage(file('raw.jpg'), 480, 240, 'yellow', 'magenta');
  await withExifOrientation(file('raw.jpg'), file('sideways.jpg'), 6);
  await makeSplitImage(file('cyan.png'), 640, 480, 'cyan');
  await makeSplitImage(file('white.webp'), 300, 500, 'white', 'orange');
  await makeSplitImage(file('huge.png'), 1200, 1000, 'gray');
  await makeTone(file('tone.wav'), 3);
  await makeTone(file('long.wav'), 12);
  for (const [name, codec] of [
    ['tone.mp3', 'libmp3lame'],
    ['tone.m4a', 'aac'],
    ['tone.webm', 'libopus'],
    ['tone.ogg', 'libvorbis'],
    ['lossless.m4a', 'alac'],
  ]) {
    await runTool('ffmpeg', ['-v', 'error', '-y', '-i', file('tone.wav'), '-c:a', codec!, file(name!)]);
  }
  await fs.writeFile(file('notes.jpg'), 'not a picture, whatever its name says\n');
  await fs.writeFile(file('photo.heic'), heicHeader());
  const jpeg = await fs.readFile(file('raw.jpg'));
  await fs.writeFile(file('truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  await fs.writeFile(file('big.bin'), Buffer.alloc(1.5 * 1024 * 1024, 7));
});
afterAll(async () => {
  await api?.close();
  await worker?.stop();
  await env?.teardown();
  for (const dir of [mediaRoot, scratch]) if (dir) await fs.rm(dir, { recursive: true, force: true });
});

type Json = Record<string, any>;
const auth = (who: Who) => ({ authorization: `Bearer ${KEYS[who]}` });

/** Sends `files` as parts named `file` (or `field`), each with the content type a browser would guess from its name. */
async function upload(who: Who, files: string[], field = 'file'): Promise<{ status: number; body: Json }> {
  const form = new FormData();
  for (const name of files) {
    const type = name.endsWith('.jpg') ? 'image/jpeg' : 'application/octet-stream';
    form.append(field, new Blob([await fs.readFile(file(name))], { type }), name);
  }
  const res = await fetch(`${api.url}/api/uploads`, { method: 'POST', headers: auth(who), body: form });
  return { status: res.status, body: (await res.json()) as Json };
}

async function call(who: Who, method: string, route: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${api.url}${route}`, {
    method,
    headers: { ...auth(who), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

/** Upload folders in the store right now. */
const storedUploads = async () => (await fs.readdir(mediaRoot)).filter((name) => name.startsWith('upload-')).sort();

const finished = (who: Who, id: string) =>
  pollUntil(
    async () => (await call(who, 'GET', `/api/videos/${id}`)).body,
    (s) => ['completed', 'failed', 'cancelled'].includes(s.status),
    180_000,
  );

async function download(who: Who, id: string, route: string, to: string): Promise<Response> {
  const res = await fetch(`${api.url}/api/videos/${id}/${route}`, { headers: auth(who) });
  await fs.writeFile(to, Buffer.from(await res.arrayBuffer()));
  return res;
}

describe('POST /api/uploads', () => {
  it('identifies images and audio by their content and answers one entry per part, in order', async () => {
    const sent = ['sideways.jpg', 'cyan.png', 'white.webp', 'tone.mp3', 'tone.m4a'];
    const { status, body } = await upload('alice', sent);
    expect(status).toBe(201);
    expect(body.uploads.map((u: Json) => u.name)).toEqual(sent);
    expect(body.uploads.map((u: Json) => [u.type, u.format])).toEqual([
      ['image', 'jpeg'],
      ['image', 'png'],
      ['image', 'webp'],
      ['audio', 'mp3'],
      ['audio', 'm4a'],
    ]);
    expect(body.uploads[0]).toMatchObject({ width: 480, height: 240, orientation: 6 });
    expect(body.uploads[3].durationSec).toBeCloseTo(3, 0);
    for (const u of body.uploads) expect(u.id).toMatch(/^upload-[0-9a-f-]{36}$/);
    const [wav, webm, ogg, alac] = (await upload('alice', ['tone.wav', 'tone.webm', 'tone.ogg', 'lossless.m4a'])).body.uploads;
    expect([wav.format, webm.format, webm.codec]).toEqual(['wav', 'webm', 'opus']);
    expect([ogg.format, ogg.codec, alac.format, alac.codec]).toEqual(['ogg', 'vorbis', 'm4a', 'alac']);
    // The owner reads an upload back; another tenant is told it does not exist.
    expect((await call('alice', 'GET', `/api/uploads/${wav.id}`)).body).toMatchObject({ id: wav.id, type: 'audio', name: 'tone.wav' });
    expect((await call('bob', 'GET', `/api/uploads/${wav.id}`)).status).toBe(404);
  });

  it.each([
    [['cyan.png', 'notes.jpg'], 415, 'notes.jpg: not an image'],
    [['photo.heic'], 415, "photo.heic: a HEIF/HEIC image, which this server's ffmpeg does not decode; send it as JPEG or PNG"],
    [['truncated.jpg'], 422, 'truncated.jpg: the image is damaged'],
    [['big.bin'], 413, 'big.bin: larger than the limit of 1048576 bytes'],
    [['huge.png'], 422, 'huge.png: 1200x1000 is 1200000 pixels, more than the limit of 1000000'],
    [['long.wav'], 422, 'long.wav: 12.0 s of audio, longer than the limit of 10 s'],
    [['cyan.png', 'cyan.png', 'cyan.png', 'cyan.png', 'cyan.png', 'cyan.png'], 413, 'At most 5 files'],
  ])('refuses %j with %i naming the file and the reason, and stores nothing of the request', async (files, status, message) => {
    const before = await storedUploads();
    const answer = await upload('alice', files);
    expect(answer.status).toBe(status);
    expect(answer.body.error.message).toContain(message);
    expect(await storedUploads()).toEqual(before);
  });

  it('streams each part to the store as it arrives, before the request has ended', async () => {
    const before = await storedUploads();
    const boundary = 'reelflow-streaming-test';
    const firstHalf = 512 * 1024;
    let sendTheRest!: () => void;
    const rest = new Promise<void>((resolve) => (sendTheRest = resolve));
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.bin"\r\n\r\n`));
        controller.enqueue(Buffer.alloc(firstHalf, 1));
        await rest;
        controller.enqueue(Buffer.alloc(256 * 1024, 2));
        controller.enqueue(Buffer.from(`\r\n--${boundary}--\r\n`));
        controller.close();
      },
    });
    const answer = fetch(`${api.url}/api/uploads`, {
      method: 'POST',
      headers: { ...auth('alice'), 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
      duplex: 'half',
    });
    // While the client holds back the rest, the first half is already in a working file on disk.
    const workingBytes = async () => {
      let bytes = 0;
      for (const folder of await fs.readdir(mediaRoot)) {
        if (!folder.startsWith('upload-') || before.includes(folder)) continue;
        for (const name of await fs.readdir(path.join(mediaRoot, folder)).catch(() => [])) {
          bytes += (await fs.stat(path.join(mediaRoot, folder, name)).catch(() => ({ size: 0 }))).size;
        }
      }
      return bytes;
    };
    expect(await pollUntil(workingBytes, (bytes) => bytes >= firstHalf, 10_000)).toBeGreaterThanOrEqual(firstHalf);
    sendTheRest();
    const res = await answer;
    // Not media, so refused once whole, and its working file is gone.
    expect(res.status).toBe(415);
    expect(((await res.json()) as Json).error.message).toContain('slow.bin: not an image');
    expect(await storedUploads()).toEqual(before);
  });

  it('refuses a part not named file, and a body that is not multipart', async () => {
    const wrongPart = await upload('alice', ['cyan.png'], 'image');
    expect(wrongPart.status).toBe(400);
    expect(wrongPart.body.error.message).toContain('Part "image" (cyan.png)');
    const json = await call('alice', 'POST', '/api/uploads', { file: 'cyan.png' });
    expect(json.status).toBe(415);
    const empty = await fetch(`${api.url}/api/uploads`, { method: 'POST', headers: auth('alice'), body: new FormData() });
    expect(empty.status).toBe(400);
  });

  it('identifies each file only once it is all on disk, however slowly the disk writes it', async () => {
    // A disk slow to open and write (a loaded machine, a network volume): each part's working
    // file appears only 300 ms after the parser has handed it the part's last byte.
    const createWriteStream = fsSync.createWriteStream.bind(fsSync);
    const slowDisk = jest.spyOn(fsSync, 'createWriteStream').mockImplementation(((target: string) => {
      const chunks: Buffer[] = [];
      return new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk);
          done();
        },
        final(done) {
          setTimeout(() => createWriteStream(target).end(Buffer.concat(chunks), done), 300);
        },
      });
    }) as unknown as typeof fsSync.createWriteStream);
    try {
      const form = new FormData();
      for (const name of ['cyan.png', 'photo.heic', 'tone.wav']) form.append('file', new Blob([await fs.readFile(file(name))]), name);
      const refused = await fetch(`${api.url}/api/uploads`, { method: 'POST', headers: auth('alice'), body: form });
      expect(refused.status).toBe(415);
      expect(((await refused.json()) as Json).error.message).toContain('photo.heic: a HEIF/HEIC image');
      form.delete('file');
      for (const name of ['cyan.png', 'tone.wav']) form.append('file', new Blob([await fs.readFile(file(name))]), name);
      const accepted = await fetch(`${api.url}/api/uploads`, { method: 'POST', headers: auth('alice'), body: form });
      expect(accepted.status).toBe(201);
      expect(((await accepted.json()) as Json).uploads.map((u: Json) => u.format)).toEqual(['png', 'wav']);
      expect(slowDisk).toHaveBeenCalledTimes(5);
    } finally {
      slowDisk.mockRestore();
    }
  });
});

describe('slideshow videos', () => {
  let images: Json[];
  let soundtrack: Json;

  beforeAll(async () => {
    const { body } = await upload('alice', ['sideways.jpg', 'cyan.png', 'white.webp', 'tone.m4a']);
    images = body.uploads.slice(0, 3);
    soundtrack = body.uploads[3];
  });

  it('narrates captions over the images, upright and crossfaded, at -16 LUFS, keeping only what it serves', async () => {
    const source = {
      type: 'slideshow',
      title: 'Three colours',
      images: [
        { upload: images[0]!.id, caption: 'Yellow sits above magenta once the photo is turned upright.' },
        images[1]!.id,
        { upload: images[2]!.id, caption: 'White, then orange.' },
      ],
      secondsPerImage: 2,
    };
    const created = await call('alice', 'POST', '/api/videos', { source });
    expect(created.status).toBe(202);
    const id = created.body.id as string;
    const status = await finished('alice', id);
    expect(status).toMatchObject({ status: 'completed', title: 'Three colours' });
    expect(status.scenes.map((s: Json) => [s.title, s.narration, s.clip])).toEqual([
      ['Yellow sits above magenta once the photo is turned upright', 'done', 'done'],
      ['Image 2', 'done', 'done'],
      ['White, then orange', 'done', 'done'],
    ]);
    expect(status.scenes[0].durationSec).toBeGreaterThan(2);

    const mp4 = file(`${id}.mp4`);
    expect((await download('alice', id, 'video', mp4)).status).toBe(200);
    const info = await probeMedia(mp4);
    expect(Math.abs(info.durationSec - status.result.durationSec)).toBeLessThanOrEqual(0.1);
    expect(info.video).toMatchObject({ width: 1280, height: 720 });
    const loudness = await loudnessOf(mp4);
    expect(Math.abs(loudness.integratedLufs + 16)).toBeLessThanOrEqual(1);
    expect(loudness.truePeakDbtp).toBeLessThanOrEqual(-1.5);
    const top = await pixelAt(mp4, 0.5, 640, 150);
    expect([top[0] > 200, top[1] > 200, top[2] < 80]).toEqual([true, true, true]);

    const subtitles = await fetch(`${api.url}/api/videos/${id}/subtitles?format=srt`, { headers: auth('alice') });
    // Sentence by sentence: the first caption is one cue, the second slide has none.
    expect(await subtitles.text()).toMatch(
      /^1\n00:00:00,000 --> .*\nYellow sits above magenta once the photo\s+is turned upright\.\n\n2\n.*\nWhite, then orange\.\n$/,
    );
    const thumbnail = await download('alice', id, 'thumbnail', file(`${id}.jpg`));
    expect(thumbnail.headers.get('content-type')).toBe('image/jpeg');
    expect(await fs.readdir(path.join(mediaRoot, id))).toEqual(['script.json', 'subtitles.srt', 'thumbnail.jpg', 'video.mp4']);
    // The uploads stay for other videos until retention takes them.
    expect((await call('alice', 'GET', `/api/uploads/${images[0]!.id}`)).status).toBe(200);
  });

  it('plays a soundtrack under the images, looped to their length and at -16 LUFS', async () => {
    const source = { type: 'slideshow', images: images.map((i) => i.id), audio: soundtrack.id, secondsPerImage: 2.5, fit: 'crop' };
    const created = await call('alice', 'POST', '/api/videos', { source, options: { preset: 'square' } });
    expect(created.status).toBe(202);
    const status = await finished('alice', created.body.id);
    expect(status.error).toBeUndefined();
    expect(status).toMatchObject({ status: 'completed', title: 'Slideshow', result: { durationSec: 7.5 } });
    const mp4 = file('soundtrack.mp4');
    await download('alice', created.body.id, 'video', mp4);
    const info = await probeMedia(mp4);
    expect(Math.abs(info.durationSec - 7.5)).toBeLessThanOrEqual(0.1);
    expect(info.video).toMatchObject({ width: 1080, height: 1080 });
    expect(Math.abs((await loudnessOf(mp4)).integratedLufs + 16)).toBeLessThanOrEqual(1);
  });

  it("refuses another tenant's upload, an unknown one, audio in place of an image, and a review", async () => {
    const cases: [Who, Json, number, string][] = [
      ['bob', { type: 'slideshow', images: [images[0]!.id] }, 422, 'was not found'],
      ['alice', { type: 'slideshow', images: ['upload-00000000-0000-4000-8000-000000000000'] }, 422, 'was not found'],
      ['alice', { type: 'slideshow', images: [soundtrack.id] }, 422, 'is audio, not image'],
      ['alice', { type: 'slideshow', images: [images[0]!.id], audio: images[1]!.id }, 422, 'is image, not audio'],
      ['alice', { type: 'slideshow', images: [] }, 400, 'body.source.images'],
      ['alice', { type: 'slideshow', images: ['cat.jpg'] }, 400, 'expected an upload id'],
    ];
    for (const [who, source, status, message] of cases) {
      const answer = await call(who, 'POST', '/api/videos', { source });
      expect([answer.status, answer.body.error.message]).toEqual([status, expect.stringContaining(message)]);
    }
    const reviewed = await call('alice', 'POST', '/api/videos', {
      source: { type: 'slideshow', images: [images[0]!.id] },
      options: { review: true },
    });
    expect(reviewed.status).toBe(400);
  });
});
