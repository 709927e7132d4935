/**
 * Encryption at rest, end to end on a real Temporal server: a video rendered with
 * PAYLOAD_ENCRYPTION_KEYS leaves no plaintext of its source in the server's history, the API
 * still reads its status, the history replays with the codec (and an export replays without it),
 * and the codec endpoint serves the Web UI and CLI only with an API key and from allowed origins.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { historyFromJSON, historyToJSON, type History } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { exportHistory } from '../../scripts/history-export';
import { dataConverterFor, payloadCodecFor } from '../../src/codec/data-converter';
import { temporalCliPath } from '../../src/dev/temporal-cli';
import { pollUntil } from '../helpers/poll';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';
import { workflowBundle } from '../helpers/workflow-bundle';

const run = promisify(execFile);
const API_KEY = 'codec-test-key-0123456789';
const UI_ORIGIN = 'http://localhost:8233';
/** Both keys decrypt; `current` encrypts, as after a rotation. */
const KEYS = `current:${randomBytes(32).toString('base64')},previous:${randomBytes(32).toString('base64')}`;

let env: TestWorkflowEnvironment;
let stack: VideoStack;
let videoId: string;
let rawHistory: History;
const title = uniqueName('Confidential findings');
const text = `${uniqueName('secret-marker')} Bees dance to tell others where flowers are.\n\nThe angle points at the food.`;

const auth = { authorization: `Bearer ${API_KEY}` };

beforeAll(async () => {
  env = await startTestEnv();
  stack = await startVideoStack(env, {
    api: true,
    env: { PAYLOAD_ENCRYPTION_KEYS: KEYS, API_KEYS: API_KEY, TEMPORAL_UI_URL: UI_ORIGIN },
  });
  const created = await fetch(`${stack.apiUrl}/api/videos`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ source: { type: 'text', title, text }, options: { maxScenes: 3 } }),
  });
  expect(created.status).toBe(202);
  videoId = ((await created.json()) as { id: string }).id;
  const done = await pollUntil(
    async () => (await (await fetch(`${stack.apiUrl}/api/videos/${videoId}`, { headers: auth })).json()) as { status: string },
    (status) => status.status !== 'queued' && status.status !== 'running',
    90_000,
    500,
  );
  expect(done.status).toBe('completed');
  // The test server's own client has no codec: it sees what the server stores.
  rawHistory = await env.client.workflow.getHandle(videoId).fetchHistory();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await env?.teardown();
});

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

/**
 * Every payload of a history in proto JSON, except search attributes (the server must index them)
 * and the SDK's patch markers (a patch id), which never pass through a codec.
 */
function payloadsOf(value: unknown, into: JsonPayload[] = []): JsonPayload[] {
  if (Array.isArray(value)) value.forEach((v) => payloadsOf(v, into));
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.metadata === 'object' && 'data' in record) into.push(record);
    else for (const [key, v] of Object.entries(record)) if (key !== 'searchAttributes' && key !== 'patch-data') payloadsOf(v, into);
  }
  return into;
}

const encodingOf = (payload: JsonPayload) => Buffer.from(payload.metadata?.encoding ?? '', 'base64').toString();

test('the server stores only ciphertext: no payload holds the title or the text', () => {
  const json = JSON.parse(historyToJSON(rawHistory)) as unknown;
  const payloads = payloadsOf(json);
  expect(payloads.length).toBeGreaterThan(10);
  expect(new Set(payloads.map(encodingOf))).toEqual(new Set(['binary/encrypted']));
  const keyIds = payloads.map((p) => Buffer.from(p.metadata?.['encryption-key-id'] ?? '', 'base64').toString());
  expect(new Set(keyIds)).toEqual(new Set(['current']));
  const everything = `${JSON.stringify(json)}\n${payloads.map((p) => Buffer.from(p.data ?? '', 'base64').toString('latin1')).join('\n')}`;
  for (const secret of [title, text.split(' ')[0] ?? '', 'Bees dance']) expect(everything).not.toContain(secret);
});

test('the API reads the encrypted run: its status shows the scenes in clear', async () => {
  const status = (await (await fetch(`${stack.apiUrl}/api/videos/${videoId}`, { headers: auth })).json()) as {
    scenes: { title: string }[];
  };
  expect(status.scenes.map((s) => s.title)).toContain(title);
});

