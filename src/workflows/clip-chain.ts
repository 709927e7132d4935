/**
 * One scene's clip as the workflow drives it: each provider step is submitted by an activity of
 * its own, so the task id is in history before anything waits on it, then awaited by another.
 * Every submission attempt is a separate activity that Temporal does not retry, so each one is
 * visible here and the rules below hold:
 * - a refused or rate-limited submission created nothing and is tried again after a pause;
 * - a submission whose answer was lost, or whose worker was lost, may have been billed: it is
 *   counted as such and submitted again at most `unconfirmedResubmits` times;
 * - a task that failed for a transient reason is submitted again (that step only, earlier
 *   outputs kept) at most `transientResubmits` times; a permanent failure ends the clip.
 * A step with no remote task (`submitted: false`, the local drawer) is only awaited.
 */
import { ActivityFailure, ApplicationFailure, TimeoutFailure, sleep, type ActivityInterfaceFor } from '@temporalio/workflow';
import type { ActivitiesByQueue } from '../activities';
import type { ClipStep } from '../shared/clip-step';
import { FailureType } from '../shared/failure-types';
import type { CacheScope, PaidStepLimits, Scene } from '../shared/video';
import type { PresetName } from '../shared/presets';
import { FinishedWorkLog } from './finished-work';
import type { Reservation, SpendLedger } from './spend-ledger';

export interface ClipChainActivities {
  submit: Pick<ActivityInterfaceFor<ActivitiesByQueue['clip-submissions']>, 'submitClipStep'>;
  clips: Pick<ActivityInterfaceFor<ActivitiesByQueue['clips']>, 'awaitClipStep'>;
}

/** Pauses between submissions that certainly created nothing (no answer at all, a 429). */
const NOT_SENT_RETRY = { initialMs: 2_000, maximumMs: 60_000, attempts: 8 };

function failureOf(err: unknown): { type?: string; nextRetryDelayMs?: number; timedOut: boolean } {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof TimeoutFailure) return { timedOut: true };
  if (cause instanceof ApplicationFailure) {
    const delay = cause.nextRetryDelay;
    return { type: cause.type ?? undefined, timedOut: false, nextRetryDelayMs: typeof delay === 'number' ? delay : undefined };
  }
  return { timedOut: false };
}

/** Provider task ids a run has submitted and not seen end, so a user's cancel can delete them. */
export class OpenTasks {
  private readonly ids = new Set<string>();
  add(taskId: string): void {
    this.ids.add(taskId);
  }
  end(taskId: string): void {
    this.ids.delete(taskId);
  }
  list(): string[] {
    return [...this.ids];
  }
}

export class ClipChain {
  constructor(
    private readonly acts: ClipChainActivities,
    private readonly ledger: SpendLedger,
    private readonly openTasks: OpenTasks,
    private readonly limits: PaidStepLimits,
    private readonly videoId: string,
    /** Where finished steps are recorded, and where a retry's taken-over outputs are found. */
    private readonly finished: FinishedWorkLog = new FinishedWorkLog(),
    /** The video's format, handed to every step; absent for 720p, as in runs started before presets. */
    private readonly preset?: PresetName,
    /** The step cache's scope, handed to every step; absent in runs started before the cache. */
    private readonly cacheScope?: CacheScope,
    /** Told when a scene's clip came from the cache. */
    private readonly onReused: (index: number, reused: { credits: number }) => void = () => undefined,
  ) {}

