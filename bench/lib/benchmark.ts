/** The shape every benchmark follows, so the runner can list, filter and report them alike. */
import type { BenchServer } from './bench-server';
import type { Summary } from './stats';

export interface Metric {
  label: string;
  unit: string;
  summary: Summary;
}

/** A goal from the issue, checked against one measured figure. */
export interface TargetCheck {
  label: string;
  actual: number;
  /** The figure must not exceed this. */
  limit: number;
  unit: string;
  met: boolean;
}

export interface BenchmarkResult {
  name: string;
  title: string;
  durationMs: number;
  metrics: Metric[];
  targets: TargetCheck[];
  /** What a reader needs to interpret the figures: settings, caveats. */
  notes: string[];
}

export interface BenchContext {
  bench: BenchServer;
  /** Fewer repetitions, for a smoke run. */
  quick: boolean;
  log: (line: string) => void;
}

export interface Benchmark {
  name: string;
  title: string;
  /** Starts everything it measures itself: a run of such benchmarks only starts no Temporal server of the runner's. */
  standalone?: boolean;
  run(ctx: BenchContext): Promise<Omit<BenchmarkResult, 'name' | 'title' | 'durationMs'>>;
}

export function target(label: string, actual: number, limit: number, unit: string): TargetCheck {
  return { label, actual, limit, unit, met: actual <= limit };
}
