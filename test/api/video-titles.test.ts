/**
 * Titles where people look for them: list items and status bodies through the HTTP API, and the
 * run's summary, details, current details and activity summaries in Temporal (what the Web UI shows).
 */
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowMetadataQuery } from '@temporalio/workflow';
import { signWebhookBody } from '../../src/api/webhook-routes';
import type { SourceDocument } from '../../src/shared/video';
import { pollUntil } from '../helpers/poll';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';

const SECRET = 'titles-webhook-secret-0123456789abcdef';
const PMID = '31452104';
const PAPER_TITLE = 'Yawning as a brain cooling mechanism';

let env: TestWorkflowEnvironment;
let stack: VideoStack;
/** Holds every PubMed fetch until the test lets the paper arrive. */
let releasePaper: () => void = () => undefined;
const paperArrives = new Promise<void>((resolve) => {
  releasePaper = resolve;
});

const paper = (pmid: string): SourceDocument => ({
  title: PAPER_TITLE,
  pmid,
  authors: ['A. Author'],
  sections: [{ label: 'Abstract', text: 'Yawning cools the brain.\n\nPeople yawn more in warm rooms.' }],
});

const get = async (path: string) => {
  const res = await fetch(`${stack.apiUrl}${path}`);
  return { status: res.status, body: (await res.json()) as any };
};
const post = async (path: string, body?: unknown) => {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
};
const waitForStatus = (id: string, done: (s: any) => boolean) =>
  pollUntil(async () => (await get(`/api/videos/${id}`)).body, done, 120_000);
const listItem = async (id: string) => ((await get('/api/videos?limit=100')).body.items as any[]).find((i) => i.id === id);

beforeAll(async () => {
  env = await startTestEnv();
  stack = await startVideoStack(env, {
    api: true,
    env: { WEBHOOK_SECRET: SECRET },
    deps: () => ({
      sourceProvider: { fetchPubmed: async (pmid) => (await paperArrives, paper(pmid)), searchPubmed: () => Promise.resolve([]) },
    }),
  });
});
afterAll(async () => {
  releasePaper();
  await stack?.stop();
  await env?.teardown();
});

test("a text video is listed with its source's title from the start, and Temporal shows it as the run's summary", async () => {
  const created = await post('/api/videos', { source: { type: 'text', title: 'Why we  yawn', text: 'Yawning cools the brain.' } });
  expect(created.status).toBe(202);
  const id = created.body.id as string;
  expect(created.body.title).toBe('Why we  yawn');

  const item = await pollUntil(
    () => listItem(id),
    (i) => i !== undefined,
  );
  expect(item.title).toBe('Why we  yawn');

  const description = await env.client.workflow.getHandle(id).describe();
  // A summary is one line of markdown: runs of white space collapse.
  expect(await description.staticSummary()).toBe('Why we yawn');
  expect(await description.staticDetails()).toBe('Source: pasted text');
  await waitForStatus(id, (s) => s.status === 'completed');
});

test("a PubMed video is listed without a title until the paper is fetched, then with the paper's title", async () => {
  const created = await post('/api/videos', { source: { type: 'pubmed', pmid: PMID }, options: { review: true } });
  expect(created.status).toBe(202);
  const id = created.body.id as string;
  await waitForStatus(id, (s) => s.stage === 'fetching_source');

  const before = await pollUntil(
    () => listItem(id),
    (i) => i !== undefined,
  );
  expect(before.title).toBeNull();
  expect((await get(`/api/videos/${id}`)).body.title).toBeUndefined();
  const description = await env.client.workflow.getHandle(id).describe();
  expect(await description.staticSummary()).toBe(`PubMed ${PMID}`);
  expect(await description.staticDetails()).toBe(`Source: PubMed [${PMID}](https://pubmed.ncbi.nlm.nih.gov/${PMID}/)`);

  releasePaper();
  const status = await waitForStatus(id, (s) => s.stage === 'awaiting_review');
  expect(typeof status.title).toBe('string');
  const after = await pollUntil(
    () => listItem(id),
    (i) => i?.title !== null,
  );
  expect(after.title).toBe(PAPER_TITLE);

  // The run's current details (the Web UI's "Current Details") follow its stage.
  const metadata = await env.client.workflow.getHandle(id).query(workflowMetadataQuery);
  expect(metadata.currentDetails).toContain('Stage: awaiting_review');
  expect(metadata.currentDetails).toContain(`**${status.title as string}**`);
  await post(`/api/videos/${id}/cancel`);
  await waitForStatus(id, (s) => s.status === 'cancelled');
});

test('every paid or long activity call carries a summary that names its scene', async () => {
  const created = await post('/api/videos', {
    source: { type: 'text', title: 'Owls', text: 'Owls turn their heads far.\n\nThey see well at night.' },
  });
  const id = created.body.id as string;
  const done = await waitForStatus(id, (s) => s.status === 'completed');
  const history = await env.client.workflow.getHandle(id).fetchHistory();
  const summaries = (history.events ?? [])
    .filter((e) => e.activityTaskScheduledEventAttributes)
    .map((e) => ({
      type: e.activityTaskScheduledEventAttributes?.activityType?.name,
      summary: e.userMetadata?.summary ? defaultPayloadConverter.fromPayload<string>(e.userMetadata.summary) : undefined,
    }));
  const scenes = (done.scenes as unknown[]).length;
  expect(summaries.filter((s) => s.type === 'writeScript').map((s) => s.summary)).toEqual(['write script']);
  expect(summaries.filter((s) => s.type === 'narrateScene').map((s) => s.summary)).toEqual(
    Array.from({ length: scenes }, (_, i) => `narrate scene ${i}`),
  );
  const clips = summaries.filter((s) => s.type === 'awaitClipStep');
  expect(clips).toHaveLength(scenes);
  for (const clip of clips) expect(clip.summary).toMatch(/^clip scene \d+ \(/);
  expect(summaries.filter((s) => s.type === 'renderVideo').map((s) => s.summary)).toEqual([`render ${scenes} scenes`]);
});

test('a video started by a webhook delivery carries its title in the list and in its summary', async () => {
  const title = uniqueName('Webhook title');
  const raw = JSON.stringify({ source: { type: 'text', title, text: 'Bees dance to point at flowers.' }, options: { review: true } });
  const deliveryId = uniqueName('delivery');
  const timestamp = Math.floor(Date.now() / 1000);
  const res = await fetch(`${stack.apiUrl}/api/webhooks/videos`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-reelflow-delivery': deliveryId,
      'x-reelflow-timestamp': String(timestamp),
      'x-reelflow-signature': signWebhookBody(SECRET, { timestamp, deliveryId, body: raw }),
    },
    body: raw,
  });
  expect(res.status).toBe(202);
  const id = ((await res.json()) as { id: string }).id;
  const item = await pollUntil(
    () => listItem(id),
    (i) => i !== undefined,
  );
  expect(item.title).toBe(title);
  expect(await (await env.client.workflow.getHandle(id).describe()).staticSummary()).toBe(title);
  await post(`/api/videos/${id}/cancel`);
  await waitForStatus(id, (s) => s.status === 'cancelled');
});
