/**
 * NCBI allows 3 requests a second without a key. The limit is a Temporal task-queue rate on the
 * source queue, enforced by the server, so it holds across every worker process, not per process.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadConfig } from '../../src/config';
import { ProviderRejectedError } from '../../src/providers/errors';
import { PubmedSourceProvider } from '../../src/providers/pubmed/pubmed-source-provider';
import { WORKFLOW_TYPE } from '../../src/shared/temporal-names';
import type { GenerateVideoInput } from '../../src/shared/video';
import { queueLimits } from '../../src/worker';
import { FIXTURE_PMIDS, startFakePubmed, type FakePubmed } from '../fakes/fake-pubmed';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';

let env: TestWorkflowEnvironment;
let pubmed: FakePubmed;
const stacks: VideoStack[] = [];

beforeAll(async () => {
  [env, pubmed] = await Promise.all([startTestEnv(), startFakePubmed()]);
});
afterAll(async () => {
  await Promise.all(stacks.map((s) => s.stop()));
  await Promise.all([env?.teardown(), pubmed?.close()]);
});

test('PubMed fetches stay within 3 per second across two worker sets on one queue', async () => {
  const config = loadConfig({ PUBMED_BASE_URL: pubmed.url });
  expect(queueLimits(config).ratePerSec.source).toBe(3);
  // The script stage refuses at once, so each run ends right after its fetch.
  const deps = () => ({
    sourceProvider: new PubmedSourceProvider({ baseUrl: pubmed.url }),
    scriptWriter: { writeScript: () => Promise.reject(new ProviderRejectedError('not needed here')) },
  });
  const first = await startVideoStack(env, { deps, limits: queueLimits(config) });
  stacks.push(first);
  stacks.push(await startVideoStack(env, { deps, limits: queueLimits(config), taskQueue: first.taskQueue, ownConnection: true }));

  const runs = 12;
  const handles = await Promise.all(
    Array.from({ length: runs }, async () => {
      const input: GenerateVideoInput = {
        videoId: uniqueName('rate'),
        source: { type: 'pubmed', pmid: FIXTURE_PMIDS.plain },
        options: { review: false, reviewTimeoutSec: 60, maxScenes: 3, voice: 'Kore', sceneConcurrency: 1 },
      };
      return env.client.workflow.start(WORKFLOW_TYPE, { taskQueue: first.taskQueue, workflowId: input.videoId, args: [input] });
    }),
  );
  await Promise.all(handles.map((h) => h.result().catch(() => undefined)));

  const times = pubmed.requests.map((r) => r.at).sort((a, b) => a - b);
  expect(times).toHaveLength(runs);
  const most = (windowMs: number) => Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + windowMs).length));
  // The server's token bucket lets a burst through after an idle spell (server 1.32: 4 at once
  // for a rate of 3), then holds the rate: 12 requests at 3/s take about (12 - 4) / 3 s at least.
  expect(most(100)).toBeLessThanOrEqual(3 + 1);
  expect(most(1000)).toBeLessThanOrEqual(2 * 3 + 1);
  expect(times[times.length - 1]! - times[0]!).toBeGreaterThanOrEqual(2400);
});
