import type { ClipGenerator, GenerateClipRequest, Spend } from '../../src/providers/contracts';
import type { Scene } from '../../src/shared/video';
import type { ExecutionLog } from './execution-log';
import { sleep } from './latencies';

const TASK_PREFIX = 'bench-task';

/**
 * A clip generator that behaves like a remote job provider: a submitted job keeps running on the
 * provider's side for `latencyMs` whether or not the worker lives, and its task id (which carries
 * the submission time) is checkpointed at once. A retry that resumes the task only waits for what
 * is left of it; a retry without the checkpoint submits, and pays for, a new job.
 */
export class FakeClipGenerator implements ClipGenerator {
  constructor(private readonly options: { latencyMs: number; log: ExecutionLog }) {}

  estimateCredits(_scene: Scene): number {
    return 0;
  }

  async generateClip(request: GenerateClipRequest): Promise<{ spend: Spend }> {
    const key = `clip:${request.scene.index}`;
    const submittedAt = submissionTime(request.resume?.taskId);
    if (submittedAt !== undefined) {
      this.options.log.write({ event: 'resume', stage: 'clip', key });
      await sleep(submittedAt + this.options.latencyMs - Date.now(), request.signal);
      return this.finish(request);
    }
    return this.options.log.around('clip', key, async () => {
      request.onCheckpoint({ taskId: `${TASK_PREFIX}-${request.scene.index}-${Date.now()}`, credits: 0 });
      await sleep(this.options.latencyMs, request.signal);
      return this.finish(request);
    });
  }

  /** No file is written: the render stub is the only later stage, and it reads none. */
  private finish(request: GenerateClipRequest): { spend: Spend } {
    request.onProgress(1);
    return { spend: { credits: 0 } };
  }
}

function submissionTime(taskId: string | undefined): number | undefined {
  if (!taskId?.startsWith(TASK_PREFIX)) return undefined;
  const at = Number(taskId.split('-').pop());
  return Number.isFinite(at) ? at : undefined;
}
