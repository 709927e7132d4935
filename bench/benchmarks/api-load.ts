/**
 * The API under load, as `npm start` runs it: status reads and lists driven by autocannon (as fast
 * as they are answered, then at fixed rates below that), then 500 Server-Sent-Events clients over
 * 50 running videos, with the API process's memory and open file descriptors read from /proc
 * before, during and after, in several rounds so that a leak would show as growth.
 */
import { randomBytes } from 'node:crypto';
import { version as autocannonVersion } from 'autocannon/package.json';
import { type ApiUnderTest, cancelAll, probed, type ProbedRun, startWaitingVideos } from '../lib/api-under-test';
import { type Benchmark, type BenchContext, type Metric, target, type TargetCheck } from '../lib/benchmark';
import { type LoadOptions, type LoadRun, runAsFastAsAnswered, runAtRate } from '../lib/http-load';
import { connectInspector, type InspectorHeap } from '../lib/inspector-heap';
import { descendants, type ProcessSample, sampleProcess } from '../lib/process-stats';
import { type SseRound, sseRound } from '../lib/sse-round';
import { startStartProcess } from '../lib/start-process';
import { summarize } from '../lib/stats';
import { measureTemporalAlone, type TemporalAloneFigures } from '../lib/temporal-alone';

const VIDEOS = 50;
const SSE_CLIENTS = 500;
const CONNECTIONS = 10;
const LIST_LIMIT = 20;
/** The tenant whose key the benchmark uses; it owns every video it starts. */
const TENANT = 'bench';
/** npm start's default, set so that the direct visibility reads below ask for the same runs. */
const TASK_QUEUE = 'reelflow';
/** Fixed rates, as fractions of the median rate reached as fast as answers come. */
const RATE_FRACTIONS = [0.1, 0.25, 0.5, 0.75] as const;
/** The fixed rate the read targets are checked at, as a fraction of the rate reached as fast as answered. */
const TARGET_FRACTION = 0.5;
const P99_LIMIT_MS = 50;
const REVIEW_TIMEOUT_SEC = 6 * 3600;
const WARM_UP_SEC = 3;
/** Responses a fixed-rate run aims for, so that its p99 is not simply its slowest answer. */
const MIN_SAMPLES = 200;
const FIRST_EVENT_TIMEOUT_MS = 60_000;
const DRAIN_TIMEOUT_MS = 15_000;
/** Open descriptors may differ by this many from the baseline after the streams close (gRPC, timers). */
const FD_SLACK = 2;
/** Growth of the live heap over the rounds that still counts as none: a leak of a few KiB per stream would pass it. */
const HEAP_SLACK_MIB = 5;
/** Pause after a load run or a disconnect before memory and descriptors are read. */
const SETTLE_MS = 2000;

/** Limits the API may enforce, set far above what the benchmark sends so that it measures the API, not its limits. */
const HIGH_LIMITS = {
  READ_RATE_LIMIT: '100000000',
  READ_RATE_WINDOW_SEC: '60',
  SSE_MAX_STREAMS: '10000',
  SSE_MAX_STREAMS_PER_TENANT: '10000',
  CREATE_RATE_LIMIT: '100000',
  TENANT_MAX_RUNNING: '0',
};

/** The two read workloads: a status read per video in turn, and the first page of the list. */
function workloads(ids: readonly string[]) {
  return {
    'status reads': {
      paths: ids.map((id) => `/api/videos/${id}`),
      // A status answered without the workflow's query has stage `queued`: count it as a mismatch.
      verifyBody: (body: string) => body.includes('"stage":"awaiting_review"'),
    },
    lists: {
      paths: [`/api/videos?limit=${LIST_LIMIT}`],
      verifyBody: (body: string) => body.split('"statusUrl"').length - 1 === LIST_LIMIT,
    },
  } as const;
}

type WorkloadName = keyof ReturnType<typeof workloads>;

interface WorkloadFigures {
  name: WorkloadName;
  max: ProbedRun[];
  /** Runs at each fixed rate, in the order of RATE_FRACTIONS. */
  fixed: { fraction: number; rate: number; runs: ProbedRun[] }[];
}

