/**
 * A thousand videos in flight on a real Temporal cluster (two server nodes on PostgreSQL, as
 * `npm run cluster` runs it): fake Gemini and a fake Runway whose clips take a minute, one real
 * worker process (src/worker.ts) and the real API process. Every video is started over HTTP at
 * once; the benchmark then waits for all of them and reports what it cost: makespan against the
 * bound the configured provider limits set, Runway tasks against scenes, the API's latency while
 * it all runs, and the CPU and memory of the worker, the servers and the database.
 *
 * `IN_FLIGHT_VIDEOS` (default 1000, `--quick` 40) sets the count; the settings that reached the
 * figures are written into the report.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { freePort } from '../../src/dev/free-port';
import { clusterBinaries } from '../../src/dev/cluster/cluster-binaries';
import { startTemporalCluster, type TemporalCluster } from '../../src/dev/cluster/temporal-cluster';
import { startFakeGemini } from '../../test/fakes/fake-gemini';
import { startFakeRunway } from '../../test/fakes/fake-runway';
import { startChildWorker } from '../../test/helpers/child-worker';
import { type Benchmark, type BenchContext, type Metric, target } from '../lib/benchmark';
import { cpuSeconds, descendants, sampleProcess } from '../lib/process-stats';
import { percentile, summarize } from '../lib/stats';

const SCENES = 4;
/** The stubbed render's latency: about what one of these renders takes on an idle core. */
const RENDER_STUB_MS = 2000;
/** Create requests in flight at once, as a batch client would send them. */
const CREATE_CONCURRENCY = 20;
const IMAGE_MS = 15_000;
const VIDEO_MS = 45_000;
const API_KEY = 'in-flight-bench-key';
const GEMINI_KEY = 'in-flight-gemini-key';
const RUNWAY_KEY = 'in-flight-runway-key';

/** The worker's settings for this run; written into the report. */
const WORKER_SETTINGS: Record<string, string> = {
  SCENE_CONCURRENCY: String(SCENES),
  RUNWAY_RATE_PER_SEC: '40',
  CLIP_SUBMISSION_CONCURRENCY: '16',
  CLIP_CONCURRENCY: '20',
  RUNWAY_POLL_INTERVAL_MS: '10000',
  CLIP_WAIT_HEARTBEAT_SEC: '12',
  NARRATION_CONCURRENCY: '16',
  SCRIPT_CONCURRENCY: '8',
  GEMINI_RATE_PER_SEC: '100',
  RENDER_CONCURRENCY: '2',
  SCENE_PAUSE_SEC: '0.2',
};

