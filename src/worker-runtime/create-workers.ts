/**
 * Builds the Temporal workers of one process: one for workflows and one per activity queue, each
 * with its own concurrency and rate limits, so a deployment can give Runway two slots and
 * PubMed three requests a second while rendering keeps its own pace.
 */
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivitiesByQueue, type ActivityDeps } from '../activities';
import { HEARTBEAT_THROTTLE_MS } from '../activities/heartbeat-loop';
import { observedDeps, observedWorkerOptions, type WorkerObservability } from '../observability/worker-observability';
import { WorkerMetrics } from '../observability/worker-metrics';
import { ACTIVITY_QUEUES, activityTaskQueue, type ActivityQueue } from '../shared/temporal-names';

export interface QueueLimits {
  /** Activities of the queue run at once in this process. */
  concurrency: Record<ActivityQueue, number>;
  /** Server-enforced starts per second across every worker of the queue. */
  ratePerSec: Partial<Record<ActivityQueue, number>>;
}

export interface CreateWorkersOptions {
  connection: NativeConnection;
  namespace: string;
  /** The workflow task queue; activity queues are derived from it. */
  taskQueue: string;
  deps: ActivityDeps;
  limits: QueueLimits;
  /** Which workers to run; all of them by default. */
  roles?: ('workflows' | ActivityQueue)[];
  /** A prebuilt bundle (tests bundle once); otherwise the workflows folder is bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  /** Extra options for every worker, e.g. a shorter shutdown grace time in tests. */
  common?: Partial<WorkerOptions>;
  /** Metrics, tracing and provider names; provider calls and runs are counted either way. */
  observability?: WorkerObservability;
}

export async function createWorkers(options: CreateWorkersOptions): Promise<Worker[]> {
  const roles = options.roles ?? ['workflows', ...ACTIVITY_QUEUES];
  const observability = options.observability ?? {};
  const metrics = observability.metrics ?? new WorkerMetrics();
  const activities = createActivitiesByQueue(observedDeps(options.deps, observability, metrics));
  const observed = observedWorkerOptions(observability, metrics, Boolean(options.workflowBundle));
  const base = { connection: options.connection, namespace: options.namespace, ...observed, ...options.common };
  const workers: Promise<Worker>[] = [];
  if (roles.includes('workflows')) {
    workers.push(
      Worker.create({
        ...base,
        taskQueue: options.taskQueue,
        ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
      }),
    );
  }
  for (const queue of ACTIVITY_QUEUES) {
    if (!roles.includes(queue)) continue;
    workers.push(
      Worker.create({
        ...base,
        taskQueue: activityTaskQueue(options.taskQueue, queue),
        activities: activities[queue],
        maxConcurrentActivityTaskExecutions: options.limits.concurrency[queue],
        maxTaskQueueActivitiesPerSecond: options.limits.ratePerSec[queue],
        // Heartbeats carry paid task ids; the SDK's default throttle (up to 60 s) could keep one
        // from reaching the server before a crash, and the retry would then pay again.
        maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE_MS,
        defaultHeartbeatThrottleInterval: HEARTBEAT_THROTTLE_MS,
      }),
    );
  }
  return Promise.all(workers);
}
