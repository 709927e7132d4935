/**
 * What a client sees at the edges of the API: byte ranges of the MP4, a file that is gone, links
 * that no request header can steer, failure messages without server paths or secrets, and the
 * input limits the providers behind the API impose. All over real HTTP, with real workers.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApp } from '../../src/api/create-app';
import { publicBaseUrl } from '../../src/api/public-base-url';
import { VIDEO_FILE } from '../../src/activities/render-video';
import { loadConfig } from '../../src/config';
import { logger } from '../../src/shared-node/logger';
import type {
  AwaitClipStepRequest,
  ClipGenerator,
  ClipStepOutcome,
  NarrateRequest,
  Narrator,
  ScriptWriter,
  SubmitClipStepRequest,
  WriteScriptRequest,
} from '../../src/providers/contracts';
import { ProviderRejectedError } from '../../src/providers/errors';
import { DrawnClipGenerator } from '../../src/providers/local/drawn-clip-generator';
import { EspeakNarrator } from '../../src/providers/local/espeak-narrator';
import { LocalScriptWriter } from '../../src/providers/local/local-script-writer';
import { MAX_VISUAL_CHARS } from '../../src/shared/validate-script';
import type { Script } from '../../src/shared/video';
import { editScriptUpdate } from '../../src/workflows/video-messages';
import { pollUntil } from '../helpers/poll';
import { serveApp } from '../helpers/serve-app';
import { startTestEnv } from '../helpers/temporal-test-env';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';

const SECRET = `whsec-${randomUUID()}`;
/** Words in a video's text that make the providers below misbehave for that video only. */
const MARK = { junkClip: 'Quokkajunk', leak: 'Quokkaleak', longVisual: 'Quokkalong' };

/** Draws clips, except for scenes that mention MARK.junkClip: those get bytes ffmpeg cannot read. */
class MarkedClipGenerator implements ClipGenerator {
  private readonly inner = new DrawnClipGenerator({ durationSec: 1 });
  plan() {
    return this.inner.plan();
  }
  submit(request: SubmitClipStepRequest) {
    return this.inner.submit(request);
  }
  async await(request: AwaitClipStepRequest): Promise<ClipStepOutcome> {
    if (!request.scene.narration.includes(MARK.junkClip) || !request.outPath) return this.inner.await(request);
    await fs.writeFile(request.outPath, 'this is not a video');
    return { spend: { credits: 0 } };
  }
  cancel() {
    return this.inner.cancel();
  }
}

/** Speaks, except a text with MARK.leak: that is refused with a message quoting a secret and a path. */
class MarkedNarrator implements Narrator {
  private readonly inner = new EspeakNarrator({ fallbackVoice: 'en-us' });
  async narrate(request: NarrateRequest) {
    if (request.text.includes(MARK.leak)) throw new ProviderRejectedError(`Key ${SECRET} refused while writing ${request.outPath}`);
    return this.inner.narrate(request);
  }
}

/** The local writer, but for MARK.longVisual a model's habits: a 1500-character visual and blank ones. */
class MarkedScriptWriter implements ScriptWriter {
  private readonly inner = new LocalScriptWriter();
  async writeScript(request: WriteScriptRequest) {
    const written = await this.inner.writeScript(request);
    if (!JSON.stringify(request.document).includes(MARK.longVisual)) return written;
    const scenes = written.script.scenes.map((s, i) => ({ ...s, visual: i === 1 ? 'v'.repeat(1500) : '   ' }));
    return { ...written, script: { ...written.script, scenes } };
  }
}

let env: TestWorkflowEnvironment;
let stack: VideoStack;

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  json(): any;
}

