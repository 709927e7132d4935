/**
 * The application's own metrics in a worker process (`reelflow_…`): provider calls, their errors
 * and spend, counted where activities run; and how videos end and how long each stage took,
 * reported by the workflow through a sink (src/workflows/video-metrics.ts), so each run is
 * counted once by the worker that ran its workflow task. docs/observability.md lists them all.
 */
import type { InjectedSinks } from '@temporalio/worker';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Spend } from '../providers/contracts';
import { logger } from '../shared-node/logger';
import type { VideoMetricsSinks } from '../workflows/video-metrics';

/** Stage lengths range from milliseconds (queued) to a day (awaiting review). */
const STAGE_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600];
const VIDEO_BUCKETS = [10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 2 * 3600, 6 * 3600, 24 * 3600];
/** Provider calls range from a local draw (tens of ms) to a paid render awaited for minutes. */
const CALL_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export class WorkerMetrics {
  readonly registry: Registry;
  private readonly videosCompleted: Counter;
  private readonly videosFailed: Counter<'failure_type' | 'stage'>;
  private readonly videosCancelled: Counter<'stage'>;
  private readonly videoDuration: Histogram<'status'>;
  private readonly stageDuration: Histogram<'stage' | 'exit'>;
  private readonly providerCalls: Counter<'provider' | 'operation'>;
  private readonly providerErrors: Counter<'provider' | 'operation' | 'error_type'>;
  private readonly providerDuration: Histogram<'provider' | 'operation'>;
  private readonly spendCredits: Counter<'provider'>;
  private readonly spendTokens: Counter<'provider'>;

  /** Registers every metric on `registry`; each process (or test) gets its own by default. */
  constructor(registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    this.videosCompleted = new Counter({ name: 'reelflow_videos_completed_total', help: 'Videos whose run completed', registers });
    this.videosFailed = new Counter({
      name: 'reelflow_videos_failed_total',
      help: 'Videos whose run failed, by failure type and the stage it failed in',
      labelNames: ['failure_type', 'stage'],
      registers,
    });
    this.videosCancelled = new Counter({
      name: 'reelflow_videos_cancelled_total',
      help: 'Videos cancelled, by the stage they were in',
      labelNames: ['stage'],
      registers,
    });
    this.videoDuration = new Histogram({
      name: 'reelflow_video_duration_seconds',
      help: 'From the start request to the end of the run, by how it ended',
      labelNames: ['status'],
      buckets: VIDEO_BUCKETS,
      registers,
    });
    this.stageDuration = new Histogram({
      name: 'reelflow_stage_duration_seconds',
      help: 'Time a run spent in a stage, by how the stage was left (advanced, failed, cancelled)',
      labelNames: ['stage', 'exit'],
      buckets: STAGE_BUCKETS,
      registers,
    });
    this.providerCalls = new Counter({
      name: 'reelflow_provider_calls_total',
      help: 'Calls to a provider adapter, counted as they end',
      labelNames: ['provider', 'operation'],
      registers,
    });
    this.providerErrors = new Counter({
      name: 'reelflow_provider_errors_total',
      help: 'Provider calls that threw, by failure type',
      labelNames: ['provider', 'operation', 'error_type'],
      registers,
    });
    this.providerDuration = new Histogram({
      name: 'reelflow_provider_call_duration_seconds',
      help: 'Duration of provider calls (an await lasts as long as the provider job)',
      labelNames: ['provider', 'operation'],
      buckets: CALL_BUCKETS,
      registers,
    });
    this.spendCredits = new Counter({
      name: 'reelflow_provider_spend_credits_total',
      help: 'Credits providers reported billing (Runway: per finished task)',
      labelNames: ['provider'],
      registers,
    });
    this.spendTokens = new Counter({
      name: 'reelflow_provider_spend_tokens_total',
      help: 'Tokens providers reported billing (Gemini)',
      labelNames: ['provider'],
      registers,
    });
  }

  /** Adds Node's process metrics (CPU, memory, event loop lag); once per process, by its entry point. */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Starts timing one provider call; the returned function ends it, with the error type if it threw. */
  startProviderCall(provider: string, operation: string): (errorType?: string) => void {
    const stop = this.providerDuration.startTimer({ provider, operation });
    return (errorType) => {
      stop();
      this.providerCalls.inc({ provider, operation });
      if (errorType) this.providerErrors.inc({ provider, operation, error_type: errorType });
    };
  }

  /** Adds what a provider reported billing; zero spend still creates the series, so dashboards show 0. */
  addSpend(provider: string, spend: Spend): void {
    this.spendCredits.inc({ provider }, spend.credits);
    this.spendTokens.inc({ provider }, spend.tokens ?? 0);
  }

  /** The sink the workflow reports stages and outcomes through. */
  sinks(): InjectedSinks<VideoMetricsSinks> {
    return {
      videoMetrics: {
        stageEnded: {
          fn: (_info, stage, durationSec, exit) => this.stageDuration.observe({ stage, exit }, durationSec),
        },
        videoEnded: {
          fn: (info, end) => {
            if (end.status === 'completed') this.videosCompleted.inc();
            else if (end.status === 'failed') this.videosFailed.inc({ failure_type: end.failureType ?? 'unknown', stage: end.stage });
            else this.videosCancelled.inc({ stage: end.stage });
            this.videoDuration.observe({ status: end.status }, end.durationSec);
            logger.info('video ended', {
              videoId: info.workflowId,
              workflowId: info.workflowId,
              runId: info.runId,
              status: end.status,
              stage: end.stage,
              failureType: end.failureType,
              durationSec: end.durationSec,
            });
          },
        },
      },
    };
  }
}
