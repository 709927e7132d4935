/**
 * Long waits on a provider without holding a worker slot. An activity that only waits on a remote
 * job (a Runway task runs for minutes on Runway's side) hands its task back to Temporal with
 * CompleteAsyncError, which frees its slot at once, and the wait goes on here, in the same worker
 * process, as a plain promise: it heartbeats through the client with the activity's task token,
 * and completes, fails or reports the cancellation the same way. A slot is then held only for the
 * milliseconds it takes to start the wait, so one worker can wait on thousands of tasks while its
 * slots stay free for the work that needs them. Why this and not polling from the workflow or
 * retry-as-poll: docs/decisions.md.
 *
 * Durability is Temporal's, as for any activity: if this process dies or freezes, its heartbeats
 * stop, the heartbeat timeout expires, and Temporal retries the activity on another worker, which
 * waits on the same provider task. A worker that stops on purpose `release()`s its waits, failing
 * each one as retryable, so another worker takes it over at once instead of after the timeout.
 */
import { Context, CompleteAsyncError } from '@temporalio/activity';
import { ActivityCancelledError, ActivityNotFoundError, ActivityPausedError, ActivityResetError } from '@temporalio/client';
import type { AsyncCompletionClient } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { logger } from '../shared-node/logger';
import { toApplicationFailure } from './to-application-failure';

/** Failure type of a wait given back by a stopping worker; retried at once elsewhere. */
export const WORKER_STOPPING = 'WorkerStopping';

/** What a detached body gets instead of the activity context. */
export interface DetachedContext {
  /** Aborted when the activity is cancelled, timed out elsewhere, or the worker stops. */
  signal: AbortSignal;
  /** Replaces the details sent with every heartbeat from now on. */
  heartbeat(details: unknown): void;
}

type Ending = 'cancelled' | 'gone' | 'released';

interface Wait {
  controller: AbortController;
  ending?: Ending;
  finished: Promise<void>;
}

export class DetachedActivities {
  private readonly waits = new Set<Wait>();

  /**
   * @param client completes, fails and heartbeats the activities by task token
   * @param heartbeatEveryMs how often each wait heartbeats, and so how soon a cancel reaches it
   *   (at most 0.4 × the activity's heartbeat timeout). Each heartbeat is a write on the server.
   */
  constructor(
    private readonly client: Pick<AsyncCompletionClient, 'complete' | 'fail' | 'reportCancellation' | 'heartbeat'>,
    private readonly heartbeatEveryMs = 3000,
  ) {}

  /** Waits running in this process. */
  get size(): number {
    return this.waits.size;
  }

  /**
   * Called inside an activity: starts `body` detached from it and throws CompleteAsyncError, which
   * the activity must let through. The body's result or failure becomes the activity's.
   */
  detach<T>(initialDetails: unknown, body: (context: DetachedContext) => Promise<T>): never {
    const { taskToken, heartbeatTimeoutMs, activityType, workflowExecution } = Context.current().info;
    const controller = new AbortController();
    let details = initialDetails;
    const wait: Wait = { controller, finished: Promise.resolve() };
    const end = (ending: Ending) => {
      wait.ending ??= ending;
      controller.abort();
    };
    const beat = () => {
      this.client.heartbeat(taskToken, details).catch((err: unknown) => {
        if (err instanceof ActivityCancelledError) end('cancelled');
        else if (err instanceof ActivityNotFoundError || err instanceof ActivityResetError) end('gone');
        else if (err instanceof ActivityPausedError) end('gone');
        else logger.warn('heartbeat of a detached activity failed; retrying at the next beat', { activityType, error: String(err) });
      });
    };
    // An activity without a heartbeat timeout still heartbeats, so that a cancel reaches it.
    const everyMs = Math.max(200, Math.min(this.heartbeatEveryMs, (heartbeatTimeoutMs ?? Infinity) * 0.4));
    const timer = setInterval(beat, everyMs);
    timer.unref();
    this.waits.add(wait);
    wait.finished = (async () => {
      try {
        const result = await body({ signal: controller.signal, heartbeat: (next) => (details = next) });
        await this.client.complete(taskToken, result);
      } catch (err) {
        await this.reportEnd(taskToken, wait.ending, err);
      }
    })()
      .catch((err: unknown) => {
        // The server no longer knows the activity (it timed out and was retried, or the run ended).
        if (!(err instanceof ActivityNotFoundError)) {
          logger.warn('could not report a detached activity', {
            activityType,
            workflowId: workflowExecution?.workflowId,
            error: String(err),
          });
        }
      })
      .finally(() => {
        clearInterval(timer);
        this.waits.delete(wait);
      });
    throw new CompleteAsyncError();
  }

  /** Ends every wait of this process as retryable, so other workers resume them at once. */
  async release(): Promise<void> {
    const waits = [...this.waits];
    for (const wait of waits) {
      wait.ending ??= 'released';
      wait.controller.abort();
    }
    await Promise.all(waits.map((w) => w.finished));
  }

  private async reportEnd(taskToken: Uint8Array, ending: Ending | undefined, err: unknown): Promise<void> {
    switch (ending) {
      case 'gone':
        return;
      case 'cancelled':
        return this.client.reportCancellation(taskToken);
      case 'released':
        return this.client.fail(
          taskToken,
          ApplicationFailure.create({ type: WORKER_STOPPING, message: 'the worker waiting on this task stopped' }),
        );
      default:
        return this.client.fail(taskToken, toApplicationFailure(err));
    }
  }
}