test('the encrypted history replays with the codec only, and an export decrypted by history:export replays without it', async () => {
  const bundle = await workflowBundle();
  await expect(
    Worker.runReplayHistory({ workflowBundle: bundle, dataConverter: dataConverterFor(stack.config), replayName: 'encrypted' }, rawHistory),
  ).resolves.toBeUndefined();
  await expect(Worker.runReplayHistory({ workflowBundle: bundle, replayName: 'encrypted-no-codec' }, rawHistory)).rejects.toThrow(
    /binary\/encrypted/,
  );

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-encrypted-export-'));
  try {
    const file = await exportHistory(env.client, videoId, 'decrypted', dir, payloadCodecFor(stack.config));
    const exported = await fs.readFile(file, 'utf8');
    const decoded = payloadsOf(JSON.parse(exported)).map((p) => Buffer.from(p.data ?? '', 'base64').toString('utf8'));
    expect(decoded.join('\n')).toContain(title);
    await expect(
      Worker.runReplayHistory({ workflowBundle: bundle, replayName: 'decrypted-export' }, historyFromJSON(JSON.parse(exported))),
    ).resolves.toBeUndefined();
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

/** The workflow's input as the server stores it, in the JSON the codec protocol carries. */
function storedInput(): JsonPayload {
  const json = JSON.parse(historyToJSON(rawHistory)) as {
    events: { workflowExecutionStartedEventAttributes?: { input?: { payloads?: JsonPayload[] } } }[];
  };
  const input = json.events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!input) throw new Error('no workflow input in the history');
  return input;
}

const codecCall = (route: string, headers: Record<string, string>, payloads: JsonPayload[]) =>
  fetch(`${stack.apiUrl}/codec/${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers },
    body: JSON.stringify({ payloads }),
  });

test('the codec endpoint decodes a stored payload for a caller with an API key', async () => {
  const res = await codecCall('decode', { ...auth, origin: UI_ORIGIN }, [storedInput()]);
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
  const { payloads } = (await res.json()) as { payloads: JsonPayload[] };
  expect(encodingOf(payloads[0] ?? {})).toBe('json/plain');
  expect(JSON.parse(Buffer.from(payloads[0]?.data ?? '', 'base64').toString())).toMatchObject({ source: { title } });

  const plain = {
    metadata: { encoding: Buffer.from('json/plain').toString('base64') },
    data: Buffer.from('"round trip"').toString('base64'),
  };
  const encoded = (await (await codecCall('encode', auth, [plain])).json()) as { payloads: JsonPayload[] };
  expect(encodingOf(encoded.payloads[0] ?? {})).toBe('binary/encrypted');
  // Under a namespace path segment too, as templated codec endpoints call it.
  const back = (await (await codecCall('default/decode', auth, encoded.payloads)).json()) as { payloads: JsonPayload[] };
  expect(back.payloads[0]).toEqual(plain);
});

test('the codec endpoint refuses a caller without a valid API key, and a payload it cannot open', async () => {
  const anonymous = await codecCall('decode', { origin: UI_ORIGIN }, [storedInput()]);
  expect(anonymous.status).toBe(401);
  // The browser must be able to read the refusal, so it carries the CORS headers too.
  expect(anonymous.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
  expect(await anonymous.text()).not.toContain(title);
  expect((await codecCall('decode', { authorization: 'Bearer wrong-key-0123456789' }, [storedInput()])).status).toBe(401);

  const tampered = { ...storedInput(), data: Buffer.from('not a sealed payload at all').toString('base64') };
  const refused = await codecCall('decode', auth, [tampered]);
  expect(refused.status).toBe(400);
  expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('undecodable_payload');
});

test('the Web UI origin passes the CORS preflight; other origins get no CORS headers', async () => {
  const preflight = (origin: string) =>
    fetch(`${stack.apiUrl}/codec/decode`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-namespace',
      },
    });
  const ui = await preflight(UI_ORIGIN);
  expect(ui.status).toBe(204);
  expect(ui.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
  expect(ui.headers.get('access-control-allow-headers')).toContain('authorization');
  expect(ui.headers.get('access-control-allow-credentials')).toBe('true');
  const other = await preflight('https://evil.example');
  expect(other.headers.get('access-control-allow-origin')).toBeNull();
});

test('`temporal workflow show --codec-endpoint` shows the run in clear with the API key, and not without', async () => {
  const show = (...extra: string[]) =>
    run(temporalCliPath(), ['workflow', 'show', '--workflow-id', videoId, '--address', env.address, '--output', 'json', ...extra], {
      maxBuffer: 64 * 1024 * 1024,
    });
  const decoded = await show('--codec-endpoint', `${stack.apiUrl}/codec`, '--codec-auth', `Bearer ${API_KEY}`);
  const texts = payloadsOf(JSON.parse(decoded.stdout)).map((p) => Buffer.from(p.data ?? '', 'base64').toString('utf8'));
  expect(`${decoded.stdout}\n${texts.join('\n')}`).toContain(title);
  const refused = await show('--codec-endpoint', `${stack.apiUrl}/codec`, '--command-timeout', '5s').then(
    () => undefined,
    (err: { stdout?: string }) => err,
  );
  expect(refused).toBeDefined();
  expect(refused?.stdout ?? '').not.toContain(title);
});