const SCRIPT_REPLY = {
  title: 'In flight',
  scenes: Array.from({ length: SCENES }, (_, i) => ({
    title: i === 0 ? 'In flight' : `Part ${i}`,
    narration: `Part ${i} here.`,
    visual: `A picture of part ${i}`,
  })),
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Sampled {
  peakRssMiB: number;
  cpuSec: number;
}

/** Peak RSS and CPU seconds of a process and its descendants, sampled every few seconds. */
function watch(pid: number) {
  let peak = 0;
  const startCpu = treeCpu(pid);
  const timer = setInterval(() => {
    try {
      const rss = [pid, ...descendants(pid)].reduce((sum, p) => sum + safe(() => sampleProcess(p).rssMiB), 0);
      peak = Math.max(peak, rss);
    } catch {
      // exited
    }
  }, 2000);
  return {
    stop(): Sampled {
      clearInterval(timer);
      return { peakRssMiB: peak, cpuSec: treeCpu(pid) - startCpu };
    },
  };
}

function treeCpu(pid: number): number {
  return [pid, ...descendants(pid)].reduce((sum, p) => sum + safe(() => cpuSeconds(p)), 0);
}

function safe(read: () => number): number {
  try {
    return read();
  } catch {
    return 0;
  }
}

async function startApi(env: Record<string, string>): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('src', 'api', 'main.ts')], {
    cwd: path.join(__dirname, '..', '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`API not ready:\n${output}`)), 60_000);
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-8000);
      if (output.includes('api listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    void exited.then(() => reject(new Error(`API exited:\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function timed<T>(call: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await call();
  return { ms: performance.now() - started, value };
}

export const inFlight: Benchmark = {
  name: 'in-flight',
  title: 'A thousand videos in flight on a two-node Temporal cluster',
  standalone: true,
  async run(ctx: BenchContext) {
    const videos = Number(process.env.IN_FLIGHT_VIDEOS ?? (ctx.quick ? 40 : 1000));
    // The real ffmpeg render with IN_FLIGHT_RENDER=real; a 2 s stub otherwise (see in-flight-worker.ts).
    const renderStubMs = process.env.IN_FLIGHT_RENDER === 'real' ? 0 : RENDER_STUB_MS;
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-in-flight-'));
    // PostgreSQL runs as its own user when this is root, and must be let through the folder.
    await fs.chmod(dir, 0o711);
    let cluster: TemporalCluster | undefined;
    const stops: (() => Promise<unknown>)[] = [];
    try {
      ctx.log(`  in-flight: starting a two-node cluster in ${dir}`);
      cluster = await startTemporalCluster({ binaries: clusterBinaries(), dataDir: path.join(dir, 'cluster') });
      const address = cluster.address;
      const gemini = await startFakeGemini({ apiKey: GEMINI_KEY, latencyMs: { script: 1000, tts: 300 } });
      const runway = await startFakeRunway({ apiKey: RUNWAY_KEY, taskDurationMs: { image: IMAGE_MS, video: VIDEO_MS } });
      stops.push(
        () => gemini.close(),
        () => runway.close(),
      );
      for (let i = 0; i < videos; i++) gemini.enqueue({ kind: 'json', value: SCRIPT_REPLY });
      const common = {
        TEMPORAL_ADDRESS: address,
        TASK_QUEUE: 'reelflow-in-flight',
        SCRIPT_PROVIDER: 'gemini',
        NARRATION_PROVIDER: 'gemini',
        CLIP_PROVIDER: 'runway',
        GEMINI_API_KEY: GEMINI_KEY,
        GOOGLE_GEMINI_BASE_URL: gemini.url,
        RUNWAYML_API_SECRET: RUNWAY_KEY,
        RUNWAYML_BASE_URL: runway.url,
        TENANT_MAX_RUNNING: '0',
      };
      const worker = await startChildWorker({
        entry: path.join(__dirname, '..', 'in-flight-worker.ts'),
        address,
        taskQueue: common.TASK_QUEUE,
        mediaRoot: path.join(dir, 'media'),
        env: { ...common, ...WORKER_SETTINGS, ...(renderStubMs > 0 ? { IN_FLIGHT_RENDER_STUB_MS: String(renderStubMs) } : {}) },
      });
      stops.push(() => worker.stop());
      const api = await startApi({
        ...common,
        MEDIA_ROOT: path.join(dir, 'media'),
        API_KEYS: `bench:${API_KEY}`,
        CREATE_RATE_LIMIT: String(videos * 2),
        READ_RATE_LIMIT: '100000',
      });
      stops.push(() => api.stop());
      const headers = { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' };
      const watched = {
        worker: watch(worker.pid),
        api: watch(api.child.pid ?? 0),
        servers: cluster.nodes.map((node) => watch(node.process.pid ?? 0)),
        postgres: watch(cluster.database.process.pid ?? 0),
      };

      ctx.log(`  in-flight: starting ${videos} videos over HTTP`);
      const started = Date.now();
      const ids: string[] = [];
      const createMs: number[] = [];
      let createRetries = 0;
      /** Starts one video as a well-behaved client would: a 503 or 429 is retried after Retry-After with the same Idempotency-Key. */
      const create = async (n: number): Promise<string> => {
        for (;;) {
          const res = await fetch(`${api.url}/api/videos`, {
            method: 'POST',
            headers: { ...headers, 'Idempotency-Key': `in-flight-${n}` },
            body: JSON.stringify({
              source: { type: 'text', title: `In flight ${n}`, text: 'A short text; the fake Gemini answers with a fixed script.' },
              options: { maxScenes: SCENES },
            }),
          });
          const body = (await res.json()) as { id?: string };
          if ((res.status === 202 || res.status === 200) && body.id) return body.id;
          if (res.status !== 503 && res.status !== 429) throw new Error(`create answered ${res.status}: ${JSON.stringify(body)}`);
          createRetries += 1;
          await sleep(Number(res.headers.get('retry-after') ?? 1) * 1000);
        }
      };
      for (let batch = 0; batch < videos; batch += CREATE_CONCURRENCY) {
        const results = await Promise.all(
          Array.from({ length: Math.min(CREATE_CONCURRENCY, videos - batch) }, (_, i) => timed(() => create(batch + i))),
        );
        for (const r of results) {
          ids.push(r.value);
          createMs.push(r.ms);
        }
      }
      const startedAllMs = Date.now() - started;
      ctx.log(`  in-flight: all started in ${(startedAllMs / 1000).toFixed(1)} s; waiting`);

      const connection = await Connection.connect({ address });
      stops.push(() => connection.close());
      const client = new Client({ connection, namespace: cluster.namespace });
      const statusMs: number[] = [];
      const listMs: number[] = [];
      let running = videos;
      let lastLog = 0;
      while (running > 0) {
        const id = ids[Math.floor(Math.random() * ids.length)] ?? '';
        statusMs.push((await timed(() => fetch(`${api.url}/api/videos/${id}`, { headers }).then((r) => r.arrayBuffer()))).ms);
        listMs.push((await timed(() => fetch(`${api.url}/api/videos?limit=20`, { headers }).then((r) => r.arrayBuffer()))).ms);
        running = (await client.workflow.count(`TaskQueue = '${common.TASK_QUEUE}' AND ExecutionStatus = 'Running'`)).count;
        if (Date.now() - lastLog > 30_000) {
          lastLog = Date.now();
          ctx.log(`  in-flight: ${running} running after ${((Date.now() - started) / 1000).toFixed(0)} s`);
        }
        await sleep(1000);
      }
      const makespanSec = (Date.now() - started) / 1000;
      const completed = (await client.workflow.count(`TaskQueue = '${common.TASK_QUEUE}' AND ExecutionStatus = 'Completed'`)).count;
      const usage = {
        worker: watched.worker.stop(),
        api: watched.api.stop(),
        servers: watched.servers.map((w) => w.stop()),
        postgres: watched.postgres.stop(),
      };
      const [[size]] = (await cluster.database.query(
        'postgres',
        "SELECT sum(pg_database_size(datname)) FROM pg_database WHERE datname IN ('temporal', 'temporal_visibility')",
      )) as [[string]];
      const dbBytes = Number(size);
      const videoTasks = runway.tasks.filter((t) => t.kind === 'video').length;
      const imageTasks = runway.tasks.filter((t) => t.kind === 'image').length;

      // The bounds the configuration sets: every Runway submission passes the server's rate
      // limit, and (with the stub) every render holds one of RENDER_CONCURRENCY slots for its
      // latency. Whichever is longer, plus one clip's minute for the last scene, is the bound.
      const rate = Number(WORKER_SETTINGS.RUNWAY_RATE_PER_SEC);
      const submissionsSec = (videos * SCENES * 2) / rate;
      const rendersSec = (videos * renderStubMs) / 1000 / Number(WORKER_SETTINGS.RENDER_CONCURRENCY);
      const boundSec = Math.max(submissionsSec, rendersSec) + (IMAGE_MS + VIDEO_MS) / 1000;
      const metrics: Metric[] = [
        { label: 'makespan', unit: 's', summary: summarize([makespanSec]) },
        { label: 'makespan / configured bound', unit: 'x', summary: summarize([makespanSec / boundSec]) },
        { label: 'create request (202, with its retries)', unit: 'ms', summary: summarize(createMs) },
        { label: 'create answers 503/429 (retried)', unit: 'answers', summary: summarize([createRetries]) },
        { label: 'status read while in flight', unit: 'ms', summary: summarize(statusMs) },
        { label: 'list read while in flight', unit: 'ms', summary: summarize(listMs) },
        { label: 'worker CPU', unit: 's', summary: summarize([usage.worker.cpuSec]) },
        { label: 'worker peak RSS (with ffmpeg children)', unit: 'MiB', summary: summarize([usage.worker.peakRssMiB]) },
        { label: 'API CPU', unit: 's', summary: summarize([usage.api.cpuSec]) },
        { label: 'API peak RSS', unit: 'MiB', summary: summarize([usage.api.peakRssMiB]) },
        ...usage.servers.flatMap((s, i) => [
          { label: `server node ${i + 1} CPU`, unit: 's', summary: summarize([s.cpuSec]) },
          { label: `server node ${i + 1} peak RSS`, unit: 'MiB', summary: summarize([s.peakRssMiB]) },
        ]),
        { label: 'PostgreSQL CPU', unit: 's', summary: summarize([usage.postgres.cpuSec]) },
        { label: 'PostgreSQL peak RSS', unit: 'MiB', summary: summarize([usage.postgres.peakRssMiB]) },
        { label: 'Temporal databases size', unit: 'MiB', summary: summarize([dbBytes / 2 ** 20]) },
      ];
      return {
        metrics,
        targets: [
          target('videos not completed', videos - completed, 0, 'videos'),
          target('Runway video tasks beyond one per scene', Math.abs(videoTasks - videos * SCENES), 0, 'tasks'),
          target('Runway image tasks beyond one per scene', Math.abs(imageTasks - videos * SCENES), 0, 'tasks'),
          target('status read p99 while in flight', percentile(statusMs, 0.99), 1000, 'ms'),
        ],
        notes: [
          `${videos} videos of ${SCENES} scenes, all started at once over HTTP (${(startedAllMs / 1000).toFixed(1)} s to start them all).`,
          `Fake Runway: image ${IMAGE_MS / 1000} s + video ${VIDEO_MS / 1000} s per clip; fake Gemini script 1 s, speech 0.3 s.`,
          renderStubMs > 0
            ? `Render: a ${renderStubMs / 1000} s stub (IN_FLIGHT_RENDER=real renders with ffmpeg; two cores cannot render ${videos} videos in a benchmark's time).`
            : 'Render: the real ffmpeg render.',
          `Bound ${boundSec.toFixed(0)} s = the longer of ${videos * SCENES * 2} Runway submissions at RUNWAY_RATE_PER_SEC=${rate} ` +
            `(${submissionsSec.toFixed(0)} s) and ${videos} renders over RENDER_CONCURRENCY slots (${rendersSec.toFixed(0)} s), + one clip's minute.`,
          `Worker settings: ${Object.entries(WORKER_SETTINGS)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')}.`,
          `Cluster: ${cluster.nodes.length} Temporal server nodes (the pinned server of scripts/lib/go-tools.cjs) on Debian's PostgreSQL; ${os.cpus().length} cores.`,
        ],
      };
    } finally {
      for (const stop of stops.reverse()) await stop().catch(() => undefined);
      await cluster?.stop();
      await fs.rm(dir, { recursive: true, force: true });
    }
  },
};
