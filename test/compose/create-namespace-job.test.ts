/**
 * The compose file's one-shot `temporal-create-namespace` job, run as its container would run it
 * (`sh -euc`, the `temporal` CLI on PATH) against a real Temporal server that has none of the
 * project's search attributes: it registers every one the code needs, and a second run changes
 * nothing.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { load } from 'js-yaml';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporalCliPath } from '../../src/dev/temporal-cli';
import { SEARCH_ATTRIBUTES } from '../../src/shared/temporal-names';

const COMPOSE_FILE = path.resolve(__dirname, '../../docker-compose.temporal.yml');

interface JobService {
  environment: Record<string, string>;
  command: string[];
}

let server: TestWorkflowEnvironment;
let bin: string;

beforeAll(async () => {
  server = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: temporalCliPath() }, ip: '127.0.0.1', log: { format: 'pretty', level: 'error' } },
  });
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'reelflow-compose-bin-'));
  fs.symlinkSync(temporalCliPath(), path.join(bin, 'temporal'));
});
afterAll(async () => {
  await server?.teardown();
  fs.rmSync(bin, { recursive: true, force: true });
});

function runJob() {
  const compose = load(fs.readFileSync(COMPOSE_FILE, 'utf8')) as { services: Record<string, JobService> };
  const job = compose.services['temporal-create-namespace'];
  if (!job) throw new Error('no temporal-create-namespace service');
  // Compose turns `$$` into `$` before the shell sees the script.
  const script = job.command.join('\n').replaceAll('$$', '$');
  return spawnSync('/bin/sh', ['-euc', script], {
    env: { PATH: `${bin}:/usr/bin:/bin`, HOME: bin, TEMPORAL_ADDRESS: server.address, NAMESPACE: 'default', RETENTION: '72h' },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

async function registered(): Promise<Record<string, unknown>> {
  const response = await server.connection.operatorService.listSearchAttributes({ namespace: 'default' });
  return response.customAttributes ?? {};
}

test('registers every search attribute the code needs, and running it again is harmless', async () => {
  expect(Object.keys(await registered())).not.toContain('VideoTenant');
  const first = runJob();
  expect({ status: first.status, stderr: first.stderr }).toEqual({ status: 0, stderr: expect.any(String) });
  const after = await registered();
  const { INDEXED_VALUE_TYPE_KEYWORD, INDEXED_VALUE_TYPE_DOUBLE } = temporal.api.enums.v1.IndexedValueType;
  const types = { Keyword: INDEXED_VALUE_TYPE_KEYWORD, Double: INDEXED_VALUE_TYPE_DOUBLE };
  for (const attribute of SEARCH_ATTRIBUTES)
    expect([attribute.name, after[attribute.name]]).toEqual([attribute.name, types[attribute.type]]);
  const second = runJob();
  expect(second.status).toBe(0);
  expect(second.stdout).toMatch(/ready with search attributes/);
});
