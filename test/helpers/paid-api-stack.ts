/**
 * The whole paid stack a test drives from outside: a real Temporal server, Gemini and Runway
 * fakes on 127.0.0.1, a worker process (src/worker.ts) using them through the real SDKs, and the
 * real HTTP API. The fakes' request logs are the witness of what was paid for.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApp } from '../../src/api/create-app';
import { loadConfig } from '../../src/config';
import { LocalArtifactStore } from '../../src/storage/local-artifact-store';
import { startFakeGemini, type FakeGemini } from '../fakes/fake-gemini';
import { startFakePubmed, type FakePubmed } from '../fakes/fake-pubmed';
import { startFakeRunway, type FakeRunway, type FakeRunwayOptions } from '../fakes/fake-runway';
import { startChildWorker, type ChildWorker } from './child-worker';
import { serveApp, type ServedApp } from './serve-app';
import { startTestEnv } from './temporal-test-env';
import { uniqueName } from './unique';

export interface PaidApiStack {
  env: TestWorkflowEnvironment;
  gemini: FakeGemini;
  runway: FakeRunway;
  /** PubMed, so that no test of the stack reaches NCBI. */
  pubmed: FakePubmed;
  mediaRoot: string;
  /** The deployment's workflow task queue. */
  taskQueue: string;
  /** The worker process now running; `crashWorker` replaces it. */
  worker: ChildWorker;
  api: ServedApp;
  /** Kills the worker process (SIGKILL, as a crashed machine) and starts a new one in its place. */
  crashWorker(): Promise<void>;
  /** Scripts asked of Gemini (requests that are not for audio). */
  scriptCalls(): number;
  /** Narrations asked of Gemini TTS. */
  narrationCalls(): number;
  stop(): Promise<void>;
}

export interface PaidApiStackOptions {
  /** Names the task queue and the media folder. */
  name: string;
  runway?: Omit<FakeRunwayOptions, 'apiKey'>;
  /** More worker configuration. */
  workerEnv?: Record<string, string>;
  /** More API configuration (API_KEYS, CACHE_SCOPE, quotas…). */
  apiEnv?: Record<string, string>;
}

export async function startPaidApiStack(options: PaidApiStackOptions): Promise<PaidApiStack> {
  const [env, gemini, runway, pubmed] = await Promise.all([
    startTestEnv(),
    startFakeGemini({ apiKey: 'test-gemini-key' }),
    startFakeRunway({ apiKey: 'test-runway-key', ...options.runway }),
    startFakePubmed(),
  ]);
  const mediaRoot = await fs.mkdtemp(path.join(os.tmpdir(), `reelflow-${options.name}-`));
  const taskQueue = uniqueName(options.name);
  const workerOptions = {
    address: env.address,
    taskQueue,
    mediaRoot,
    env: {
      SCRIPT_PROVIDER: 'gemini',
      NARRATION_PROVIDER: 'gemini',
      CLIP_PROVIDER: 'runway',
      GEMINI_API_KEY: 'test-gemini-key',
      GOOGLE_GEMINI_BASE_URL: gemini.url,
      RUNWAYML_API_SECRET: 'test-runway-key',
      RUNWAYML_BASE_URL: runway.url,
      PUBMED_BASE_URL: pubmed.url,
      CLIP_WAIT_HEARTBEAT_SEC: '1',
      ...options.workerEnv,
    },
  };
  const worker = await startChildWorker(workerOptions);
  const config = loadConfig({ TASK_QUEUE: taskQueue, MEDIA_ROOT: mediaRoot, TEMPORAL_ADDRESS: env.address, PORT: '0', ...options.apiEnv });
  const client = new Client({ connection: env.connection, namespace: config.temporal.namespace });
  const api = await serveApp(createApp({ client, config, store: new LocalArtifactStore(mediaRoot) }));
  const isAudio = (body: unknown) => JSON.stringify(body).includes('AUDIO');
  const stack: PaidApiStack = {
    env,
    gemini,
    runway,
    pubmed,
    mediaRoot,
    taskQueue,
    worker,
    api,
    scriptCalls: () => gemini.requests.filter((r) => !isAudio(r.body)).length,
    narrationCalls: () => gemini.requests.filter((r) => isAudio(r.body)).length,
    async crashWorker() {
      await stack.worker.kill();
      stack.worker = await startChildWorker(workerOptions);
    },
    async stop() {
      await api.close();
      await stack.worker.stop();
      await Promise.all([env.teardown(), gemini.close(), runway.close(), pubmed.close()]);
      await fs.rm(mediaRoot, { recursive: true, force: true });
    },
  };
  return stack;
}
