/**
 * `npm run build` produces what production runs: compiled JavaScript beside a prebuilt workflow
 * bundle, laid out as in the Docker image (an app folder holding dist/ and node_modules/), and
 * the compiled worker, started with plain node, uses that bundle and renders a video.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WORKFLOW_TYPE } from '../../src/shared/temporal-names';
import type { generateVideo } from '../../src/workflows';
import { prebuiltWorkflowBundle, WORKFLOW_BUNDLE_FILE } from '../../src/worker-runtime/prebuilt-workflow-bundle';
import { startChildWorker, type ChildWorker } from '../helpers/child-worker';
import { shortVideoInput } from '../helpers/short-video';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';

jest.setTimeout(240_000);

const PROJECT_ROOT = path.resolve(__dirname, '../..');

let tmp: string;
let distDir: string;
let buildOutput = '';
let env: TestWorkflowEnvironment | undefined;
let worker: ChildWorker | undefined;

function runBuild(outDir: string): Promise<number | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--out-dir', outDir], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk: Buffer) => void (buildOutput += chunk.toString('utf8'));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return new Promise((resolve) => child.once('exit', resolve));
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-build-'));
  const app = path.join(tmp, 'app');
  distDir = path.join(app, 'dist');
  await fs.mkdir(app);
  // The image's layout: /app/dist beside /app/node_modules, nothing else of the repository.
  await fs.symlink(path.join(PROJECT_ROOT, 'node_modules'), path.join(app, 'node_modules'), 'dir');
  const [code, started] = await Promise.all([runBuild(distDir), startTestEnv()]);
  env = started;
  if (code !== 0) throw new Error(`npm run build failed (exit ${code}):\n${buildOutput}`);
});

afterAll(async () => {
  await worker?.stop();
  await env?.teardown();
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

test('the build compiles src/ only, with the worker, the API, the web page and the workflow bundle', async () => {
  const entries = await fs.readdir(distDir);
  expect(entries.sort()).toEqual(['src', WORKFLOW_BUNDLE_FILE]);
  await expect(fs.stat(path.join(distDir, 'src', 'worker.js'))).resolves.toBeTruthy();
  await expect(fs.stat(path.join(distDir, 'src', 'api', 'main.js'))).resolves.toBeTruthy();
  // The web page ships beside the API that serves it (src/api/web-page.ts finds it at ../web).
  expect((await fs.readdir(path.join(distDir, 'src', 'web'))).sort()).toEqual(['app.css', 'app.js', 'index.html']);
  const bundle = await fs.readFile(path.join(distDir, WORKFLOW_BUNDLE_FILE), 'utf8');
  expect(bundle).toContain('generateVideo');
});

test('the compiled worker starts on the prebuilt bundle and renders a video', async () => {
  const mediaRoot = path.join(tmp, 'media');
  const taskQueue = uniqueName('compiled');
  worker = await startChildWorker({
    address: env!.address,
    taskQueue,
    mediaRoot,
    compiledEntry: path.join(distDir, 'src', 'worker.js'),
  });
  expect(worker.output()).toContain(`"workflowBundle":${JSON.stringify(path.join(distDir, WORKFLOW_BUNDLE_FILE))}`);

  const input = shortVideoInput();
  const handle = await env!.client.workflow.start<typeof generateVideo>(WORKFLOW_TYPE, {
    taskQueue,
    workflowId: input.videoId,
    args: [input],
  });
  const state = await handle.result();
  expect(state.status).toBe('completed');
  expect(state.result?.durationSec).toBeGreaterThan(1);
  const video = await fs.stat(path.join(mediaRoot, input.videoId, 'video.mp4'));
  expect(video.size).toBeGreaterThan(10_000);

  const exit = await worker.stop();
  worker = undefined;
  expect(exit).toEqual({ code: 0, signal: null });
});

test('a worker running from the TypeScript sources never picks up a build', () => {
  expect(prebuiltWorkflowBundle()).toBeUndefined();
});
