/**
 * Servers that tests, benchmarks and `npm run cluster` start on this machine, built from the Go
 * module proxy with `go install module@version` and checked by Go's checksum database. Plain
 * CommonJS with no dependencies, because `npm run setup` loads it before `npm install` has run.
 *
 * Each tool lands in `.tools/go-bin/<name>-<version>/`, so a pin change builds a fresh copy and
 * an old copy can never be mistaken for the pinned one. Why these versions: docs/decisions.md.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { isExecutableFile } = require('./executable-file.cjs');

/**
 * The pinned tools. `binary` is the file `go install` writes (the last element of the package
 * path). Temporal 1.30.1 is the newest server whose go.mod accepts this machine's Go (1.26.8;
 * 1.30.9 and later ask for 1.26.10) and the tag of the images in docker-compose.temporal.yml.
 * MinIO publishes no semver tags, so its pin is the pseudo-version of a commit.
 */
const GO_TOOLS = {
  'temporal-server': {
    module: 'go.temporal.io/server',
    packages: ['go.temporal.io/server/cmd/server', 'go.temporal.io/server/cmd/tools/sql'],
    version: 'v1.30.1',
    binaries: { server: 'server', sql: 'sql' },
  },
  minio: {
    module: 'github.com/minio/minio',
    packages: ['github.com/minio/minio'],
    version: 'v0.0.0-20260212201848-7aac2a2c5b7c',
    binaries: { minio: 'minio' },
  },
};

function toolDir(projectRoot, name) {
  const tool = GO_TOOLS[name];
  if (!tool) throw new Error(`unknown Go tool ${name}`);
  return path.resolve(projectRoot, '.tools', 'go-bin', `${name}-${tool.version}`);
}

/** Paths of the tool's binaries, keyed as in GO_TOOLS, or undefined when any is missing. */
function findGoTool(projectRoot, name) {
  const dir = toolDir(projectRoot, name);
  const paths = {};
  for (const [key, file] of Object.entries(GO_TOOLS[name].binaries)) {
    paths[key] = path.join(dir, file);
    if (!isExecutableFile(paths[key])) return undefined;
  }
  return paths;
}

/** The environment for `go install`, with the checksum database on whatever the caller's says. */
function verifiedGoEnv(goBin) {
  const env = { ...process.env, GOBIN: goBin, GOTOOLCHAIN: 'local' };
  for (const key of ['GONOSUMDB', 'GOPRIVATE', 'GOINSECURE']) delete env[key];
  if (!env.GOSUMDB || env.GOSUMDB === 'off') env.GOSUMDB = 'sum.golang.org';
  return env;
}

/** Builds the pinned tool unless present and returns its binaries' paths; throws with the command on failure. */
function ensureGoTool(projectRoot, name, log = (line) => console.log(line)) {
  const found = findGoTool(projectRoot, name);
  if (found) return { paths: found, installed: false };
  const tool = GO_TOOLS[name];
  const dir = toolDir(projectRoot, name);
  const targets = tool.packages.map((pkg) => `${pkg}@${tool.version}`);
  const command = `GOBIN=${path.relative(projectRoot, dir) || '.'} go install ${targets.join(' ')}`;
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(`${name} needs Go to build (${command}); install Go 1.25 or newer`);
  }
  log(`building ${name} ${tool.version} with go install, checked by sum.golang.org (takes a few minutes the first time)`);
  fs.mkdirSync(dir, { recursive: true });
  const result = spawnSync('go', ['install', ...targets], {
    cwd: projectRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: verifiedGoEnv(dir),
  });
  const paths = findGoTool(projectRoot, name);
  if (result.status !== 0 || !paths) throw new Error(`could not build ${name}: \`${command}\` exited with ${result.status}`);
  return { paths, installed: true };
}

module.exports = { GO_TOOLS, findGoTool, ensureGoTool };
