/**
 * The workflow's observable state. Every change goes through here, so progress never goes down,
 * `updatedAt` moves with it and the `VideoStage` search attribute follows the stage.
 */
import { patched, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { VIDEO_CREDITS_KEY, VIDEO_STAGE_KEY } from '../shared/temporal-names';
import type { RunStatus, Script, StepState, VideoError, VideoResult, VideoStage, VideoState } from '../shared/video';
import { STAGE_PROGRESS } from '../shared/stage-progress';
import { StageClock } from './video-metrics';

/**
 * Runs that reach their end with this patch record what they spent in the `VideoCredits` search
 * attribute, which a tenant's daily credit quota sums; runs ended before it count their budget.
 */
export const CREDITS_ATTRIBUTE_PATCH = 'credits-search-attribute';

const SCENES_START = 15;
const SCENES_SPAN = STAGE_PROGRESS.rendering - SCENES_START;

export class VideoStateTracker {
  readonly state: VideoState;
  private readonly clock = new StageClock();

  constructor(videoId: string) {
    this.state = {
      videoId,
      status: 'running',
      stage: 'queued',
      progress: 0,
      scenes: [],
      spend: { credits: 0 },
      updatedAt: new Date().toISOString(),
    };
  }

  setStage(stage: VideoStage): void {
    this.clock.enter(stage);
    this.state.stage = stage;
    upsertSearchAttributes([{ key: VIDEO_STAGE_KEY, value: stage }]);
    this.raiseProgress(STAGE_PROGRESS[stage]);
  }

  setScript(script: Script): void {
    this.state.title = script.title;
    this.state.scenes = script.scenes.map((s) => ({ index: s.index, title: s.title, narration: 'pending', clip: 'pending' }));
    this.touch();
  }

  setStep(index: number, step: 'narration' | 'clip', value: StepState, durationSec?: number): void {
    const scene = this.state.scenes.find((s) => s.index === index);
    if (!scene) return;
    scene[step] = value;
    if (durationSec !== undefined) scene.durationSec = durationSec;
    const steps = this.state.scenes.length * 2;
    const done = this.state.scenes.reduce((n, s) => n + (s.narration === 'done' ? 1 : 0) + (s.clip === 'done' ? 1 : 0), 0);
    this.raiseProgress(SCENES_START + Math.floor((SCENES_SPAN * done) / steps));
  }

  /** Adds what a provider call reported costing (credits, and tokens where it bills by token). */
  addSpend(spend: { credits: number; tokens?: number }): void {
    if (spend.credits === 0 && !spend.tokens) return;
    this.state.spend.credits += spend.credits;
    if (spend.tokens) this.state.spend.tokens = (this.state.spend.tokens ?? 0) + spend.tokens;
    this.touch();
  }

  /** Counts an output the step cache answered (state only, no command); `step` names the scene's step it was. */
  noteReused(reused: { credits: number } | undefined, step?: { index: number; name: 'narration' | 'clip' }): void {
    if (!reused) return;
    const { spend } = this.state;
    spend.reusedSteps = (spend.reusedSteps ?? 0) + 1;
    spend.savedCredits = (spend.savedCredits ?? 0) + reused.credits;
    const scene = step && this.state.scenes.find((s) => s.index === step.index);
    if (scene && step) {
      const steps = new Set([...(scene.reused ?? []), step.name]);
      scene.reused = (['narration', 'clip'] as const).filter((name) => steps.has(name));
    }
    this.touch();
  }

  finish(status: Exclude<RunStatus, 'queued' | 'running'>, outcome: { result?: VideoResult; error?: VideoError } = {}): void {
    this.state.status = status;
    if (patched(CREDITS_ATTRIBUTE_PATCH)) {
      upsertSearchAttributes([{ key: VIDEO_CREDITS_KEY, value: this.state.spend.credits }]);
    }
    if (outcome.result) this.state.result = outcome.result;
    if (outcome.error) this.state.error = outcome.error;
    for (const scene of this.state.scenes) {
      if (scene.narration === 'running') scene.narration = 'cancelled';
      if (scene.clip === 'running') scene.clip = 'cancelled';
    }
    if (status === 'completed') this.setStage('done');
    else this.touch();
    this.clock.end(status, outcome.error?.type);
  }

  private raiseProgress(value: number): void {
    this.state.progress = Math.max(this.state.progress, Math.min(100, value));
    this.touch();
  }

  /** Marks the state changed now, for changes made through a reference (the spend ledger). */
  touch(): void {
    // Workflow time is deterministic: it is the time of the current workflow task.
    this.state.updatedAt = new Date().toISOString();
    // The Web UI's "current details" of the run. Only a query reads it; it sends no command.
    setCurrentDetails(this.currentDetails());
  }

  private currentDetails(): string {
    const { stage, progress, scenes, title } = this.state;
    const lines = [`Stage: ${stage} (${progress}%)`];
    if (title) lines.unshift(`**${title.replace(/\s+/g, ' ')}**`);
    if (scenes.length > 0) {
      const done = (step: 'narration' | 'clip') => scenes.filter((s) => s[step] === 'done').length;
      lines.push(`Scenes: ${scenes.length}, narrated ${done('narration')}, clips ${done('clip')}`);
    }
    return lines.join('\n\n');
  }
}
