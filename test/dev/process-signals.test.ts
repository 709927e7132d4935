/**
 * Every long-running command stops the way a terminal or a process manager asks it to: SIGTERM to
 * npm's pid, SIGTERM or SIGINT to the whole process group (Ctrl-C, `kill -TERM -<pgid>`), or
 * SIGTERM to the process itself. Each run must exit 0 within the grace time, end its output with
 * exactly one final line, print no warning (no Rust/gRPC retries from a server stopped too early),
 * and leave no process behind: not in its group, and not elsewhere (the Temporal dev server runs in
 * a group of its own). The API's stop must also end an event stream a client is holding open.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevServer, type DevServer } from '../../src/dev/dev-server';
import { freePort } from '../../src/dev/free-port';
import { temporalCliPath } from '../../src/dev/temporal-cli';
import { processesLeft, startCommand, type CommandProcess } from '../helpers/command-process';
import { uniqueName } from '../helpers/unique';

/** WORKER_SHUTDOWN_GRACE_SEC for every run, and the bound on every stop. */
const GRACE_SEC = 15;
const START_TIMEOUT_MS = 90_000;

type CommandName = 'temporal' | 'worker' | 'api' | 'start' | 'demo';
type Delivery = 'SIGTERM to npm' | 'SIGTERM to the group' | 'SIGINT to the group' | 'SIGTERM to the process';

interface CommandSpec {
  /** The file `npm run <name>` runs, for starting it directly as `node --import tsx <entry>`. */
  entry: string;
  /** Output that says the command is up. */
  ready: RegExp;
  /** The one line that must end the output after a clean stop, and its stream. */
  finalLine: RegExp;
  finalStream: 'stdout' | 'stderr';
  /** Starts its own Temporal dev server (temp db, free ports) rather than using the test's. */
  ownsServer: boolean;
}

const COMMANDS: Record<CommandName, CommandSpec> = {
  temporal: {
    entry: 'scripts/temporal.ts',
    ready: /Ctrl-C stops it/,
    finalLine: /^Temporal dev server stopped$/,
    finalStream: 'stdout',
    ownsServer: true,
  },
  worker: {
    entry: 'src/worker.ts',
    ready: /"message":"worker started"/,
    finalLine: /"message":"worker stopped"/,
    finalStream: 'stderr',
    ownsServer: false,
  },
  api: {
    entry: 'src/api/main.ts',
    ready: /"message":"api listening"/,
    finalLine: /"message":"api stopped"/,
    finalStream: 'stderr',
    ownsServer: false,
  },
  start: { entry: 'scripts/start.ts', ready: /^start: ready/m, finalLine: /^start: stopped in /, finalStream: 'stdout', ownsServer: true },
  // Signalled once the sample's scenes are being narrated or drawn, so activities (ffmpeg, espeak-ng) run.
  demo: {
    entry: 'scripts/demo.ts',
    ready: /\] +\d+% (narrating|generating_clips|rendering)/,
    finalLine: /^demo: stopped in /,
    finalStream: 'stdout',
    ownsServer: true,
  },
};

/** Lines no clean stop may print: the SDK's or Rust core's warnings and errors, Node and npm warnings, gRPC retries. */
const WARNING_LINE = /"level":"(warn|error)"|\b(WARN|ERROR)\b|Warning\b|^npm (warn|error)|temporal_client|tonic|h2::|grpc|gRPC/;

let dir: string;
let server: DevServer;
let npmUserConfig: string;
const measured: string[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reelflow-signals-'));
  // No machine-wide npm settings: an unknown key in ~/.npmrc would print an npm warning on every run.
  npmUserConfig = path.join(dir, 'npmrc');
  fs.writeFileSync(npmUserConfig, '');
  server = await startDevServer({ cliPath: temporalCliPath(), dbFile: path.join(dir, 'shared', 'temporal.db'), port: await freePort() });
});

afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  if (measured.length > 0) console.log(`Stop times (WORKER_SHUTDOWN_GRACE_SEC=${GRACE_SEC}):\n${measured.join('\n')}`);
});

let running: CommandProcess | undefined;
afterEach(() => {
  running?.killAll();
  running = undefined;
});

/** The environment of one run: local providers, temp folders, free ports, no key of the developer's. */
async function runEnv(command: CommandName, marker: string): Promise<NodeJS.ProcessEnv> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(TEMPORAL_|PAYLOAD_|PORT$|HOST$|API_KEYS$|GEMINI_|RUNWAYML_|WORKER_|npm_)/i.test(k)),
  );
  const home = path.join(dir, marker, 'home');
  fs.mkdirSync(home, { recursive: true });
  const ownServer = COMMANDS[command].ownsServer;
  return {
    ...inherited,
    HOME: home,
    NPM_CONFIG_USERCONFIG: npmUserConfig,
    NPM_CONFIG_UPDATE_NOTIFIER: 'false',
    MEDIA_ROOT: path.join(dir, marker, 'media'),
    TEMPORAL_DEV_DATA_DIR: path.join(dir, marker, 'temporal'),
    TEMPORAL_ADDRESS: ownServer ? `127.0.0.1:${await freePort()}` : server.address,
    TEMPORAL_UI_URL: `http://127.0.0.1:${await freePort()}`,
    TASK_QUEUE: marker,
    PORT: String(await freePort()),
    WORKER_SHUTDOWN_GRACE_SEC: String(GRACE_SEC),
    SCRIPT_PROVIDER: 'local',
    NARRATION_PROVIDER: 'local',
    CLIP_PROVIDER: 'local',
    LOG_LEVEL: 'info',
  };
}

