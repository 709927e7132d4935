/**
 * Replays every recorded history in test/replay/histories against the current workflow code. A
 * change that would break running videos in production (a reordered, added or removed activity,
 * timer or search-attribute update without `patched()`) fails here instead. Histories come from
 * scripts/generate-replay-histories.ts and `npm run history:export`; see docs/workflow-changes.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker, type ReplayResult } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { workflowBundle } from '../helpers/workflow-bundle';

const HISTORIES_DIR = path.join(__dirname, 'histories');
const files = fs
  .readdirSync(HISTORIES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const readHistory = (file: string) => JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')) as unknown;

let results: Map<string, ReplayResult>;

beforeAll(async () => {
  results = new Map();
  const histories = files.map((file) => ({ workflowId: file, history: historyFromJSON(readHistory(file)) }));
  for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle(), replayName: 'replay-suite' }, histories)) {
    results.set(result.workflowId, result);
  }
});

test('the recorded histories cover completed, failed, cancelled, retried and reviewed runs', () => {
  expect(files).toEqual(
    expect.arrayContaining([
      'completed.json',
      'failed-safety-blocked.json',
      'cancelled.json',
      'narration-retried.json',
      'reviewed-edited.json',
      'cancel-keeps-finished-files.json',
      'retry-takes-over-finished-work.json',
    ]),
  );
});

test.each(files)('%s replays on the current workflow code without a determinism error', (file) => {
  const result = results.get(file);
  expect(result).toBeDefined();
  expect(result?.error).toBeUndefined();
});

/** Every string of a history, with payloads (base64 JSON) decoded, as the readers of a leak would see them. */
function strings(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, into));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'data' && typeof v === 'string') into.push(Buffer.from(v, 'base64').toString('utf8'));
      else strings(v, into);
    }
  }
  return into;
}

test.each(files)('%s holds no absolute machine path and nothing shaped like a secret', (file) => {
  const text = strings(readHistory(file)).join('\n');
  const machinePaths = [path.resolve(__dirname, '../..'), os.homedir(), os.tmpdir()].filter((p) => p.length > 1);
  for (const prefix of machinePaths) expect(text).not.toContain(`${prefix}/`);
  // Any absolute path outside the placeholders the exporter writes (<project>, <home>, <tmp>).
  expect(text).not.toMatch(/(^|[\s("'=])\/(home|root|Users|tmp|var|work|private)\//m);
  // Gemini keys start with AIza; Runway secrets with key_; bearer tokens and PEM keys speak for themselves.
  expect(text).not.toMatch(/AIza[0-9A-Za-z_-]{20,}|\bkey_[0-9a-f]{20,}|Bearer\s+[\w.-]{20,}|-----BEGIN [A-Z ]*PRIVATE KEY-----/);
});

test('a workflow that calls its activities in another order fails replay with a DeterminismViolationError', async () => {
  const broken = await bundleWorkflowCode({
    workflowsPath: require.resolve('./nondeterministic-workflow'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  const replay = Worker.runReplayHistory(
    { workflowBundle: broken, replayName: 'replay-negative' },
    historyFromJSON(readHistory('completed.json')),
  );
  await expect(replay).rejects.toThrow(DeterminismViolationError);
});
