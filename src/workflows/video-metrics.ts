/**
 * What a run reports for metrics: how long each stage took and how the run ended. Only the
 * workflow knows both, so it reports them through a sink, which the worker turns into Prometheus
 * metrics (src/observability/worker-metrics.ts). Sink calls are not commands and leave the
 * history untouched; they are skipped on replay, so a run is counted once, not once per worker
 * that replays it.
 */
import { proxySinks, workflowInfo, type Sinks } from '@temporalio/workflow';
import type { RunStatus, VideoStage } from '../shared/video';

/** How a stage was left: for the next stage, or by the run ending there. */
export type StageExit = 'advanced' | 'failed' | 'cancelled';

export interface VideoEnd {
  status: Exclude<RunStatus, 'queued' | 'running'>;
  /** The stage the run ended in (`done` once completed). */
  stage: VideoStage;
  /** The failure's `type` when failed. */
  failureType?: string;
  /** From the start request to the end, in seconds. */
  durationSec: number;
}

export interface VideoMetricsSinks extends Sinks {
  videoMetrics: {
    stageEnded(stage: VideoStage, durationSec: number, exit: StageExit): void;
    videoEnded(end: VideoEnd): void;
  };
}

const { videoMetrics } = proxySinks<VideoMetricsSinks>();

// A replaying worker would drop these calls anyway; not making them also spares replay-only
// workers (tests, the replayer) a warning about a sink they do not register.
const live = () => !workflowInfo().unsafe.isReplaying;

/** Times the stages of one run in workflow time, which is deterministic. */
export class StageClock {
  private stage: VideoStage = 'queued';
  // `queued` lasts from the start request until a worker ran the first workflow task.
  private since = workflowInfo().runStartTime.getTime();

  /** The run moves on to `stage`; the stage it leaves is reported. */
  enter(stage: VideoStage): void {
    if (stage === this.stage) return;
    this.report('advanced');
    this.stage = stage;
    this.since = Date.now();
  }

  /** The run ends; the stage it ends in is reported unless the run completed, then the run itself. */
  end(status: VideoEnd['status'], failureType?: string): void {
    if (status !== 'completed') this.report(status);
    if (!live()) return;
    const durationSec = (Date.now() - workflowInfo().startTime.getTime()) / 1000;
    videoMetrics.videoEnded({ status, stage: this.stage, failureType, durationSec });
  }

  private report(exit: StageExit): void {
    if (live()) videoMetrics.stageEnded(this.stage, (Date.now() - this.since) / 1000, exit);
  }
}
