#!/usr/bin/env node
/**
 * `npm run setup`: installs what the other commands need and is safe to run again. It checks
 * before it installs, so a run with everything present takes well under two seconds. Plain Node
 * with no npm dependencies, because it runs before `npm install` on a fresh clone.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { findTemporalCli, installTemporalCli, cliVersion } = require('./lib/temporal-cli.cjs');
const { ensureNodeRuntime, linkPinnedNode } = require('./lib/node-runtime.cjs');
const { GO_TOOLS, ensureGoTool } = require('./lib/go-tools.cjs');
const { POSTGRES_ROOT, postgresBinDir } = require('./lib/postgres-bin.cjs');

/** The font the local clip drawer writes titles with. */
const FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
const APT_PACKAGES = ['ffmpeg', 'espeak-ng', 'fonts-dejavu-core'];
/** Debian's PostgreSQL, for the Temporal cluster (`--servers`). */
const POSTGRES_PACKAGES = ['postgresql'];
/** Debian's Chromium, which the web page's tests drive with playwright-core (`--servers`). */
const BROWSER = '/usr/bin/chromium';

/**
 * `--servers` also installs what tests, benchmarks and `npm run cluster` start: PostgreSQL, the
 * Temporal server with its SQL schema tool, MinIO, and Chromium for the web page's tests. `npm run demo` and `npm start` skip them.
 */
const withServers = process.argv.includes('--servers');

const log = (line) => console.log(`setup: ${line}`);

class SetupError extends Error {}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], ...options });
  if (result.error) throw new SetupError(`${command} could not start: ${result.error.message}`);
  if (result.status !== 0) throw new SetupError(`\`${[command, ...args].join(' ')}\` exited with ${result.status}`);
}

function succeeds(command, args) {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      // not in this folder; keep looking
    }
  }
  return false;
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * npm writes node_modules/.package-lock.json after every install, so it dates the last install.
 * `env` puts the supported Node first on PATH, so npm and install scripts run on it.
 */
function ensureNpmPackages(env) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const flags = ['--no-audit', '--no-fund'];
  const installed = mtime(path.join(root, 'node_modules', '.package-lock.json'));
  const lockTime = mtime(path.join(root, 'package-lock.json'));
  if (installed !== undefined && (lockTime === undefined || lockTime <= installed)) return false;
  if (lockTime === undefined) {
    log('installing npm packages (npm install)');
    run(npm, ['install', ...flags], { env });
    return true;
  }
  log('installing npm packages (npm ci)');
  // Output is held back: when npm ci refuses the lockfile it prints its whole usage text.
  const ci = spawnSync(npm, ['ci', ...flags], { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (ci.status === 0) return true;
  const errors = `${ci.stderr ?? ''}`.split('\n').filter((line) => /^npm error \S/.test(line) && !/^npm error code /.test(line));
  log(`npm ci failed: ${errors[0]?.replace(/^npm error /, '') ?? `exit code ${ci.status}`}`);
  // A registry that lacks some platforms' optional binaries yields a lockfile without them, which
  // npm ci rejects. npm install still installs the locked versions for this platform, and
  // --no-save leaves package-lock.json untouched.
  log('installing the locked versions with npm install --no-save instead');
  run(npm, ['install', '--no-save', ...flags], { env });
  return true;
}

function missingSystemTools() {
  const missing = ['ffmpeg', 'ffprobe', 'espeak-ng'].filter((tool) => !onPath(tool));
  if (!fs.existsSync(FONT_FILE)) missing.push(FONT_FILE);
  return missing;
}

function ensureSystemTools() {
  const missing = missingSystemTools();
  if (missing.length === 0) return false;
  aptInstall(
    APT_PACKAGES,
    missing,
    () =>
      `Install ffmpeg (with ffprobe), espeak-ng and the DejaVu fonts (${FONT_FILE}), e.g. ` +
      `\`sudo apt-get update && sudo apt-get install -y ${APT_PACKAGES.join(' ')}\` on Debian/Ubuntu`,
  );
  const still = missingSystemTools();
  if (still.length > 0) throw new SetupError(`still missing after apt-get: ${still.join(', ')}`);
  return true;
}

/** Installs Debian packages with apt-get (as root, or with password-less sudo), or explains what to do. */
function aptInstall(packages, missing, advice) {
  const install = ['install', '-y', '--no-install-recommends', ...packages];
  const hasApt = onPath('apt-get');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (hasApt && isRoot) {
    log(`installing ${packages.join(', ')} with apt-get (missing: ${missing.join(', ')})`);
    run('apt-get', ['update', '-qq']);
    run('apt-get', install, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } else if (hasApt && onPath('sudo') && succeeds('sudo', ['-n', 'true'])) {
    log(`installing ${packages.join(', ')} with sudo apt-get (missing: ${missing.join(', ')})`);
    run('sudo', ['-n', 'apt-get', 'update', '-qq']);
    run('sudo', ['-n', 'env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...install]);
  } else {
    throw new SetupError(`missing ${missing.join(', ')}. ${advice()}, then run \`npm run setup\` again.`);
  }
}

function ensureServers() {
  let changed = false;
  if (!postgresBinDir()) {
    aptInstall(POSTGRES_PACKAGES, ['PostgreSQL'], () => 'Install PostgreSQL, e.g. `sudo apt-get install -y postgresql`');
    if (!postgresBinDir()) throw new SetupError(`still no PostgreSQL under ${POSTGRES_ROOT} after apt-get`);
    changed = true;
  }
  if (!fs.existsSync(BROWSER)) {
    aptInstall(['chromium'], ['Chromium'], () => 'Install Chromium, e.g. `sudo apt-get install -y chromium`');
    if (!fs.existsSync(BROWSER)) throw new SetupError(`still no ${BROWSER} after apt-get`);
    changed = true;
  }
  for (const name of Object.keys(GO_TOOLS)) {
    try {
      changed = ensureGoTool(root, name, log).installed || changed;
    } catch (error) {
      throw new SetupError(error instanceof Error ? error.message : String(error));
    }
  }
  return changed;
}

function ensureTemporalCli() {
  const found = findTemporalCli(root);
  if (found) return false;
  const installed = installTemporalCli(root, log);
  log(`Temporal CLI ready: ${cliVersion(installed)} at ${path.relative(root, installed)}`);
  return true;
}

function main() {
  const started = Date.now();
  try {
    // A supported Node first: npm ci and every later command run on it (scripts/lib/node-runtime.cjs).
    const node = ensureNodeRuntime(root, log);
    const env = node.binDir ? { ...process.env, PATH: `${node.binDir}${path.delimiter}${process.env.PATH ?? ''}` } : process.env;
    const changed = [node.installed, ensureNpmPackages(env), node.binDir ? linkPinnedNode(root) : false];
    changed.push(ensureSystemTools(), ensureTemporalCli());
    if (withServers) changed.push(ensureServers());
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (changed.some(Boolean)) log(`done in ${seconds} s`);
    else
      log(
        `Node, npm packages, ffmpeg, espeak-ng, font, Temporal CLI${withServers ? ', PostgreSQL, Temporal server, MinIO and Chromium' : ''} present (${seconds} s)`,
      );
  } catch (error) {
    console.error(`setup failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

/** Where Debian's PostgreSQL binaries are; also read by `npm run cluster` (scripts/lib/postgres-bin.cjs). */
export { postgresBinDir };

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