  /**
   * Runs every step of a scene's clip and returns the clip file's name. A step before the last
   * whose output an earlier run handed over (a retry) is not run again.
   */
  async produce(scene: Scene, steps: ClipStep[]): Promise<string> {
    const handedOver = this.finished.get(scene.index)?.stepOutputs ?? {};
    const isHandedOver = (step: ClipStep, i: number) => i < steps.length - 1 && handedOver[step.name] !== undefined;
    const reservation = this.ledger.reserve(
      steps.reduce((sum, s, i) => sum + (isHandedOver(s, i) ? 0 : s.credits), 0),
      `The clip of scene ${scene.index}`,
    );
    try {
      const inputs: Record<string, string> = {};
      let clipFile: string | undefined;
      for (const [i, step] of steps.entries()) {
        const final = i === steps.length - 1;
        if (isHandedOver(step, i)) {
          inputs[step.name] = handedOver[step.name] as string;
          continue;
        }
        for (let transientLeft = this.limits.transientResubmits; ; transientLeft--) {
          const taskId =
            step.submitted === false ? `${step.name}-scene-${scene.index}` : await this.submit(scene, step, inputs, reservation);
          try {
            // The summary names the step in the Web UI; it is metadata, which replay does not compare.
            const done = await this.acts.clips.awaitClipStep.executeWithOptions(
              {
                summary:
                  step.submitted === false
                    ? `clip scene ${scene.index} (${step.name})`
                    : `clip scene ${scene.index} (${step.name} task ${taskId})`,
              },
              [{ videoId: this.videoId, scene, step: step.name, taskId, final, ...this.presetField() }],
            );
            this.openTasks.end(taskId);
            this.ledger.settle(step.credits, done.spend.credits);
            if (final && done.reused) this.onReused(scene.index, done.reused);
            if (done.output) {
              inputs[step.name] = done.output;
              if (!final) this.finished.stepDone(scene.index, step.name, done.output);
            }
            clipFile = done.clipFile;
            break;
          } catch (err) {
            if (failureOf(err).type !== FailureType.TaskFailedTransient || transientLeft <= 0) throw err;
            // A failed task is not billed; the step is submitted again from the same inputs.
            this.openTasks.end(taskId);
            this.ledger.settle(step.credits, 0);
          }
        }
      }
      if (!clipFile) throw ApplicationFailure.nonRetryable(`Scene ${scene.index} has no clip step`, FailureType.InvalidProviderReply);
      return clipFile;
    } finally {
      this.ledger.release(reservation);
    }
  }

  /** What every step's activity is handed besides the step: the format and the cache's scope, when set. */
  private presetField(): { preset?: PresetName; cacheScope?: CacheScope } {
    return { ...(this.preset ? { preset: this.preset } : {}), ...(this.cacheScope ? { cacheScope: this.cacheScope } : {}) };
  }

  /** Submits one step until a task id is known, by the rules in this file's header. */
  private async submit(scene: Scene, step: ClipStep, inputs: Record<string, string>, reservation: Reservation): Promise<string> {
    const what = `Scene ${scene.index}'s ${step.name} step`;
    let unconfirmed = 0;
    let notSent = 0;
    for (;;) {
      this.ledger.hold(reservation, step.credits, what);
      try {
        const { taskId } = await this.acts.submit.submitClipStep.executeWithOptions(
          { summary: `submit ${step.name} for scene ${scene.index}` },
          [{ videoId: this.videoId, scene, step: step.name, inputs, ...this.presetField() }],
        );
        this.openTasks.add(taskId);
        return taskId;
      } catch (err) {
        const failure = failureOf(err);
        if (failure.timedOut || failure.type === FailureType.SubmissionUnconfirmed) {
          this.ledger.unconfirmed(step.credits);
          if (++unconfirmed > this.limits.unconfirmedResubmits) {
            throw ApplicationFailure.create({
              type: FailureType.SubmissionUnconfirmed,
              message: `${what} was submitted ${unconfirmed} times without a confirmed answer; each is counted as billed`,
              nonRetryable: true,
              cause: err instanceof Error ? err : undefined,
            });
          }
          continue;
        }
        this.ledger.refund(reservation, step.credits);
        const retryable = failure.type === FailureType.RateLimited || failure.type === FailureType.ProviderUnavailable;
        if (!retryable || ++notSent >= NOT_SENT_RETRY.attempts) throw err;
        const backoff = Math.min(NOT_SENT_RETRY.maximumMs, NOT_SENT_RETRY.initialMs * 2 ** (notSent - 1));
        await sleep(failure.nextRetryDelayMs ?? backoff);
      }
    }
  }
}
