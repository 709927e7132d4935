/**
 * TLS and mTLS end to end: the worker and the API connect through a TLS front (private CA, server
 * name override, client certificate) to a real Temporal server and render a video; a missing
 * client certificate, a wrong server name and a plaintext client fail with a line that says so.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { startApi, type RunningApi } from '../../src/api/main';
import { loadConfig } from '../../src/config';
import { LocalArtifactStore } from '../../src/storage/local-artifact-store';
import { connectClient, connectWorker } from '../../src/temporal-connection/connect';
import { TemporalUnreachableError } from '../../src/temporal-connection/temporal-unreachable-error';
import { createWorkers } from '../../src/worker-runtime/create-workers';
import { pollUntil } from '../helpers/poll';
import { startTestEnv } from '../helpers/temporal-test-env';
import { createTestCertificates, type TestCertificates } from '../helpers/test-certificates';
import { startTlsProxy, type TlsProxy } from '../helpers/tls-proxy';
import { uniqueName } from '../helpers/unique';
import { localDeps } from '../helpers/video-stack';
import { workflowBundle } from '../helpers/workflow-bundle';

const SERVER_NAME = 'temporal.test';

let env: TestWorkflowEnvironment;
let dir: string;
let certs: TestCertificates;
let mtlsProxy: TlsProxy;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reelflow-tls-'));
  certs = createTestCertificates(dir, SERVER_NAME);
  env = await startTestEnv();
  mtlsProxy = await startTlsProxy(env.address, certs, { requireClientCert: true });
});
afterAll(async () => {
  await mtlsProxy?.close();
  await env?.teardown();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The environment of a deployment that reaches Temporal through the mTLS front. */
const mtlsEnv = (extra: Record<string, string> = {}) => ({
  TEMPORAL_ADDRESS: mtlsProxy.address,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCertPath,
  TEMPORAL_TLS_SERVER_NAME: SERVER_NAME,
  TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCertPath,
  TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKeyPath,
  ...extra,
});

test('the worker and the API connect over mTLS with a private CA and render a video', async () => {
  const mediaRoot = fs.mkdtempSync(path.join(dir, 'media-'));
  const config = loadConfig(mtlsEnv({ TASK_QUEUE: uniqueName('tls'), MEDIA_ROOT: mediaRoot, PORT: '0' }));
  const connection = await connectWorker(config);
  let workers: Worker[] = [];
  let api: RunningApi | undefined;
  try {
    workers = await createWorkers({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      deps: localDeps(new LocalArtifactStore(mediaRoot)),
      limits: { concurrency: config.concurrency, ratePerSec: {} },
      workflowBundle: await workflowBundle(),
      common: { shutdownGraceTime: '1s' },
    });
    const running = workers.map((w) => w.run());
    api = await startApi(config);
    const apiUrl = api.url;
    const created = await fetch(`${apiUrl}/api/videos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: { type: 'text', title: 'Over TLS', text: 'Every byte to the server is encrypted.' } }),
    });
    expect(created.status).toBe(202);
    const { id } = (await created.json()) as { id: string };
    const done = await pollUntil(
      async () => (await (await fetch(`${apiUrl}/api/videos/${id}`)).json()) as { status: string },
      (status) => status.status !== 'queued' && status.status !== 'running',
      90_000,
      500,
    );
    expect(done.status).toBe('completed');
    for (const w of workers) w.shutdown();
    await Promise.all(running);
  } finally {
    await api?.close();
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await connection.close();
  }
});

/** The error both connection kinds give for a configuration, as the one line an operator reads. */
async function failures(extra: Record<string, string>, base: Record<string, string> = mtlsEnv()): Promise<string[]> {
  const config = loadConfig({ ...base, ...extra });
  const results = await Promise.allSettled([connectWorker(config), connectClient(config)]);
  return results.map((result) => {
    if (result.status === 'fulfilled') {
      void result.value.close();
      return 'connected';
    }
    expect(result.reason).toBeInstanceOf(TemporalUnreachableError);
    return (result.reason as Error).message;
  });
}

test('without a client certificate the handshake fails, and the line names the address and the TLS settings', async () => {
  const { TEMPORAL_TLS_CLIENT_CERT_PATH: _cert, TEMPORAL_TLS_CLIENT_KEY_PATH: _key, ...withoutClientCert } = mtlsEnv();
  for (const message of await failures({}, withoutClientCert)) {
    expect(message).toMatch(new RegExp(`^Cannot use Temporal at ${mtlsProxy.address}: the TLS handshake failed \\(.*certificate required`));
    expect(message).toContain('TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH for mTLS');
  }
});

test('a server name that the certificate does not carry fails the TLS handshake', async () => {
  for (const message of await failures({ TEMPORAL_TLS_SERVER_NAME: 'other.test' })) {
    expect(message).toMatch(new RegExp(`^Cannot use Temporal at ${mtlsProxy.address}: the TLS handshake failed \\(.*other\\.test`));
  }
});

test('a plaintext client against a TLS port is told to turn TLS on', async () => {
  for (const message of await failures({}, { TEMPORAL_ADDRESS: mtlsProxy.address })) {
    expect(message).toMatch(
      new RegExp(`^Cannot use Temporal at ${mtlsProxy.address}: the server expects TLS but TLS is off; set TEMPORAL_TLS=true`),
    );
  }
});

test('a TLS client against a plaintext server is told to check the TLS settings', async () => {
  for (const message of await failures({}, { TEMPORAL_ADDRESS: env.address, TEMPORAL_TLS: 'true' })) {
    expect(message).toMatch(
      new RegExp(`^Cannot use Temporal at ${env.address}: the TLS handshake failed .*TEMPORAL_TLS=false for a server without TLS`),
    );
  }
});

test('a namespace the server does not have is named', async () => {
  const namespace = uniqueName('missing');
  for (const message of await failures({}, { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: namespace })) {
    expect(message).toBe(
      `Cannot use Temporal at ${env.address}: namespace ${namespace} does not exist there; ` +
        'set TEMPORAL_NAMESPACE to an existing namespace (on Temporal Cloud: <namespace>.<account>)',
    );
  }
});
