/**
 * Gives the project's commands a supported Node.js on any machine. The project needs Node 22 or
 * newer; a machine whose own Node is older (Node 20 left support on 2026-04-30) gets a pinned
 * Node 24 LTS in `.tools/`, taken from the npm registry's `node-linux-<arch>` package (the
 * official binary) and checked against a pinned sha512. `node_modules/.bin/node` then points at
 * it: npm scripts and npx put `node_modules/.bin` first on PATH, so every command they run
 * (`#!/usr/bin/env node` in tsx, jest, tsc, npm itself) starts on that Node, and so does every
 * process those start through `process.execPath`. Plain CommonJS with no dependencies, because
 * `npm run setup` loads it before `npm install` has run.
 */
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { isExecutableFile } = require('./executable-file.cjs');

/** The oldest Node major the project supports (package.json `engines`). */
const MIN_NODE_MAJOR = 22;
/** Installed when the machine's Node is older; also the Dockerfile's base image. */
const PINNED_NODE_VERSION = '24.21.0';
/** sha512 of each platform's `node-<platform>-<arch>@PINNED_NODE_VERSION` tarball. */
const PINNED_NODE_INTEGRITY = {
  'linux-x64': 'sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==',
  'linux-arm64': 'sha512-FpJRPEz2OvvTLfjIOlNGFY9JLPMKgl5m+d4oGYBLg24kJ1mmvN1Zl/HPJgF4HDaJ51ISev1l1cRZ/DM+keXW5g==',
};

const platformKey = `${process.platform}-${process.arch}`;

function majorOf(version) {
  return Number(String(version).replace(/^v/, '').split('.')[0]);
}

/** Where the pinned Node lives and where npm scripts find it. */
function nodePaths(projectRoot) {
  const dir = path.join(projectRoot, '.tools', `node-v${PINNED_NODE_VERSION}-${platformKey}`);
  return {
    dir,
    binary: path.join(dir, 'bin', 'node'),
    link: path.join(projectRoot, 'node_modules', '.bin', 'node'),
  };
}

function realpath(file) {
  try {
    return fs.realpathSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Which Node the project's commands should run on: the one running this code when it is new
 * enough (or already is the pinned one), otherwise the pinned one. Pure, so tests can ask it.
 * @returns {{ use: 'current' | 'pinned', binary?: string }}
 */
function chooseNodeRuntime(projectRoot, current = { version: process.versions.node, execPath: process.execPath }) {
  const { binary } = nodePaths(projectRoot);
  if (realpath(current.execPath) === realpath(binary)) return { use: 'pinned', binary };
  if (majorOf(current.version) >= MIN_NODE_MAJOR) return { use: 'current' };
  return { use: 'pinned', binary };
}

function sha512(file) {
  return `sha512-${crypto.createHash('sha512').update(fs.readFileSync(file)).digest('base64')}`;
}

function nodeVersionOf(binary) {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/**
 * Downloads the pinned Node with `npm pack` (the registry's own client), checks the tarball's
 * sha512 and unpacks only the binary and its licence into `.tools/`. The folder appears whole or
 * not at all (it is renamed into place), so an interrupted install is simply redone.
 */
function installPinnedNode(projectRoot, log = (line) => console.log(line)) {
  const expected = PINNED_NODE_INTEGRITY[platformKey];
  if (!expected) {
    throw new Error(
      `Node ${process.versions.node} is too old (the project needs ${MIN_NODE_MAJOR} or newer) and no pinned ` +
        `Node is known for ${platformKey}: install Node ${MIN_NODE_MAJOR} or newer, then run \`npm run setup\` again.`,
    );
  }
  const { dir, binary } = nodePaths(projectRoot);
  const pkg = `node-${platformKey}@${PINNED_NODE_VERSION}`;
  log(`Node ${process.versions.node} is older than ${MIN_NODE_MAJOR}: installing Node ${PINNED_NODE_VERSION} (${pkg}) into .tools/`);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const work = fs.mkdtempSync(path.join(path.dirname(dir), '.node-download-'));
  try {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const pack = spawnSync(npm, ['pack', pkg, '--pack-destination', work, '--json', '--no-audit', '--no-fund'], {
      cwd: work,
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    const tarball = path.join(work, `node-${platformKey}-${PINNED_NODE_VERSION}.tgz`);
    if (pack.status !== 0 || !fs.existsSync(tarball)) {
      throw new Error(`\`npm pack ${pkg}\` failed: ${(pack.stderr || '').trim().split('\n').pop() || `exit ${pack.status}`}`);
    }
    const actual = sha512(tarball);
    if (actual !== expected) throw new Error(`${pkg} does not match its pinned sha512 (got ${actual})`);
    const untar = spawnSync('tar', ['-xzf', tarball, '-C', work, 'package/bin/node', 'package/LICENSE'], { encoding: 'utf8' });
    if (untar.status !== 0) throw new Error(`could not unpack ${pkg}: ${(untar.stderr || '').trim()}`);
    const unpacked = path.join(work, 'package');
    const version = nodeVersionOf(path.join(unpacked, 'bin', 'node'));
    if (version !== `v${PINNED_NODE_VERSION}`) throw new Error(`the unpacked ${pkg} does not run (got ${version})`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(unpacked, dir);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return binary;
}

/**
 * Makes sure a supported Node is available before anything else runs. Returns the folder to put
 * first on PATH for the rest of setup (undefined when the running Node is fine) and whether it
 * had to install something. Checks only that the pinned binary exists, so a second run costs
 * nothing measurable.
 */
function ensureNodeRuntime(projectRoot, log) {
  const choice = chooseNodeRuntime(projectRoot);
  if (choice.use === 'current') return { binDir: undefined, installed: false };
  const installed = !isExecutableFile(choice.binary);
  if (installed) installPinnedNode(projectRoot, log);
  return { binDir: path.dirname(choice.binary), installed };
}

/**
 * Points `node_modules/.bin/node` at the pinned Node, so npm scripts and npx run on it. Must run
 * after `npm ci`, which empties node_modules. Returns whether it changed anything.
 */
function linkPinnedNode(projectRoot) {
  const { binary, link } = nodePaths(projectRoot);
  const target = path.relative(path.dirname(link), binary);
  let current;
  try {
    current = fs.readlinkSync(link);
  } catch {
    current = undefined;
  }
  if (current === target) return false;
  fs.mkdirSync(path.dirname(link), { recursive: true });
  fs.rmSync(link, { force: true });
  fs.symlinkSync(target, link);
  return true;
}

module.exports = {
  MIN_NODE_MAJOR,
  PINNED_NODE_VERSION,
  chooseNodeRuntime,
  ensureNodeRuntime,
  linkPinnedNode,
  nodePaths,
};
