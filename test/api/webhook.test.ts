import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApp } from '../../src/api/create-app';
import { signWebhookBody } from '../../src/api/webhook-routes';
import { loadConfig } from '../../src/config';
import { LocalArtifactStore } from '../../src/storage/local-artifact-store';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';
import { serveApp, type ServedApp } from './serve-app';

const SECRET = 'webhook-secret-for-replay-tests';
let env: TestWorkflowEnvironment;
let api: ServedApp;
/** No worker polls it: started videos stay queued and are terminated at the end. */
const taskQueue = uniqueName('tq-webhook');

function serveWith(vars: Record<string, string> = {}): Promise<ServedApp> {
  const config = loadConfig({
    TASK_QUEUE: taskQueue,
    MEDIA_ROOT: '/nonexistent-media-root',
    TEMPORAL_ADDRESS: env.address,
    PORT: '0',
    WEBHOOK_SECRET: SECRET,
    TENANT_MAX_RUNNING: '0',
    ...vars,
  });
  return serveApp(createApp({ client: env.client, config, store: new LocalArtifactStore(config.mediaRoot) }));
}

beforeAll(async () => {
  env = await startTestEnv();
  api = await serveWith();
});
afterAll(async () => {
  await api?.close();
  for await (const w of env.client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'` })) {
    await env.client.workflow.getHandle(w.workflowId).terminate('test over');
  }
  await env?.teardown();
});

const nowSec = () => Math.floor(Date.now() / 1000);
const body = () => JSON.stringify({ source: { type: 'text', title: uniqueName('title'), text: 'Owls turn their heads far.' } });

function signed(raw: string, { deliveryId = uniqueName('delivery'), timestamp = nowSec() } = {}) {
  return {
    'x-reelflow-delivery': deliveryId,
    'x-reelflow-timestamp': String(timestamp),
    'x-reelflow-signature': signWebhookBody(SECRET, { timestamp, deliveryId, body: raw }),
  };
}

async function deliver(raw: string, headers: Record<string, string>, url = api.url) {
  const res = await fetch(`${url}/api/webhooks/videos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: raw,
  });
  return { status: res.status, body: (await res.json()) as any };
}

test('a delivery signed within WEBHOOK_TOLERANCE_SEC of the server clock, either side, starts a video; sent again it starts nothing', async () => {
  for (const offset of [-290, 0, 290]) {
    const raw = body();
    const headers = signed(raw, { timestamp: nowSec() + offset });
    const first = await deliver(raw, headers);
    expect(first.status).toBe(202);
    const again = await deliver(raw, headers);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  }
});

test('a correctly signed delivery outside the window gets 401 stale_delivery saying how far off it was', async () => {
  const raw = body();
  const old = await deliver(raw, signed(raw, { timestamp: nowSec() - 400 }));
  expect(old.status).toBe(401);
  expect(old.body.error.code).toBe('stale_delivery');
  expect(old.body.error.message).toMatch(/^The delivery was signed (399|40\d) s ago; deliveries are accepted within 300 s/);
  const future = await deliver(raw, signed(raw, { timestamp: nowSec() + 400 }));
  expect(future.status).toBe(401);
  expect(future.body.error.message).toMatch(/signed (399|40\d) s in the future/);

  // The window is WEBHOOK_TOLERANCE_SEC.
  const strict = await serveWith({ WEBHOOK_TOLERANCE_SEC: '30' });
  try {
    expect((await deliver(raw, signed(raw, { timestamp: nowSec() - 60 }), strict.url)).status).toBe(401);
    expect((await deliver(raw, signed(raw, { timestamp: nowSec() - 10 }), strict.url)).status).toBe(202);
  } finally {
    await strict.close();
  }
});

test('a captured delivery sent again under a new delivery id or a new timestamp gets 401 invalid_signature and starts nothing', async () => {
  const raw = body();
  const captured = signed(raw);
  const before = (await env.client.workflow.count(`TaskQueue = '${taskQueue}'`)).count;
  for (const headers of [
    { ...captured, 'x-reelflow-delivery': uniqueName('delivery') },
    { ...captured, 'x-reelflow-timestamp': String(nowSec() + 1) },
    { ...captured, 'x-reelflow-timestamp': '' },
    { ...captured, 'x-reelflow-timestamp': 'yesterday' },
    { 'x-reelflow-delivery': captured['x-reelflow-delivery'], 'x-reelflow-signature': captured['x-reelflow-signature'] },
    // The body-only signature of earlier versions.
    { ...captured, 'x-reelflow-signature': `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}` },
  ]) {
    const res = await deliver(raw, headers);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_signature');
  }
  expect((await env.client.workflow.count(`TaskQueue = '${taskQueue}'`)).count).toBe(before);
});

describe('the sender snippets in docs/api.md', () => {
  let snippets: { js: string; sh: string };

  beforeAll(async () => {
    const doc = await fs.readFile(path.join(__dirname, '../../docs/api.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## Webhook'), doc.indexOf('\n## ', doc.indexOf('## Webhook') + 1));
    const block = (lang: string) => {
      const match = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(section);
      if (!match?.[1]) throw new Error(`docs/api.md has no ${lang} block in its webhook section`);
      return match[1];
    };
    snippets = { js: block('js'), sh: block('sh') };
  });

  async function run(command: string, args: string[]): Promise<{ code: number | null; out: string }> {
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH, WEBHOOK_SECRET: SECRET, REELFLOW_URL: api.url },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { code, out };
  }

  async function expectStarted(out: string) {
    const id = /"id":"([^"]+)"/.exec(out)?.[1];
    expect(id).toBeDefined();
    const described = await env.client.workflow.getHandle(id!).describe();
    expect(described.taskQueue).toBe(taskQueue);
  }

  test('the Node snippet, run as written, starts a video (202)', async () => {
    const { code, out } = await run(process.execPath, ['--input-type=module', '-e', snippets.js]);
    expect(code).toBe(0);
    expect(out).toMatch(/^202 \{/);
    await expectStarted(out);
  });

  test('the curl and openssl snippet, run as written, starts a video', async () => {
    const { code, out } = await run('bash', ['-euo', 'pipefail', '-c', snippets.sh]);
    expect(code).toBe(0);
    expect(JSON.parse(out).status).toBe('queued');
    await expectStarted(out);
  });
});
