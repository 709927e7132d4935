/**
 * A clip generator that misbehaves on purpose, for the workflow's resubmission rules: per scene,
 * its first submission's answer is "lost" and its first task fails for a transient reason, then
 * it hands over to the real generator it wraps. Each call is recorded.
 */
import type { AwaitClipStepRequest, ClipGenerator, ClipStepOutcome, SubmitClipStepRequest } from '../../src/providers/contracts';
import { SubmissionUnconfirmedError, TaskFailedTransientError } from '../../src/providers/errors';
import type { Scene } from '../../src/shared/video';

export class FlakyClipGenerator implements ClipGenerator {
  readonly submissions: number[] = [];
  readonly awaits: number[] = [];

  constructor(private readonly inner: ClipGenerator) {}

  /** Every step is submitted first, as a remote provider's would be, so submissions can fail. */
  plan(scene: Scene) {
    return this.inner.plan(scene).map((step) => ({ ...step, submitted: true }));
  }

  async submit(request: SubmitClipStepRequest): Promise<{ taskId: string }> {
    this.submissions.push(request.scene.index);
    if (this.submissions.filter((i) => i === request.scene.index).length === 1) {
      throw new SubmissionUnconfirmedError('The answer to the submission was lost (test)');
    }
    return this.inner.submit(request);
  }

  async await(request: AwaitClipStepRequest): Promise<ClipStepOutcome> {
    this.awaits.push(request.scene.index);
    if (this.awaits.filter((i) => i === request.scene.index).length === 1) {
      throw new TaskFailedTransientError('The task failed with INTERNAL.BAD_OUTPUT (test)');
    }
    return this.inner.await(request);
  }

  cancel(taskId: string): Promise<void> {
    return this.inner.cancel(taskId);
  }
}
