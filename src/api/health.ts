/**
 * Health: healthy only when Temporal answers and at least one worker polls each task queue the
 * project uses, since a video started without them would sit queued forever. A check costs one
 * Temporal call per task queue, so reports are cached and a burst of requests shares one refresh:
 * the open `/health` cannot be used to load Temporal. The open answer is coarse; the per-queue
 * pollers are in the authenticated `GET /api/health`.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { logger } from '../shared-node/logger';
import { ACTIVITY_QUEUES, activityTaskQueue } from '../shared/temporal-names';

/** What `GET /health` tells anyone. */
export interface HealthSummary {
  ok: boolean;
  temporal: 'reachable' | 'unreachable';
  problems: string[];
}

/** What `GET /api/health` tells an authenticated caller. */
export interface HealthReport extends HealthSummary {
  taskQueues: { name: string; kind: 'workflow' | 'activity'; pollers: number }[];
  /** When Temporal was asked; a report is reused until it is older than HEALTH_CACHE_SEC. */
  checkedAt: string;
}

const { TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY } = temporal.api.enums.v1.TaskQueueType;

/** Asks Temporal now: one `DescribeTaskQueue` per task queue. */
export async function checkHealth(client: Client, taskQueue: string): Promise<HealthReport> {
  const checkedAt = new Date().toISOString();
  const queues = [
    { name: taskQueue, kind: 'workflow' as const },
    ...ACTIVITY_QUEUES.map((q) => ({ name: activityTaskQueue(taskQueue, q), kind: 'activity' as const })),
  ];
  // Settled, not raced: a check ends only once every call has, so none outlives it.
  const answers = await Promise.allSettled(
    queues.map(async (q) => {
      const response = await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name: q.name },
        taskQueueType: q.kind === 'workflow' ? TASK_QUEUE_TYPE_WORKFLOW : TASK_QUEUE_TYPE_ACTIVITY,
      });
      return { ...q, pollers: response.pollers?.length ?? 0 };
    }),
  );
  const failed = answers.find((a) => a.status === 'rejected');
  if (failed) {
    // The cause (addresses, TLS details) goes to the log, not to whoever asked.
    logger.warn('health check: Temporal is unreachable', { err: failed.reason });
    return { ok: false, temporal: 'unreachable', taskQueues: [], problems: ['Temporal is unreachable'], checkedAt };
  }
  const taskQueues = answers.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
  const problems = taskQueues.filter((q) => q.pollers === 0).map((q) => `no worker polls the ${q.kind} task queue ${q.name}`);
  return { ok: problems.length === 0, temporal: 'reachable', taskQueues, problems, checkedAt };
}

/** The open view of a report: no queue pollers, no timing. */
export const healthSummary = ({ ok, temporal: reachable, problems }: HealthReport): HealthSummary => ({
  ok,
  temporal: reachable,
  problems,
});

/**
 * Serves health reports at most `cacheMs` old. While a refresh runs, every caller waits for that
 * same refresh, so N concurrent requests cost Temporal one check.
 */
export class CachedHealthCheck {
  private cached?: { report: HealthReport; at: number };
  private refreshing?: Promise<HealthReport>;

  constructor(
    private readonly check: () => Promise<HealthReport>,
    /** @default 5000 (HEALTH_CACHE_SEC) */
    private readonly cacheMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  report(): Promise<HealthReport> {
    if (this.cached && this.now() - this.cached.at < this.cacheMs) return Promise.resolve(this.cached.report);
    this.refreshing ??= this.check()
      .then((report) => {
        this.cached = { report, at: this.now() };
        return report;
      })
      .finally(() => {
        this.refreshing = undefined;
      });
    return this.refreshing;
  }
}
