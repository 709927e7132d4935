/**
 * A claim on one step-cache key while its output is being made: the single-flight lock that lets
 * concurrent runs pay for the same output once. The id `claim-<task queue>-<key>` is unique while
 * the claim runs, so starting it is an atomic "I make this" that Temporal arbitrates; a run that
 * finds it taken waits for this workflow's result, a long poll the server answers when the claim
 * ends, instead of looking in the store again and again. The owner ends the claim with `settle`
 * once the output is in the cache (or once it gave up); src/cache/step-claims.ts holds the rest.
 */
import { condition, defineSignal, setHandler } from '@temporalio/workflow';

export const STEP_CLAIM_WORKFLOW_TYPE = 'stepClaim';
/** Memo field naming the run that holds the claim, read by the runs that find it taken. */
export const CLAIM_OWNER_MEMO_KEY = 'owner';

/** Who makes the output: one part (an activity, or a scene's clip chain) of one run. */
export interface ClaimOwner {
  workflowId: string;
  runId: string;
  part: string;
}

export interface StepClaimResult {
  /** Whether the owner stored the output; when not, a waiting run takes the claim over. */
  produced: boolean;
}

export const settleSignal = defineSignal<[StepClaimResult]>('settle');

/**
 * Never reached in practice: a claim ends when its owner settles it or when a waiting run finds
 * the owner's run closed. It only bounds a claim whose owner stays open and never comes back.
 */
const LONGEST_CLAIM = '1 day';

export async function stepClaim(owner: ClaimOwner): Promise<StepClaimResult> {
  void owner; // Recorded in the start event and the memo, for the Web UI and for waiting runs.
  let result: StepClaimResult | undefined;
  setHandler(settleSignal, (settled) => {
    result ??= settled;
  });
  await condition(() => result !== undefined, LONGEST_CLAIM);
  return result ?? { produced: false };
}