/** One request over node:http, which sends a Host header of our choosing as it is. */
function request(url: string, options: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers = { ...(body ? { 'content-type': 'application/json' } : {}), ...options.headers };
    const req = http.request(url, { method: options.method ?? 'GET', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const data = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data, json: () => JSON.parse(data.toString('utf8')) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function startVideo(text: string, options: Record<string, unknown> = {}): Promise<string> {
  const res = await request(`${stack.apiUrl}/api/videos`, {
    method: 'POST',
    body: { source: { type: 'text', title: 'Island marsupials', text }, options: { maxScenes: 2, ...options } },
  });
  expect(res.status).toBe(202);
  return res.json().id as string;
}

const statusOf = async (id: string) => (await request(`${stack.apiUrl}/api/videos/${id}`)).json();
const finished = (id: string, onStatus: (status: any) => void = () => undefined) =>
  pollUntil(
    async () => {
      const status = await statusOf(id);
      onStatus(status);
      return status;
    },
    (s) => s.status !== 'queued' && s.status !== 'running',
    90_000,
  );

let ranged: string;
let gone: string;
let junk: string;
let leak: string;
let mp4: Buffer;

let warnings: jest.SpiedFunction<typeof logger.warn>;
let errors: jest.SpiedFunction<typeof logger.error>;

beforeAll(async () => {
  warnings = jest.spyOn(logger, 'warn');
  errors = jest.spyOn(logger, 'error');
  env = await startTestEnv();
  stack = await startVideoStack(env, {
    api: true,
    env: { WEBHOOK_SECRET: SECRET },
    deps: () => ({ clipGenerator: new MarkedClipGenerator(), narrator: new MarkedNarrator(), scriptWriter: new MarkedScriptWriter() }),
  });
  // The failing renders retry with backoff for about half a minute; they run while other tests do.
  junk = await startVideo(`${MARK.junkClip} animals smile at visitors. They hop across the island at dawn.`);
  leak = await startVideo(`${MARK.leak} animals smile at visitors. They hop across the island at dawn.`);
  [ranged, gone] = await Promise.all([
    startVideo('Quokkas live on Rottnest Island. They rest in the shade by day.'),
    startVideo('Quokkas eat leaves and grasses. They can go a long time without water.'),
  ]);
  for (const id of [ranged, gone]) expect((await finished(id)).status).toBe('completed');
  mp4 = await fs.readFile(stack.store.path(ranged, VIDEO_FILE));
}, 120_000);
afterAll(async () => {
  jest.restoreAllMocks();
  await stack?.stop();
  await env?.teardown();
});

describe('GET /api/videos/:id/video', () => {
  const videoUrl = () => `${stack.apiUrl}/api/videos/${ranged}/video`;

  test('a byte range gets 206 with exactly those bytes, and the whole file carries validators', async () => {
    const whole = await request(videoUrl());
    expect(whole.status).toBe(200);
    expect(whole.headers['content-type']).toBe('video/mp4');
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.headers['cache-control']).toBe('private, no-cache');
    expect(whole.headers.etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/);
    expect(Date.parse(whole.headers['last-modified'] ?? '')).not.toBeNaN();
    expect(Number(whole.headers['content-length'])).toBe(mp4.length);
    expect(whole.body.equals(mp4)).toBe(true);

    const size = mp4.length;
    for (const [range, start, end] of [
      ['bytes=0-99', 0, 99],
      ['bytes=-100', size - 100, size - 1],
      ['bytes=100-', 100, size - 1],
      ['bytes=10-99999999999', 10, size - 1],
      [`bytes=${size - 1}-${size - 1}`, size - 1, size - 1],
    ] as const) {
      const part = await request(videoUrl(), { headers: { range } });
      expect({ range, status: part.status, contentRange: part.headers['content-range'] }).toEqual({
        range,
        status: 206,
        contentRange: `bytes ${start}-${end}/${size}`,
      });
      expect(part.headers['content-type']).toBe('video/mp4');
      expect(part.body.equals(mp4.subarray(start, end + 1))).toBe(true);
    }
  });

  test('several ranges, or a range in another unit, get the whole file with 200', async () => {
    for (const range of ['bytes=0-1,5-6', 'bytes=0-1, 99999999999-', 'items=0-5']) {
      const res = await request(videoUrl(), { headers: { range } });
      expect({ range, status: res.status }).toEqual({ range, status: 200 });
      expect(res.body.equals(mp4)).toBe(true);
    }
  });

  test('an unsatisfiable or malformed byte range gets 416 with Content-Range and a JSON error', async () => {
    const size = mp4.length;
    for (const range of [
      'bytes=-0',
      'bytes=5-2',
      'bytes=99999999999-',
      `bytes=${size}-`,
      'bytes=abc',
      'bytes=',
      'bytes=-',
      'garbage',
      'b@d=1-2',
      'bytes=0-1,x',
    ]) {
      const res = await request(videoUrl(), { headers: { range } });
      expect({ range, status: res.status, contentType: res.headers['content-type'], contentRange: res.headers['content-range'] }).toEqual({
        range,
        status: 416,
        contentType: expect.stringMatching(/^application\/json/),
        contentRange: `bytes */${size}`,
      });
      expect(res.json().error).toEqual({ code: 'range_not_satisfiable', message: expect.stringContaining(`${size} bytes`) });
    }
  });

  test('HEAD answers headers only, and If-None-Match / If-Range follow the ETag', async () => {
    const head = await request(videoUrl(), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(mp4.length);
    expect(head.body.length).toBe(0);
    const headPart = await request(videoUrl(), { method: 'HEAD', headers: { range: 'bytes=0-9' } });
    expect([headPart.status, headPart.headers['content-length'], headPart.headers['content-range']]).toEqual([
      206,
      '10',
      `bytes 0-9/${mp4.length}`,
    ]);

    const etag = head.headers.etag as string;
    const cached = await request(videoUrl(), { headers: { 'if-none-match': etag } });
    expect([cached.status, cached.body.length]).toEqual([304, 0]);
    expect((await request(videoUrl(), { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
    const sameFile = await request(videoUrl(), { headers: { range: 'bytes=0-9', 'if-range': etag } });
    expect(sameFile.status).toBe(206);
    const otherFile = await request(videoUrl(), { headers: { range: 'bytes=0-9', 'if-range': '"stale"' } });
    expect(otherFile.status).toBe(200);
    expect(otherFile.body.equals(mp4)).toBe(true);
  });

  test('a completed video whose file is gone gets 410 video_gone; a broken store gets 500 with the request id only', async () => {
    const file = stack.store.path(gone, VIDEO_FILE);
    await fs.rm(file);
    const res = await request(`${stack.apiUrl}/api/videos/${gone}/video`, { headers: { range: 'bytes=0-9' } });
    expect(res.status).toBe(410);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json().error).toEqual({ code: 'video_gone', message: expect.stringContaining(gone) });

    // A folder where the file should be is the server's fault: the client learns nothing but an id to quote.
    await fs.mkdir(file);
    const requestId = `req-${randomUUID()}`;
    const broken = await request(`${stack.apiUrl}/api/videos/${gone}/video`, { headers: { 'x-request-id': requestId } });
    expect(broken.status).toBe(500);
    expect(broken.headers['x-request-id']).toBe(requestId);
    expect(broken.json().error).toEqual({ code: 'internal', message: `Internal error (request id ${requestId})`, details: { requestId } });
    // The log line with the cause carries the same id.
    expect(errors).toHaveBeenCalledWith('request failed', expect.objectContaining({ requestId, err: expect.any(Error) }));
  });
});

describe('links', () => {
  const spoofed = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' };

  test('statuses, lists and event streams link to the configured listener, whatever Host or X-Forwarded-* say', async () => {
    const status = await request(`${stack.apiUrl}/api/videos/${ranged}`, { headers: spoofed });
    expect(status.json().result.videoUrl).toBe(`${stack.apiUrl}/api/videos/${ranged}/video`);

    const list = await request(`${stack.apiUrl}/api/videos?limit=100`, { headers: spoofed });
    const items = list.json().items as { id: string; statusUrl: string }[];
    expect(items.map((i) => i.id)).toContain(ranged);
    for (const item of items) expect(item.statusUrl).toBe(`${stack.apiUrl}/api/videos/${item.id}`);

    // A finished video's stream sends its final snapshot at once and closes.
    const events = await request(`${stack.apiUrl}/api/videos/${ranged}/events`, { headers: spoofed });
    const last = events.body.toString('utf8').trim().split('\n\n').at(-1) ?? '';
    expect(last).toContain('event: end');
    expect(JSON.parse(last.split('\ndata: ')[1] ?? '{}').result.videoUrl).toBe(`${stack.apiUrl}/api/videos/${ranged}/video`);
    for (const reply of [status, list, events]) expect(reply.body.toString('utf8')).not.toContain('evil.example');
  });

  test('PUBLIC_URL, when set, is the base of every link', async () => {
    const config = loadConfig({
      TASK_QUEUE: stack.taskQueue,
      MEDIA_ROOT: stack.mediaRoot,
      PORT: '0',
      PUBLIC_URL: 'https://videos.example.org/',
    });
    const api = await serveApp(createApp({ client: env.client, config, store: stack.store }));
    try {
      const status = await request(`${api.url}/api/videos/${ranged}`, { headers: spoofed });
      expect(status.json().result.videoUrl).toBe(`https://videos.example.org/api/videos/${ranged}/video`);
      const list = await request(`${api.url}/api/videos?limit=100`, { headers: spoofed });
      for (const item of list.json().items) expect(item.statusUrl).toBe(`https://videos.example.org/api/videos/${item.id}`);
    } finally {
      await api.close();
    }
  });

  test('without PUBLIC_URL the base is http://HOST:PORT, a wildcard HOST read as this machine', () => {
    expect(publicBaseUrl(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }))).toBe('http://127.0.0.1:8080');
    expect(publicBaseUrl(loadConfig({ HOST: '::', PORT: '8080' }))).toBe('http://[::1]:8080');
    expect(publicBaseUrl(loadConfig({ HOST: 'api.internal', PORT: '3000' }))).toBe('http://api.internal:3000');
  });
});

describe('failure messages', () => {
  /** An absolute path: a slash that starts a word, as in ` /tmp/x` or `'/srv/x'`. */
  const ABSOLUTE_PATH = /(^|[\s'"(=])\/[^\s/]/;

  test('a render that ffmpeg cannot do fails naming the step and the file, with no server path', async () => {
    const retryMessages: string[] = [];
    const done = await finished(junk, (s) => {
      for (const retry of s.retries ?? []) if (retry.lastError) retryMessages.push(retry.lastError.message);
    });
    expect(done.status).toBe('failed');
    expect(done.error).toEqual(expect.objectContaining({ type: 'MediaToolFailed', stage: 'rendering' }));
    expect(done.error.message).toMatch(
      /^normalising a scene: ffmpeg exited with code \d+: .*\.mp4: Invalid data found when processing input$/,
    );
    // While it was retried, the status showed the same message; none of them carries a path.
    expect(retryMessages.length).toBeGreaterThan(0);
    for (const message of [done.error.message, ...retryMessages]) {
      expect(message).not.toContain(stack.mediaRoot);
      expect(message).not.toMatch(ABSOLUTE_PATH);
    }
    const download = await request(`${stack.apiUrl}/api/videos/${junk}/video`);
    expect([download.status, download.json().error.code]).toEqual([404, 'not_ready']);
    // The worker's log has ffmpeg's whole stderr, paths included, for the operator.
    expect(warnings).toHaveBeenCalledWith(
      'Media tool failed',
      expect.objectContaining({
        videoId: junk,
        tool: 'ffmpeg',
        step: 'normalising a scene',
        stderr: expect.stringContaining(`${stack.mediaRoot}/${junk}/`),
      }),
    );
  }, 90_000);

  test('a provider error that quotes a secret and a path reaches the client without either', async () => {
    const done = await finished(leak);
    expect(done.status).toBe('failed');
    expect(done.error.type).toBe('ProviderRejected');
    expect(done.error.message).toMatch(/^Key \[redacted\] refused while writing [\w.-]+\.wav$/);
    expect(JSON.stringify(done)).not.toContain(SECRET);
    expect(JSON.stringify(done)).not.toContain(stack.mediaRoot);
  });
});

describe('input limits', () => {
  test('a PMID with a leading zero gets 400 naming the field', async () => {
    for (const pmid of ['0123', '0', '1234567890']) {
      const res = await request(`${stack.apiUrl}/api/videos`, { method: 'POST', body: { source: { type: 'pubmed', pmid } } });
      expect({ pmid, status: res.status }).toEqual({ pmid, status: 400 });
      expect(res.json().error.message).toContain('body.source.pmid');
    }
  });

  test("a model's over-long visual is cut to the clip prompt limit and a blank one dropped; blank or long edits get 400", async () => {
    const id = await startVideo(`${MARK.longVisual} animals smile at visitors. They hop across the island at dawn.`, {
      review: true,
      maxScenes: 3,
    });
    await pollUntil(
      async () => (await statusOf(id)).stage,
      (stage) => stage === 'awaiting_review',
    );
    const script = (await request(`${stack.apiUrl}/api/videos/${id}/script`)).json() as Script;
    expect(script.scenes[1]?.visual).toBe('v'.repeat(MAX_VISUAL_CHARS));
    expect(script.scenes[0]).not.toHaveProperty('visual');

    // What the writer produced can be sent back as it is.
    const put = (body: Script) => request(`${stack.apiUrl}/api/videos/${id}/script`, { method: 'PUT', body });
    expect((await put(script)).status).toBe(200);
    const withVisual = (visual: string) => ({ ...script, scenes: script.scenes.map((s, i) => (i === 1 ? { ...s, visual } : s)) });
    for (const visual of ['', '   ', 'v'.repeat(MAX_VISUAL_CHARS + 1)]) {
      const res = await put(withVisual(visual));
      expect({ length: visual.length, status: res.status }).toEqual({ length: visual.length, status: 400 });
      expect(res.json().error.message).toContain('visual');
    }
    // The workflow's own validator, which every caller of the Update meets, refuses a blank visual too.
    const refusal = await env.client.workflow
      .getHandle(id)
      .executeUpdate(editScriptUpdate, { args: [withVisual(' ')] })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(refusal).toBeInstanceOf(WorkflowUpdateFailedError);
    expect((refusal as WorkflowUpdateFailedError).cause?.message).toContain('scenes[1].visual must not be blank');

    expect((await request(`${stack.apiUrl}/api/videos/${id}/cancel`, { method: 'POST' })).status).toBe(202);
  });
});
