import { startTestEnv } from '../helpers/temporal-test-env';
import { startVideoStack } from '../helpers/video-stack';
import { statusQuery } from '../../src/workflows/video-messages';

test('query timing', async () => {
  const env = await startTestEnv();
  const stack = await startVideoStack(env, { api: true });
  const res = await fetch(`${stack.apiUrl}/api/videos`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ source: { type: 'text', title: 'T', text: 'One.\n\nTwo.' }, options: { review: true, maxScenes: 2 } }) });
  const { id } = (await res.json()) as any;
  for (let i = 0; i < 100; i++) {
    const s = (await (await fetch(`${stack.apiUrl}/api/videos/${id}`)).json()) as any;
    if (s.stage === 'awaiting_review') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const h = env.client.workflow.getHandle(id);
  for (let i = 0; i < 5; i++) { const t = Date.now(); await h.query(statusQuery); console.log('with worker', Date.now() - t); }
  for (const w of stack.workers) w.shutdown();
  await new Promise((r) => setTimeout(r, 2000));
  for (const ms of [3000, 10000, 2000, 1000, 3000, 3000]) {
    const t = Date.now();
    try { await env.client.withDeadline(Date.now() + ms, () => h.query(statusQuery)); console.log(ms, 'ok?'); }
    catch (e: any) { console.log(ms, Date.now() - t, e.cause?.code, e.cause?.details ?? e.message); }
  }
  await new Promise((r) => setTimeout(r, 25000));
  for (const ms of [3000, 10000]) {
    const t = Date.now();
    try { await env.client.withDeadline(Date.now() + ms, () => h.query(statusQuery)); console.log(ms, 'ok?'); }
    catch (e: any) { console.log('later', ms, Date.now() - t, e.cause?.code, e.cause?.details ?? e.message); }
  }
  await stack.stop().catch(() => undefined);
  await env.teardown();
}, 300_000);
