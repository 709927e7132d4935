/**
 * The project runs on a supported Node wherever it is checked out: tests run on it, the processes
 * they start run on the same one, a machine with an older Node gets the pinned one, and the
 * versions written in package.json and the Dockerfile agree with scripts/lib/node-runtime.cjs.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

interface NodeRuntimeLib {
  MIN_NODE_MAJOR: number;
  PINNED_NODE_VERSION: string;
  chooseNodeRuntime(projectRoot: string, current: { version: string; execPath: string }): { use: 'current' | 'pinned' };
  linkPinnedNode(projectRoot: string): boolean;
  nodePaths(projectRoot: string): { binary: string; link: string };
}

const PROJECT_ROOT = path.resolve(__dirname, '../..');
// A plain require: the .cjs must stay loadable by Node before `npm install` has run.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require(path.join(PROJECT_ROOT, 'scripts', 'lib', 'node-runtime.cjs')) as NodeRuntimeLib;

const major = (version: string) => Number(version.replace(/^v/, '').split('.')[0]);

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-node-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

test('tests run on a supported Node, and a process started through process.execPath runs the same one', () => {
  expect(major(process.version)).toBeGreaterThanOrEqual(lib.MIN_NODE_MAJOR);
  const child = spawnSync(process.execPath, ['-p', 'process.version'], { encoding: 'utf8' });
  expect(child.stdout.trim()).toBe(process.version);
});

test('package.json and the Dockerfile name the Node versions that setup pins', async () => {
  const pkg = JSON.parse(await fs.readFile(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  expect(pkg.engines.node).toBe(`>=${lib.MIN_NODE_MAJOR}`);
  const dockerfile = await fs.readFile(path.join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
  expect(dockerfile).toContain(`node:${lib.PINNED_NODE_VERSION}-`);
});

test('a Node older than the supported one is replaced by the pinned one; a new enough one is kept', () => {
  expect(lib.chooseNodeRuntime(tmp, { version: '20.20.2', execPath: '/usr/bin/node' }).use).toBe('pinned');
  expect(lib.chooseNodeRuntime(tmp, { version: `${lib.MIN_NODE_MAJOR}.0.0`, execPath: '/usr/bin/node' }).use).toBe('current');
});

test('npm scripts find the pinned Node through node_modules/.bin, linked once', async () => {
  const { binary, link } = lib.nodePaths(tmp);
  await fs.mkdir(path.dirname(binary), { recursive: true });
  await fs.writeFile(binary, '#!/bin/sh\n', { mode: 0o755 });
  expect(lib.linkPinnedNode(tmp)).toBe(true);
  expect(await fs.realpath(link)).toBe(await fs.realpath(binary));
  expect(lib.linkPinnedNode(tmp)).toBe(false);
  // Setup run again by the pinned Node (through the link) keeps the pinned Node in place.
  expect(lib.chooseNodeRuntime(tmp, { version: lib.PINNED_NODE_VERSION, execPath: link }).use).toBe('pinned');
});