const median = (values: readonly number[]) => summarize(values).median;
const failures = (r: LoadRun) => r.non2xx + r.errors + r.mismatches;

async function measureWorkload(
  ctx: BenchContext,
  api: ApiUnderTest,
  base: Omit<LoadOptions, 'paths' | 'durationSec'>,
  w: WorkloadFigures,
  spec: { paths: readonly string[]; verifyBody: (b: string) => boolean },
  runs: number,
  durationSec: number,
): Promise<void> {
  const options = { ...base, paths: spec.paths, verifyBody: spec.verifyBody, durationSec };
  for (let i = 0; i < runs; i++) {
    const run = await probed(api, () => runAsFastAsAnswered({ ...options, connections: CONNECTIONS }));
    w.max.push(run);
    ctx.log(`  ${w.name}, ${CONNECTIONS} connections, as fast as answered: ${describeRun(run)}`);
  }
  const maxRate = median(w.max.map((r) => r.reqPerSec));
  for (const fraction of RATE_FRACTIONS) {
    const rate = Math.max(1, Math.round(maxRate * fraction));
    const fixed = { fraction, rate, runs: [] as ProbedRun[] };
    for (let i = 0; i < runs; i++) {
      const run = await probed(api, () => runAtRate({ ...options, rate, durationSec: fixedRateSeconds(rate, durationSec) }));
      fixed.runs.push(run);
      ctx.log(`  ${w.name} at ${rate} req/s (${fraction * 100} % of max): ${describeRun(run)}`);
    }
    w.fixed.push(fixed);
  }
}

