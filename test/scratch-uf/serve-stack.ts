// Scratch: a stack for schemathesis (not part of the suite).
import { writeFileSync } from 'node:fs';
import { Client } from '@temporalio/client';
import { createApp } from '../../src/api/create-app';
import { loadConfig } from '../../src/config';
import { MediaStore } from '../../src/storage/media-store';
import { connectClient } from '../../src/temporal-connection/connect';
import { startTestEnv } from '../helpers/temporal-test-env';
import { startVideoStack } from '../helpers/video-stack';
import { serveApp } from '../helpers/serve-app';

const mode = process.argv[2];
const limits = { CREATE_RATE_LIMIT: '100000', READ_RATE_LIMIT: '100000', SSE_MAX_STREAMS_PER_TENANT: '100000', HEALTH_CACHE_SEC: '0', TENANT_MAX_RUNNING: '0' };
async function main() {
  const env = await startTestEnv();
  const tq = `tq-st-${mode}-${Date.now()}`;
  const config = loadConfig({ TASK_QUEUE: tq, MEDIA_ROOT: '/tmp/uf-media', TEMPORAL_ADDRESS: env.address, ...limits });
  const connection = await connectClient(config);
  const client = new Client({ connection, namespace: config.temporal.namespace });
  if (mode === 'worker') await startVideoStack(env, { taskQueue: tq, env: { ...limits } });
  const api = await serveApp(createApp({ client, config, store: new MediaStore('/tmp/uf-media') }));
  const res = await fetch(`${api.url}/api/videos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ source: { type: 'text', title: 'T', text: 'One.\n\nTwo.' }, options: { review: true, maxScenes: 2 } }) });
  const id = ((await res.json()) as any).id;
  if (mode === 'down') await env.teardown();
  writeFileSync(`/tmp/uf-st-${mode}.json`, JSON.stringify({ url: api.url, id }));
  console.log('READY', api.url, id);
  setInterval(() => undefined, 1 << 30);
}
void main();
