/**
 * Writes a benchmark run as JSON (bench/results/latest.json and a timestamped copy) and as a
 * Markdown table (bench/results/latest.md), the form docs/benchmarks.md quotes; a run of some
 * benchmarks only writes bench/results/<their names>-latest.{json,md} instead.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BenchmarkResult, Metric } from './benchmark';
import type { MachineInfo } from './machine';

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  mode: 'full' | 'quick';
  /** Benchmarks asked for on the command line; empty means all. */
  filter: string[];
  machine: MachineInfo;
  /** Load averages when the run finished. */
  loadAverageAtEnd: number[];
  results: BenchmarkResult[];
}

function format(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  if (unit === '×' || unit === 'videos/s' || unit === 'cores') return value.toFixed(2);
  if (unit === 'count' || unit === 'activities') return Number.isInteger(value) ? String(value) : value.toFixed(1);
  if (unit === 's') return value.toFixed(1);
  return Math.abs(value) < 100 ? value.toFixed(1) : value.toFixed(0);
}

function metricRow(m: Metric): string {
  const s = m.summary;
  const cells = [s.median, s.p90, s.min, s.max].map((v) => format(v, m.unit));
  return `| ${m.label} | ${m.unit} | ${cells.join(' | ')} | ${s.n} |`;
}

export function renderMarkdown(report: BenchReport): string {
  const m = report.machine;
  const lines = [
    `# Benchmark results`,
    '',
    `Run ${report.startedAt} → ${report.finishedAt}, ${report.mode} mode${report.filter.length ? `, only: ${report.filter.join(', ')}` : ''}.`,
    '',
    '| machine | |',
    '|---|---|',
    `| OS | ${m.os} |`,
    `| CPU | ${m.cpuModel}, ${m.cores} cores |`,
    `| memory | ${m.memoryGiB} GiB |`,
    `| Node.js | ${m.node} |`,
    `| Temporal CLI | ${m.temporalCli} |`,
    `| ffmpeg | ${m.ffmpeg} |`,
    `| load average (1/5/15 min) at start | ${m.loadAverage.join(' / ')} |`,
    `| load average (1/5/15 min) at end | ${report.loadAverageAtEnd.join(' / ')} |`,
    '',
    '## Targets',
    '',
    '| target | measured | limit | met |',
    '|---|---|---|---|',
    ...report.results.flatMap((r) =>
      r.targets.map((t) => `| ${t.label} | ${format(t.actual, t.unit)} ${t.unit} | ≤ ${t.limit} ${t.unit} | ${t.met ? '✓' : '✗'} |`),
    ),
  ];
  for (const r of report.results) {
    lines.push('', `## ${r.title}`, '', `\`${r.name}\`, ${(r.durationMs / 1000).toFixed(0)} s.`, '');
    lines.push('| metric | unit | median | p90 | min | max | n |', '|---|---|---|---|---|---|---|', ...r.metrics.map(metricRow), '');
    lines.push(...r.notes.map((n) => `- ${n}`));
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Writes the report files and returns their paths: `<name>.json` and `<name>.md`, `name` being
 * `latest` for a run of every benchmark and `<benchmarks>-latest` for a run of some of them, so
 * that a partial run leaves the full run's figures in place.
 */
export async function writeReport(report: BenchReport, dir: string, name = 'latest'): Promise<string[]> {
  // Timestamped copies go to raw/ (git-ignored); the named files are what gets committed.
  await fs.mkdir(path.join(dir, 'raw'), { recursive: true });
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  const files = [path.join(dir, `${name}.json`), path.join(dir, 'raw', `${stamp}.json`), path.join(dir, `${name}.md`)];
  await fs.writeFile(files[0]!, json);
  await fs.writeFile(files[1]!, json);
  await fs.writeFile(files[2]!, renderMarkdown(report));
  return files;
}