/** Long enough for about MIN_SAMPLES responses at a low rate, at most twice the usual run. */
function fixedRateSeconds(rate: number, durationSec: number): number {
  return Math.min(2 * durationSec, Math.max(durationSec, Math.ceil(MIN_SAMPLES / rate)));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describeRound(r: SseRound): string {
  const mib = (p: { rssMiB: number }) => p.rssMiB.toFixed(0);
  return (
    `${r.snapshots}/${SSE_CLIENTS} snapshots, all first events in ${r.allFirstEventsMs.toFixed(0)} ms ` +
    `(median ${median(r.firstEventMs).toFixed(0)} ms); gauges ${r.gaugesDuring.clients} clients, ${r.gaugesDuring.pollers} pollers; ` +
    `RSS ${mib(r.before)} → ${mib(r.opened)} → ${mib(r.during)} → ${mib(r.after)} MiB, ` +
    `fds ${r.before.fds} → ${r.opened.fds} → ${r.during.fds} → ${r.after.fds}; after a forced GC: RSS ${mib(r.afterGc)} MiB, live heap ${r.liveHeapAfterMiB.toFixed(1)} MiB; ` +
    `${r.openAfterHold} streams open after the hold; status reads meanwhile: ${describeRun(r.statusDuring)}; ` +
    `after disconnect ${r.gaugesAfter.clients} clients, ${r.gaugesAfter.pollers} pollers in ${r.drainMs.toFixed(0)} ms`
  );
}

function describeRun(r: ProbedRun): string {
  return (
    `${r.reqPerSec.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(0)} ms, ` +
    `non-2xx ${r.non2xx}, errors ${r.errors}, mismatches ${r.mismatches}; CPU: API ${r.apiCores.toFixed(2)}, ` +
    `Temporal ${r.temporalCores.toFixed(2)}, load generator ${r.loadGeneratorCores.toFixed(2)}, other processes ${r.otherCores.toFixed(2)} cores; API event loop stalled up to ${r.lagMaxMs.toFixed(0)} ms, GC ${r.gcMs.toFixed(0)} ms`
  );
}

function row(label: string, unit: string, values: readonly number[]): Metric {
  return { label, unit, summary: summarize(values) };
}

/** One row per spec, each summarizing `pick` over `items`. */
function rowsOver<T>(items: readonly T[], specs: [label: string, unit: string, pick: (item: T) => number][]): Metric[] {
  return specs.map(([label, unit, pick]) => row(label, unit, items.map(pick)));
}

function loadRows(prefix: string, runs: readonly ProbedRun[]): Metric[] {
  return rowsOver(runs, [
    [`${prefix}: responses per second`, 'req/s', (r) => r.reqPerSec],
    [`${prefix}: latency p50`, 'ms', (r) => r.p50],
    [`${prefix}: latency p99`, 'ms', (r) => r.p99],
    [`${prefix}: latency max`, 'ms', (r) => r.max],
    [`${prefix}: non-2xx, errors and wrong bodies`, 'count', failures],
    [`${prefix}: CPU of the API process`, 'cores', (r) => r.apiCores],
    [`${prefix}: CPU of the Temporal dev server`, 'cores', (r) => r.temporalCores],
    [`${prefix}: CPU of the load generator`, 'cores', (r) => r.loadGeneratorCores],
    [`${prefix}: CPU of every other process`, 'cores', (r) => r.otherCores],
    [`${prefix}: API process's longest event-loop stall`, 'ms', (r) => r.lagMaxMs],
    [`${prefix}: API process's GC time`, 'ms', (r) => r.gcMs],
  ]);
}

/** The highest fixed rate whose p99 (median of its runs) stayed within the limit; 0 when none did. */
function rateWithinLimit(w: WorkloadFigures): number {
  const within = w.fixed.filter((f) => median(f.runs.map((r) => r.p99)) <= P99_LIMIT_MS).map((f) => f.rate);
  return within.length ? Math.max(...within) : 0;
}

function workloadRows(w: WorkloadFigures): Metric[] {
  return [
    ...loadRows(`${w.name}, ${CONNECTIONS} connections as fast as answered`, w.max),
    row(`${w.name}: highest fixed rate measured with p99 ≤ ${P99_LIMIT_MS} ms (median of its runs)`, 'req/s', [rateWithinLimit(w)]),
    ...w.fixed.flatMap((f) => {
      const prefix = `${w.name} at ${f.rate} req/s (${f.fraction * 100} % of the maximum)`;
      return rowsOver(f.runs, [
        [`${prefix}: latency p50`, 'ms', (r) => r.p50],
        [`${prefix}: latency p99`, 'ms', (r) => r.p99],
        [`${prefix}: non-2xx, errors and wrong bodies`, 'count', failures],
        [`${prefix}: latency max`, 'ms', (r) => r.max],
        [`${prefix}: CPU of the API process`, 'cores', (r) => r.apiCores],
        [`${prefix}: CPU of the Temporal dev server`, 'cores', (r) => r.temporalCores],
        [`${prefix}: CPU of the load generator`, 'cores', (r) => r.loadGeneratorCores],
        [`${prefix}: CPU of every other process`, 'cores', (r) => r.otherCores],
        [`${prefix}: API process's longest event-loop stall`, 'ms', (r) => r.lagMaxMs],
        [`${prefix}: API process's GC time`, 'ms', (r) => r.gcMs],
      ]);
    }),
  ];
}

type Baseline = ProcessSample & { liveHeapMiB: number };

function sseRows(rounds: readonly SseRound[], baseline: Baseline, sseReadRate: number): Metric[] {
  const reads = `SSE: status reads at ${sseReadRate} req/s with the streams open`;
  return [
    row(
      `SSE: time to first event, each of ${SSE_CLIENTS} clients opened at once`,
      'ms',
      rounds.flatMap((r) => r.firstEventMs),
    ),
    ...rowsOver(rounds, [
      [`SSE: time until all ${SSE_CLIENTS} clients had their first event`, 'ms', (r) => r.allFirstEventsMs],
      ['SSE: clients answered 200 text/event-stream', 'count', (r) => r.okResponses],
      ['SSE: clients whose first event was their video’s status snapshot', 'count', (r) => r.snapshots],
      ['SSE: streams still open after the status reads', 'count', (r) => r.openAfterHold],
      ['SSE: reelflow_sse_clients with the streams open', 'count', (r) => r.gaugesDuring.clients],
      ['SSE: reelflow_sse_status_pollers with the streams open', 'count', (r) => r.gaugesDuring.pollers],
      [`${reads}: responses per second`, 'req/s', (r) => r.statusDuring.reqPerSec],
      [`${reads}: latency p50`, 'ms', (r) => r.statusDuring.p50],
      [`${reads}: latency p99`, 'ms', (r) => r.statusDuring.p99],
      [`${reads}: non-2xx, errors and wrong bodies`, 'count', (r) => failures(r.statusDuring)],
      [`${reads}: CPU of the API process`, 'cores', (r) => r.statusDuring.apiCores],
      [`${reads}: CPU of every other process`, 'cores', (r) => r.statusDuring.otherCores],
      [`${reads}: API process's longest event-loop stall`, 'ms', (r) => r.statusDuring.lagMaxMs],
      ['SSE: API process RSS before the round', 'MiB', (r) => r.before.rssMiB],
      ['SSE: API process RSS with the streams open', 'MiB', (r) => r.opened.rssMiB],
      ['SSE: API process RSS with the streams open, after the status reads', 'MiB', (r) => r.during.rssMiB],
      ['SSE: API process RSS after they disconnected', 'MiB', (r) => r.after.rssMiB],
      ['SSE: API process RSS after a forced full GC', 'MiB', (r) => r.afterGc.rssMiB],
      ['SSE: RSS after a forced GC − before the first round (also after one)', 'MiB', (r) => r.afterGc.rssMiB - baseline.rssMiB],
      ['SSE: V8 heap used with the streams open (nodejs_heap_size_used_bytes)', 'MiB', (r) => r.gaugesDuring.heapUsedMiB],
      ['SSE: live V8 heap after they disconnected (after a forced full GC)', 'MiB', (r) => r.liveHeapAfterMiB],
      ['SSE: live heap after − before the first round', 'MiB', (r) => r.liveHeapAfterMiB - baseline.liveHeapMiB],
      ['SSE: API process open fds before the round', 'count', (r) => r.before.fds],
      ['SSE: API process open fds with the streams open', 'count', (r) => r.opened.fds],
      ['SSE: API process open fds after they disconnected', 'count', (r) => r.after.fds],
      ['SSE: open fds after − before the first round', 'count', (r) => r.after.fds - baseline.fds],
      ['SSE: disconnect → reelflow_sse_clients and _pollers at 0', 'ms', (r) => r.drainMs],
      ['SSE: reelflow_sse_status_pollers after they disconnected', 'count', (r) => r.gaugesAfter.pollers],
    ]),
  ];
}

function temporalAloneRows({ label, runs }: TemporalAloneFigures): Metric[] {
  const prefix = `Temporal alone, ${CONNECTIONS} callers: ${label}`;
  return rowsOver(runs, [
    [`${prefix}: calls per second`, '/s', (r) => r.perSec],
    [`${prefix}: latency p50`, 'ms', (r) => r.p50],
    [`${prefix}: latency p99`, 'ms', (r) => r.p99],
    [`${prefix}: latency max`, 'ms', (r) => r.max],
  ]);
}

function targetsOf(
  figures: readonly WorkloadFigures[],
  rounds: readonly SseRound[],
  baseline: Baseline,
  sseReadRate: number,
): TargetCheck[] {
  const worst = (pick: (r: SseRound) => number) => Math.max(...rounds.map(pick));
  return [
    ...figures.map((w) => {
      const f = w.fixed.find((x) => x.fraction === TARGET_FRACTION)!;
      const p99 = median(f.runs.map((r) => r.p99));
      return target(`API ${w.name} at ${f.rate} req/s (half the maximum), latency p99 (median)`, p99, P99_LIMIT_MS, 'ms');
    }),
    target(
      `API status reads at ${sseReadRate} req/s with ${SSE_CLIENTS} event streams open, latency p99 (median)`,
      median(rounds.map((r) => r.statusDuring.p99)),
      P99_LIMIT_MS,
      'ms',
    ),
    target(
      'SSE clients without their snapshot (max)',
      worst((r) => SSE_CLIENTS - r.snapshots),
      0,
      'count',
    ),
    target(
      'SSE status pollers left after the clients disconnected (max)',
      worst((r) => r.gaugesAfter.pollers),
      0,
      'count',
    ),
    target(
      'API live heap after the streams closed − before the first round (max, after a forced GC)',
      worst((r) => r.liveHeapAfterMiB - baseline.liveHeapMiB),
      HEAP_SLACK_MIB,
      'MiB',
    ),
    target(
      'API open fds after the streams closed − before the first round (max)',
      worst((r) => r.after.fds - baseline.fds),
      FD_SLACK,
      'count',
    ),
  ];
}

/** What a reader needs to interpret the figures. */
function notesOf(run: { runs: number; durationSec: number; rounds: number; sseReadRate: number; cancelled: number }): string[] {
  const limits = Object.entries(HIGH_LIMITS).map(([k, v]) => `${k}=${v}`);
  return [
    `The stack is the process \`npm start\` runs (\`node --import tsx scripts/start.ts\`; setup has run): a Temporal dev server (its child, on a SQLite file in a temporary folder), the workers and the API in one Node process on 127.0.0.1, local providers, free ports. Its pid is the one measured: RSS is VmRSS in /proc/<pid>/status and open fds are the entries of /proc/<pid>/fd, workers included.`,
    `One tenant's API key (API_KEYS=${TENANT}:<random key>, sent as a bearer key); ${limits.join(', ')}, so no limit answers 429.`,
    `${VIDEOS} text videos started through POST /api/videos with options.review true and reviewTimeoutSec ${REVIEW_TIMEOUT_SEC}: they stay running in awaiting_review and cost nothing; ${run.cancelled} of them were cancelled at the end.`,
    `Load: autocannon ${autocannonVersion} in the benchmark process on the same 2 cores, ${CONNECTIONS} connections, ${run.durationSec} s per run, ${run.runs} run(s) per setting after a ${WARM_UP_SEC} s warm-up of each workload. Status reads request GET /api/videos/:id for the ${VIDEOS} videos in turn (a body without stage awaiting_review, i.e. without the workflow's query answer, counts as wrong); lists request GET /api/videos?limit=${LIST_LIMIT} (a body without ${LIST_LIMIT} items counts as wrong).`,
    `Fixed rates are ${RATE_FRACTIONS.map((f) => `${f * 100} %`).join(', ')} of the median rate reached as fast as answers come, each run long enough for about ${MIN_SAMPLES} responses (at most ${2 * run.durationSec} s); their requests are evenly spaced in time (one connection per request per second, the connections started 1/rate s apart), and the percentiles are over every response time.`,
    `CPU is each process's utime + stime over the run's wall time; "every other process" is the machine's busy time (/proc/stat) less the API, the dev server and the load generator: work of other programs on the machine.`,
    `The API process's longest event-loop stall and GC time come from its own /metrics (prom-client's nodejs_eventloop_lag_max_seconds, reset at each scrape, and nodejs_gc_duration_seconds_sum), scraped right before and after each run.`,
    `Temporal alone: the two calls behind a status read (describe, then the status query), each alone too, and a visibility page and a count of the running videos, the kinds of call a list makes, sent from the benchmark process through a Temporal client of its own by ${CONNECTIONS} callers, each calling again as soon as it was answered; the status query is answered by the workers inside the API process.`,
    `Event streams: ${SSE_CLIENTS} raw http.get clients, each on its own socket, ${SSE_CLIENTS / VIDEOS} per video, opened at once; time to first event runs from the request to the first complete \`event:\` block. While they are open, status reads run at ${run.sseReadRate} req/s for ${run.durationSec} s (the highest fixed rate whose p99 stayed within ${P99_LIMIT_MS} ms without the streams, or the lowest rate if none did), beside the broadcaster's own reads (one per video per second); then every client disconnects and the API's /metrics gauges are read until both are 0. ${run.rounds} round(s) in the same process, so a leak would grow from round to round. The live heap is the main thread's V8 heap in use right after a full GC forced through the inspector (the stack runs with --inspect on a loopback port for this; nothing else attaches to it).`,
  ];
}

export const apiLoad: Benchmark = {
  name: 'api-load',
  title: 'API under load (npm start, autocannon, 500 event streams)',
  standalone: true,
  async run(ctx) {
    const runs = ctx.quick ? 1 : 3;
    const durationSec = ctx.quick ? 5 : 10;
    const rounds = ctx.quick ? 1 : 3;
    const key = randomBytes(24).toString('hex');
    const stack = await startStartProcess({ API_KEYS: `${TENANT}:${key}`, TASK_QUEUE, ...HIGH_LIMITS }, { inspect: true });
    let heap: InspectorHeap | undefined;
    try {
      heap = await connectInspector(stack.inspectorUrl!);
      const api: ApiUnderTest = { stack, headers: { Authorization: `Bearer ${key}` }, heap };
      const started = sampleProcess(stack.pid);
      const ids = await startWaitingVideos(api, VIDEOS, REVIEW_TIMEOUT_SEC);
      const withVideos = sampleProcess(stack.pid);
      ctx.log(
        `  ${VIDEOS} videos awaiting review; API process RSS ${started.rssMiB.toFixed(0)} → ${withVideos.rssMiB.toFixed(0)} MiB, fds ${started.fds} → ${withVideos.fds}`,
      );
      const cpu = { api: stack.pid, temporal: () => descendants(stack.pid) };
      const base = { baseUrl: stack.url, headers: api.headers, cpu };
      const specs = workloads(ids);
      for (const spec of Object.values(specs))
        await runAsFastAsAnswered({ ...base, ...spec, connections: CONNECTIONS, durationSec: WARM_UP_SEC });

      const figures: WorkloadFigures[] = [];
      for (const name of Object.keys(specs) as WorkloadName[]) {
        const w: WorkloadFigures = { name, max: [], fixed: [] };
        await measureWorkload(ctx, api, base, w, specs[name], runs, durationSec);
        figures.push(w);
      }

      const temporalAlone = await measureTemporalAlone({
        address: stack.temporalAddress,
        taskQueue: TASK_QUEUE,
        ids,
        concurrency: CONNECTIONS,
        runs,
        durationSec,
        log: ctx.log,
      });

      const status = figures[0]!;
      // Whether the streams slow the API down: status reads at the rate it kept within the limit without them.
      const sseReadRate = rateWithinLimit(status) || status.fixed[0]!.rate;
      const statusLoad = { ...base, ...specs['status reads'], durationSec, rate: sseReadRate };
      // Let the load generator's last connections close before the baseline is read.
      await sleep(SETTLE_MS);
      // Read after a forced GC, as each round's last reading is.
      const liveHeapMiB = await api.heap.liveHeapMiB();
      const baseline: Baseline = { ...sampleProcess(stack.pid), liveHeapMiB };
      const sseRounds: SseRound[] = [];
      const videoIds = Array.from({ length: SSE_CLIENTS }, (_, i) => ids[i % ids.length]!);
      for (let i = 0; i < rounds; i++) {
        const round = await sseRound(api, {
          videoIds,
          statusLoad,
          firstEventTimeoutMs: FIRST_EVENT_TIMEOUT_MS,
          drainTimeoutMs: DRAIN_TIMEOUT_MS,
          settleMs: SETTLE_MS,
        });
        ctx.log(`  SSE round ${i + 1}: ${describeRound(round)}`);
        sseRounds.push(round);
      }

      const cancelled = await cancelAll(api, ids);
      const targets = targetsOf(figures, sseRounds, baseline, sseReadRate);
      return {
        metrics: [
          row('API process RSS after start', 'MiB', [started.rssMiB]),
          row(`API process RSS with ${VIDEOS} videos awaiting review`, 'MiB', [withVideos.rssMiB]),
          row(`API process open fds with ${VIDEOS} videos awaiting review`, 'count', [withVideos.fds]),
          ...figures.flatMap(workloadRows),
          ...temporalAlone.flatMap(temporalAloneRows),
          ...sseRows(sseRounds, baseline, sseReadRate),
        ],
        targets,
        notes: notesOf({ runs, durationSec, rounds, sseReadRate, cancelled }),
      };
    } finally {
      heap?.close();
      await stack.stop();
    }
  },
};
