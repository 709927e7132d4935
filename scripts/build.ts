/**
 * `npm run build`: compiles src/ to dist/ (tsconfig.build.json: no tests, no dev scripts) and
 * copies the web page (src/web), prebuilds the workflow bundle beside it, so production runs plain `node dist/src/worker.js` and
 * the worker starts without webpack. The bundle holds every workflow interceptor module a worker
 * may add (tracing), because a worker cannot add any to a prebuilt bundle. The output folder is
 * emptied first, so a file deleted from src/ cannot linger in dist/.
 *
 * Usage: tsx scripts/build.ts [--out-dir DIR]   (DIR defaults to dist/)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bundleWorkflowCode } from '@temporalio/worker';
import { TRACING_WORKFLOW_MODULE } from '../src/observability/worker-observability';
import { WORKFLOW_BUNDLE_FILE } from '../src/worker-runtime/prebuilt-workflow-bundle';

const PROJECT_ROOT = path.resolve(__dirname, '..');
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

function compile(outDir: string): void {
  const tsc = require.resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir], {
    cwd: PROJECT_ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`tsc exited with ${result.status ?? result.signal}`);
}

/** Bundles the workflows the way a worker does at start, from the same sources tsc compiled. */
async function bundle(outDir: string): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../src/workflows'),
    workflowInterceptorModules: [TRACING_WORKFLOW_MODULE],
    logger: quiet,
  });
  const file = path.join(outDir, WORKFLOW_BUNDLE_FILE);
  await fs.writeFile(file, code);
  return file;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'out-dir': { type: 'string', default: 'dist' } } });
  const outDir = path.resolve(PROJECT_ROOT, values['out-dir']);
  const started = Date.now();
  await fs.rm(outDir, { recursive: true, force: true });
  compile(outDir);
  // The web page is served as written (plain HTML, CSS and an ES module), so it is copied.
  await fs.cp(path.join(PROJECT_ROOT, 'src', 'web'), path.join(outDir, 'src', 'web'), {
    recursive: true,
    filter: (source) => !source.endsWith('tsconfig.json'),
  });
  const file = await bundle(outDir);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `build: compiled src/ into ${path.relative(process.cwd(), outDir) || '.'}/ and wrote ${path.relative(process.cwd(), file)} in ${seconds} s`,
  );
}

main().catch((err: unknown) => {
  console.error(`build failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
