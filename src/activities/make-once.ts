/**
 * How an activity makes a cached step's output at most once across concurrent runs: a hit is
 * reused; on a miss the activity takes the key's claim (src/cache/step-claims.ts) and makes the
 * output, or, when another run holds it, waits for that run without holding a worker slot and
 * then reuses what it stored. A wait that ends on a miss (the other run stopped first) fails as
 * `ClaimReleased`, and Temporal's retry of the activity takes the claim and makes the output.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { StepCache, type CacheEntry } from '../cache/step-cache';
import type { Claim, ClaimOwner, StepClaims } from '../cache/step-claims';
import { FailureType } from '../shared/failure-types';
import type { ArtifactStore } from '../storage/artifact-store';
import type { DetachedActivities } from './detached-activities';
import { startHeartbeatLoop } from './heartbeat-loop';
import { atActivityBoundary } from './to-application-failure';

export interface SingleFlightDeps {
  store: ArtifactStore;
  /** Without claims, concurrent runs that miss the same key each make the output. */
  claims?: StepClaims;
  detached?: DetachedActivities;
}

/** The part of the current run this activity makes; `part` defaults to the activity's own id, stable across its retries. */
export function claimOwner(part?: string): ClaimOwner {
  const { workflowExecution, activityId } = Context.current().info;
  return { workflowId: workflowExecution?.workflowId ?? '', runId: workflowExecution?.runId ?? '', part: part ?? activityId };
}

/** The failure of a wait whose owner stopped before storing the output; the activity's retry makes it. */
export function claimReleased(what: string, type: string = FailureType.ClaimReleased): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message: `The run making ${what} stopped before storing it; it is made on the next attempt`,
  });
}

export async function makeOnce<T>(
  deps: SingleFlightDeps,
  key: string | undefined,
  steps: {
    /** Names the output in messages. */
    what: string;
    /** Turns a cache entry into the activity's result (copies its file in). */
    reuse(entry: CacheEntry, signal: AbortSignal): Promise<T>;
    /** Makes the output and stores it in the cache. */
    make(): Promise<T>;
    /** Which part of the run owns the claim; the activity by default. */
    part?: string;
  },
): Promise<T> {
  if (!key) return steps.make();
  const cache = new StepCache(deps.store);
  const hit = await cache.get(key);
  if (hit) return steps.reuse(hit, Context.current().cancellationSignal);
  if (!deps.claims) return steps.make();
  const owner = claimOwner(steps.part);
  const claim = await deps.claims.take(key, owner);
  if (!claim.mine) return waitForOther(deps, claim, { key, ...steps });
  let produced = false;
  try {
    const result = await steps.make();
    produced = true;
    return result;
  } finally {
    await deps.claims.settle(key, owner, produced);
  }
}

/** Waits for the claim's owner, detached from the slot when the worker can, then reuses its output. */
function waitForOther<T>(
  deps: SingleFlightDeps,
  claim: Extract<Claim, { mine: false }>,
  steps: { key: string; what: string; reuse(entry: CacheEntry, signal: AbortSignal): Promise<T> },
): Promise<T> {
  const details = { waitingFor: steps.key };
  const afterWait = async (signal: AbortSignal) => {
    await claim.wait(signal);
    const entry = await new StepCache(deps.store).get(steps.key);
    if (!entry) throw claimReleased(steps.what);
    return steps.reuse(entry, signal);
  };
  if (deps.detached) return deps.detached.detach(details, (context) => atActivityBoundary(() => afterWait(context.signal)));
  const heartbeats = startHeartbeatLoop(details);
  return afterWait(Context.current().cancellationSignal).finally(() => heartbeats.stop());
}