function send(run: CommandProcess, delivery: Delivery): void {
  if (delivery === 'SIGINT to the group') process.kill(-run.pid, 'SIGINT');
  else if (delivery === 'SIGTERM to the group') process.kill(-run.pid, 'SIGTERM');
  else process.kill(run.pid, 'SIGTERM');
}

/** Starts a video and holds its event stream open; resolves once the first snapshot arrived. */
async function holdEventStream(apiUrl: string): Promise<{ ended: Promise<number> }> {
  const res = await fetch(`${apiUrl}/api/videos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // No worker polls this test's queue: the video stays queued and the stream stays open.
    body: JSON.stringify({ source: { type: 'text', title: 'Signals', text: 'A stream held open while the API stops.' } }),
  });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  const events = await fetch(`${apiUrl}/api/videos/${id}/events`);
  expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const reader = (events.body as ReadableStream<Uint8Array>).getReader();
  const first = await reader.read();
  expect(new TextDecoder().decode(first.value)).toMatch(/event: status/);
  const ended = (async () => {
    while (!(await reader.read()).done);
    return Date.now();
  })();
  return { ended };
}

async function waitUntilGone(pgid: number, marker: string, timeoutMs: number): Promise<ReturnType<typeof processesLeft>> {
  const deadline = Date.now() + timeoutMs;
  let left = processesLeft(pgid, marker);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = processesLeft(pgid, marker);
  }
  return left;
}

const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

const CASES: [CommandName, 'npm' | 'node', Delivery][] = [
  ['temporal', 'npm', 'SIGTERM to npm'],
  ['temporal', 'npm', 'SIGINT to the group'],
  ['worker', 'npm', 'SIGTERM to the group'],
  ['worker', 'node', 'SIGTERM to the process'],
  ['api', 'npm', 'SIGINT to the group'],
  ['api', 'npm', 'SIGTERM to npm'],
  ['start', 'npm', 'SIGINT to the group'],
  ['start', 'npm', 'SIGTERM to npm'],
  ['start', 'node', 'SIGTERM to the group'],
  ['demo', 'npm', 'SIGINT to the group'],
];

test.each(CASES)(
  '%s started through %s stops on %s: exit 0 within the grace time, one final line, no warning, nothing left',
  async (command, launcher, delivery) => {
    const spec = COMMANDS[command];
    const marker = uniqueName(`signals-${command}`);
    const env = await runEnv(command, marker);
    const run =
      launcher === 'npm'
        ? startCommand('npm', ['run', command], env, marker)
        : startCommand(process.execPath, ['--import', 'tsx', spec.entry], env, marker);
    running = run;
    await run.waitForOutput(spec.ready, START_TIMEOUT_MS);
    const stream = command === 'api' ? await holdEventStream(`http://127.0.0.1:${env.PORT}`) : undefined;

    const signalledAt = Date.now();
    send(run, delivery);
    let giveUp: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      run.exited,
      new Promise<undefined>((resolve) => (giveUp = setTimeout(() => resolve(undefined), (GRACE_SEC + 10) * 1000))),
    ]);
    clearTimeout(giveUp);
    const output = `${run.stdout()}\n${run.stderr()}`;
    if (!exit) throw new Error(`${command} did not exit within ${GRACE_SEC + 10} s of ${delivery}. Output:\n${output}`);
    const stopMs = exit.at - signalledAt;
    measured.push(`  ${command} (${launcher}, ${delivery}): ${stopMs} ms`);

    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(GRACE_SEC * 1000);
    const finalLines = lines(output).filter((line) => spec.finalLine.test(line));
    expect(finalLines).toHaveLength(1);
    expect(lines(spec.finalStream === 'stdout' ? run.stdout() : run.stderr()).at(-1)).toMatch(spec.finalLine);
    expect(lines(output).filter((line) => WARNING_LINE.test(line))).toEqual([]);
    expect(await waitUntilGone(run.pid, marker, 3_000)).toEqual([]);
    if (stream) {
      // The stream ended as part of the stop, long before its 15 s keep-alive could have mattered.
      expect((await stream.ended) - signalledAt).toBeLessThan(stopMs + 1_000);
    }
  },
  START_TIMEOUT_MS + (GRACE_SEC + 20) * 1000,
);
