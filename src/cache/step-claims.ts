/**
 * Single flight for the step cache: when concurrent runs need the same output, one makes it and
 * the others wait for it, durably and without looking in the store again and again. A claim is a
 * `stepClaim` workflow (src/workflows/step-claim.ts) whose id is derived from the cache key, so
 * Temporal arbitrates who takes it; its memo names the owner, one part of one run.
 *
 * A run that finds a claim taken waits for whichever comes first of the claim's end and the end
 * of the owner's run, both long polls answered by the server. The second covers an owner that
 * can no longer settle its claim (terminated, or failed between two activities): its claim is
 * then stale, and the next run to look ends it and takes over. An owner's retry (a crash, a
 * timeout) knows the claim is its own by the memo and carries on making the output.
 */
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { logger } from '../shared-node/logger';
import { CLAIM_OWNER_MEMO_KEY, STEP_CLAIM_WORKFLOW_TYPE, settleSignal, type ClaimOwner, type stepClaim } from '../workflows/step-claim';

export type { ClaimOwner } from '../workflows/step-claim';

export type Claim =
  | { mine: true }
  /** Another run makes the output; `wait` returns when it is done or can no longer be. */
  | { mine: false; wait(signal: AbortSignal): Promise<void> };

/** A running claim held by someone else, with the two runs whose end ends the wait. */
interface Holder {
  owner: ClaimOwner;
  claimRun: WorkflowHandle;
  ownerRun: WorkflowHandle;
}

const sameOwner = (a: ClaimOwner, b: ClaimOwner) => a.workflowId === b.workflowId && a.runId === b.runId && a.part === b.part;

/** How often a take may find a claim ended under it before it makes the output unclaimed. */
const TAKE_ATTEMPTS = 4;

export class StepClaims {
  /**
   * @param client starts, reads and signals the claims (the worker's own client)
   * @param taskQueue the deployment's workflow queue: part of every claim id, because the store a
   *   claim guards belongs to one deployment
   */
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  claimId(key: string): string {
    return `claim-${this.taskQueue}-${key}`;
  }

  /** Takes the claim on `key` for `owner`, or says who holds it and how to wait for them. */
  async take(key: string, owner: ClaimOwner): Promise<Claim> {
    for (let attempt = 0; attempt < TAKE_ATTEMPTS; attempt++) {
      try {
        await this.client.workflow.start<typeof stepClaim>(STEP_CLAIM_WORKFLOW_TYPE, {
          workflowId: this.claimId(key),
          taskQueue: this.taskQueue,
          args: [owner],
          memo: { [CLAIM_OWNER_MEMO_KEY]: owner },
          staticSummary: `Making step-cache entry ${key}`,
        });
        return { mine: true };
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      const holder = await this.holder(key);
      if (!holder) continue;
      if (sameOwner(holder.owner, owner)) return { mine: true };
      return { mine: false, wait: (signal) => this.waitOn(holder, signal) };
    }
    // Claims keep ending as fast as they are taken: making the output beats stalling the run.
    logger.warn('a step-cache claim kept changing hands; making the output without one', { key });
    return { mine: true };
  }

  /** Returns once no run holds a claim on `key`: at once when none does. */
  async waitFor(key: string, signal: AbortSignal): Promise<void> {
    const holder = await this.holder(key);
    if (holder) await this.waitOn(holder, signal);
  }

  /**
   * Ends `owner`'s claim on `key`: `produced` when the output is in the cache, otherwise so that
   * a waiting run makes it. A failure here is logged: the waiting runs then go on at the end of
   * the owner's run instead.
   */
  async settle(key: string, owner: ClaimOwner, produced: boolean): Promise<void> {
    try {
      const holder = await this.holder(key);
      if (holder && sameOwner(holder.owner, owner)) await holder.claimRun.signal(settleSignal, { produced });
    } catch (err) {
      logger.warn('could not settle a step-cache claim', { key, error: String(err) });
    }
  }

  /** The running claim on `key` and its owner; undefined when there is none, or it was stale and is now ended. */
  private async holder(key: string): Promise<Holder | undefined> {
    const workflowId = this.claimId(key);
    let description;
    try {
      description = await this.client.workflow.getHandle(workflowId).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
    if (description.status.name !== 'RUNNING') return undefined;
    const owner = description.memo?.[CLAIM_OWNER_MEMO_KEY] as ClaimOwner;
    const claimRun = this.client.workflow.getHandle(workflowId, description.runId);
    const ownerRun = this.client.workflow.getHandle(owner.workflowId, owner.runId, { followRuns: false });
    if (await this.isOpen(ownerRun)) return { owner, claimRun, ownerRun };
    await claimRun.terminate(`its owner ${owner.workflowId} ended without settling it`).catch((err: unknown) => {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    });
    return undefined;
  }

  private async isOpen(run: WorkflowHandle): Promise<boolean> {
    try {
      return (await run.describe()).status.name === 'RUNNING';
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  }

  private async waitOn(holder: Holder, signal: AbortSignal): Promise<void> {
    // Either end will do, whether it succeeded or failed: the caller looks in the cache next.
    await this.client
      .withAbortSignal(signal, () => Promise.race([holder.claimRun.result(), holder.ownerRun.result()]))
      .catch(() => undefined);
    signal.throwIfAborted();
  }
}
