import { Context } from '@temporalio/activity';
import type { AwaitClipStepRequest, ClipGenerator, ClipStep, ClipStepOutcome, SubmitClipStepRequest } from '../../src/providers/contracts';
import type { ExecutionLog } from './execution-log';
import { sleep } from './latencies';

const TASK_PREFIX = 'bench-task';
const STEP = 'clip';

/**
 * A clip generator that behaves like a remote job provider with one step: a submitted job keeps
 * running on the provider's side for `latencyMs` whether or not the worker lives, and its task id
 * carries the submitting process and the submission time. Waiting on it, in whatever process and
 * attempt, only waits for what is left of the job. A new submission is logged as work started
 * (and paid for); a wait that another process or a retry picks up is logged as a resumed job.
 */
export class FakeClipGenerator implements ClipGenerator {
  constructor(
    private readonly options: {
      latencyMs: number;
      log: ExecutionLog;
      /**
       * Credits each clip is quoted and billed at.
       * @default 0
       */
      credits?: number;
    },
  ) {}

  plan(): ClipStep[] {
    return [{ name: STEP, credits: this.options.credits ?? 0 }];
  }

  async submit(request: SubmitClipStepRequest): Promise<{ taskId: string }> {
    this.options.log.write({ event: 'start', stage: 'clip', key: clipKey(request.scene.index) });
    return { taskId: `${TASK_PREFIX}-${request.scene.index}-${process.pid}-${Date.now()}` };
  }

  /** No file is written: the render stub is the only later stage, and it reads none. */
  async await(request: AwaitClipStepRequest): Promise<ClipStepOutcome> {
    const task = parseTaskId(request.taskId);
    if (!task) throw new Error(`Not a task id of the benchmark's clip generator: ${request.taskId}`);
    const key = clipKey(request.scene.index);
    if (task.pid !== process.pid || Context.current().info.attempt > 1) this.options.log.write({ event: 'resume', stage: 'clip', key });
    await sleep(task.submittedAt + this.options.latencyMs - Date.now(), request.signal);
    request.onProgress(1);
    this.options.log.write({ event: 'end', stage: 'clip', key, durationMs: Date.now() - task.submittedAt });
    return { spend: { credits: this.options.credits ?? 0 } };
  }

  /** A fake job costs nothing to leave running. */
  async cancel(): Promise<void> {}
}

const clipKey = (sceneIndex: number) => `clip:${sceneIndex}`;

function parseTaskId(taskId: string): { pid: number; submittedAt: number } | undefined {
  const match = new RegExp(`^${TASK_PREFIX}-\\d+-(\\d+)-(\\d+)$`).exec(taskId);
  return match ? { pid: Number(match[1]), submittedAt: Number(match[2]) } : undefined;
}
