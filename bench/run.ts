/**
 * `npm run bench [-- --quick] [name…]`: starts a Temporal dev server of its own, runs the
 * benchmarks (all, or those whose name contains one of the given words) and writes the results to
 * bench/results/ (latest.*, or <names>-latest.* when only some ran). `--quick` is a smoke run with
 * fewer repetitions; its figures are not for quoting.
 */
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { temporalCliPath } from '../src/dev/temporal-cli';
import { apiLoad } from './benchmarks/api-load';
import { criticalPath } from './benchmarks/critical-path';
import { crashCost } from './benchmarks/crash-cost';
import { inFlight } from './benchmarks/in-flight';
import { orchestrationOverhead, orchestrationOverheadOnTmpfs } from './benchmarks/orchestration-overhead';
import { paidPath } from './benchmarks/paid-path';
import { renderCost } from './benchmarks/render-cost';
import { renderMerge } from './benchmarks/render-merge';
import { stepCache } from './benchmarks/step-cache';
import { startBenchServer } from './lib/bench-server';
import type { BenchContext, Benchmark, BenchmarkResult } from './lib/benchmark';
import { describeMachine } from './lib/machine';
import { writeReport, type BenchReport } from './lib/report';

const BENCHMARKS: Benchmark[] = [
  orchestrationOverhead,
  orchestrationOverheadOnTmpfs,
  criticalPath,
  renderMerge,
  renderCost,
  crashCost,
  paidPath,
  stepCache,
  apiLoad,
  inFlight,
];
const USAGE = `usage: npm run bench -- [--quick] [${BENCHMARKS.map((b) => b.name).join('|')}…]`;

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) return log(USAGE);
  const quick = argv.includes('--quick');
  const unknownFlags = argv.filter((a) => a.startsWith('-') && a !== '--quick');
  if (unknownFlags.length > 0) throw new Error(`unknown option ${unknownFlags.join(' ')}\n${USAGE}`);
  const filter = argv.filter((a) => !a.startsWith('-'));
  const selected = filter.length ? BENCHMARKS.filter((b) => filter.some((f) => b.name.includes(f))) : BENCHMARKS;
  if (selected.length === 0) throw new Error(`no benchmark matches ${filter.join(' ')}\n${USAGE}`);

  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const machine = describeMachine(temporalCliPath());
  const startedAt = new Date().toISOString();
  log(`Benchmarks (${quick ? 'quick' : 'full'}): ${selected.map((b) => b.name).join(', ')}; load average ${machine.loadAverage.join(' ')}`);
  // Standalone benchmarks measure a stack of their own; an idle server beside it would only take CPU.
  const bench = selected.every((b) => b.standalone) ? undefined : await startBenchServer();
  const results: BenchmarkResult[] = [];
  try {
    for (const benchmark of selected) {
      log(`▶ ${benchmark.title}`);
      const began = performance.now();
      const context: BenchContext = {
        quick,
        log,
        get bench() {
          if (!bench) throw new Error(`${benchmark.name} is standalone and has no runner's Temporal server`);
          return bench;
        },
      };
      const outcome = await benchmark.run(context);
      results.push({ name: benchmark.name, title: benchmark.title, durationMs: performance.now() - began, ...outcome });
      for (const t of outcome.targets) log(`  ${t.met ? '✓' : '✗'} ${t.label}: ${t.actual.toFixed(2)} ${t.unit} (limit ${t.limit})`);
    }
  } finally {
    await bench?.stop();
  }
  const report: BenchReport = {
    startedAt,
    finishedAt: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    filter,
    machine,
    loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
    results,
  };
  const name = filter.length ? `${selected.map((b) => b.name).join('+')}-latest` : 'latest';
  const files = await writeReport(report, path.join(__dirname, 'results'), name);
  log(`Results: ${files.map((f) => path.relative(process.cwd(), f)).join(', ')}`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
