/**
 * What an operator sees when `npm run worker` or `npm run api` cannot start: one line naming the
 * variable or the address and what to do, exit code 1, within seconds, and no stack trace.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort } from '../../src/dev/free-port';
import { temporalCliPath } from '../../src/dev/temporal-cli';
import { VIDEO_STAGE_KEY } from '../../src/shared/temporal-names';

const PROJECT_ROOT = path.resolve(__dirname, '../..');
const ENTRY_POINTS = { worker: 'src/worker.ts', api: 'src/api/main.ts' } as const;

interface Outcome {
  code: number | null;
  stderr: string;
  ms: number;
}

let home: string;
beforeAll(() => {
  // An empty home: no ~/.config/temporalio/temporal.toml of the machine's user can change the outcome.
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'reelflow-startup-'));
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

function start(entry: keyof typeof ENTRY_POINTS, env: Record<string, string>): Promise<Outcome> {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TEMPORAL_|PAYLOAD_|PORT$|API_KEYS$)/.test(k)));
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY_POINTS[entry]], {
    cwd: PROJECT_ROOT,
    env: { ...inherited, HOME: home, XDG_CONFIG_HOME: home, PORT: '0', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });
}

/** The error lines of the output; each is one JSON object from the logger. */
function errorLines(stderr: string): { message: string; error?: string }[] {
  return stderr
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as { level: string | number; message: string; error?: string })
    .filter((entry) => entry.level === 'error' || entry.level === 50);
}

function expectOneClearLine(outcome: Outcome, ...expected: RegExp[]): void {
  expect(outcome.code).toBe(1);
  expect(outcome.stderr).not.toMatch(/\n\s+at |\\n\s+at /);
  const errors = errorLines(outcome.stderr);
  expect(errors).toHaveLength(1);
  for (const pattern of expected) expect(errors[0]?.error).toMatch(pattern);
}

describe.each(['worker', 'api'] as const)('npm run %s', (entry) => {
  test('an unreachable TEMPORAL_ADDRESS fails within seconds naming the address and the next step', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const outcome = await start(entry, { TEMPORAL_ADDRESS: address });
    expectOneClearLine(
      outcome,
      new RegExp(`Cannot use Temporal at ${address}: connection refused`),
      /npm run temporal/,
      /TEMPORAL_API_KEY/,
    );
    // tsx start-up (about a second) plus at most the 5 s connect deadline and a 2 s probe.
    expect(outcome.ms).toBeLessThan(12_000);
  });

  test('a host name that does not resolve says so', async () => {
    const outcome = await start(entry, { TEMPORAL_ADDRESS: 'temporal.invalid:7233' });
    expectOneClearLine(outcome, /temporal\.invalid:7233: the host name temporal\.invalid does not resolve/);
    expect(outcome.ms).toBeLessThan(12_000);
  });

  test('a malformed TEMPORAL_ADDRESS is rejected by the configuration before connecting', async () => {
    const outcome = await start(entry, { TEMPORAL_ADDRESS: 'http://localhost:7233' });
    expectOneClearLine(outcome, /^Invalid configuration: TEMPORAL_ADDRESS must be host:port without a scheme/);
  });

  test('PORT=abc is rejected naming PORT', async () => {
    const outcome = await start(entry, { PORT: 'abc' });
    expectOneClearLine(outcome, /^Invalid configuration: PORT: /);
  });
});

describe('a namespace without the search attributes', () => {
  let bare: TestWorkflowEnvironment;
  beforeAll(async () => {
    // A server that knows only VideoStage, as a deployment made before tenants existed would.
    bare = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: temporalCliPath() },
        ip: '127.0.0.1',
        searchAttributes: [VIDEO_STAGE_KEY],
        log: { format: 'pretty', level: 'error' },
      },
    });
  });
  afterAll(async () => {
    await bare?.teardown();
  });

  test.each(['worker', 'api'] as const)(
    'npm run %s refuses to start, naming what is missing and the command that adds it',
    async (entry) => {
      const outcome = await start(entry, { TEMPORAL_ADDRESS: bare.address });
      expectOneClearLine(
        outcome,
        /lacks the search attributes VideoTenant, VideoCredits/,
        /temporal operator search-attribute create --namespace default --name VideoTenant --type Keyword/,
        /--name VideoCredits --type Double/,
      );
    },
  );
});
