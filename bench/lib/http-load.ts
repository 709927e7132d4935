/**
 * Load runs against the API with autocannon, and the CPU each side used while they ran: the API
 * process, the Temporal dev server, this process (the load generator shares the machine) and
 * every other process.
 *
 * Two shapes. As fast as answered: autocannon's `connections`, each sending its next request when
 * the last one was answered. At a fixed rate: requests evenly spaced in time. autocannon's own
 * rate option does not give that: every connection sends its quota for the second back to back
 * when its one-second timer fires, and the timers of one instance fire together, so the requests
 * come in bursts; and its coordinated-omission correction assumes 1 ms between requests, which
 * inflates the percentiles. So a fixed rate of R runs R one-connection instances at one request
 * per second each, started 1/R s apart, with that correction off, and the percentiles are computed
 * here from every response time.
 */
import autocannon from 'autocannon';
import { machineBusySeconds, totalCpuSeconds } from './process-stats';
import { percentile } from './stats';

export interface LoadOptions {
  baseUrl: string;
  /** Paths requested in turn. */
  paths: readonly string[];
  headers: Record<string, string>;
  durationSec: number;
  /** A body that fails this check counts as a mismatch. */
  verifyBody?: (body: string) => boolean;
  /** Whose CPU time to measure during the run. */
  cpu: { api: number; temporal: () => number[] };
}

export interface LoadRun {
  /** Responses per second. */
  reqPerSec: number;
  /** Latency percentiles, ms. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  responses: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  mismatches: number;
  /** CPU used during the run, in cores (1 = one core busy the whole time). */
  apiCores: number;
  temporalCores: number;
  loadGeneratorCores: number;
  /** Every other process on the machine (other work skews the figures). */
  otherCores: number;
}

type Counts = Pick<LoadRun, 'responses' | 'non2xx' | 'errors' | 'mismatches'>;

function instance(options: LoadOptions, connections: number, extra: Partial<autocannon.Options>, firstPath = 0) {
  const paths = [...options.paths.slice(firstPath), ...options.paths.slice(0, firstPath)];
  const verifyBody = options.verifyBody;
  return autocannon({
    url: options.baseUrl,
    connections,
    duration: options.durationSec,
    headers: options.headers,
    requests: paths.map((path) => ({ method: 'GET', path })),
    verifyBody: verifyBody ? (body) => verifyBody(String(body)) : undefined,
    timeout: 10,
    ...extra,
  });
}

/** Runs `drive` and adds the CPU each side used meanwhile. */
async function withCpu(options: LoadOptions, drive: () => Promise<Omit<LoadRun, `${string}Cores` | 'reqPerSec'>>): Promise<LoadRun> {
  const temporalPids = options.cpu.temporal();
  const before = {
    api: totalCpuSeconds([options.cpu.api]),
    temporal: totalCpuSeconds(temporalPids),
    self: process.cpuUsage(),
    machine: machineBusySeconds(),
  };
  const began = performance.now();
  const figures = await drive();
  const wallSec = (performance.now() - began) / 1000;
  const self = process.cpuUsage(before.self);
  const apiCores = (totalCpuSeconds([options.cpu.api]) - before.api) / wallSec;
  const temporalCores = (totalCpuSeconds(temporalPids) - before.temporal) / wallSec;
  const loadGeneratorCores = (self.user + self.system) / 1e6 / wallSec;
  const machineCores = (machineBusySeconds() - before.machine) / wallSec;
  return {
    ...figures,
    reqPerSec: figures.responses / options.durationSec,
    apiCores,
    temporalCores,
    loadGeneratorCores,
    otherCores: Math.max(0, machineCores - apiCores - temporalCores - loadGeneratorCores),
  };
}

const countsOf = (r: autocannon.Result): Counts => ({
  responses: r.requests.total,
  non2xx: r.non2xx,
  errors: r.errors,
  mismatches: r.mismatches,
});

/** `connections` connections, each sending its next request as soon as the last was answered. */
export function runAsFastAsAnswered(options: LoadOptions & { connections: number }): Promise<LoadRun> {
  return withCpu(options, async () => {
    const result = await instance(options, options.connections, {});
    return { ...countsOf(result), p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max };
  });
}

/** `rate` requests per second, evenly spaced; a response slower than 1 s delays its lane's next request. */
export function runAtRate(options: LoadOptions & { rate: number }): Promise<LoadRun> {
  const lanes = Math.max(1, Math.round(options.rate));
  return withCpu(options, async () => {
    const latencies: number[] = [];
    const runs: Promise<autocannon.Result>[] = [];
    for (let lane = 0; lane < lanes; lane++) {
      if (lane > 0) await new Promise((resolve) => setTimeout(resolve, 1000 / lanes));
      const run = instance(options, 1, { connectionRate: 1, ignoreCoordinatedOmission: true }, lane % options.paths.length);
      (run as unknown as autocannon.Instance).on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
      runs.push(run);
    }
    const counts = (await Promise.all(runs)).map(countsOf);
    const sum = (key: keyof Counts) => counts.reduce((total, c) => total + c[key], 0);
    if (latencies.length === 0) throw new Error(`no response at ${options.rate} req/s`);
    return {
      responses: sum('responses'),
      non2xx: sum('non2xx'),
      errors: sum('errors'),
      mismatches: sum('mismatches'),
      p50: percentile(latencies, 0.5),
      p90: percentile(latencies, 0.9),
      p99: percentile(latencies, 0.99),
      max: Math.max(...latencies),
    };
  });
}
