/**
 * `GET /health`: healthy only when Temporal answers and at least one worker polls each task queue
 * the project uses, since a video started without them would sit queued forever.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ACTIVITY_QUEUES, activityTaskQueue } from '../shared/temporal-names';

export interface HealthReport {
  ok: boolean;
  temporal: 'reachable' | 'unreachable';
  taskQueues: { name: string; kind: 'workflow' | 'activity'; pollers: number }[];
  problems: string[];
}

const { TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY } = temporal.api.enums.v1.TaskQueueType;

export async function checkHealth(client: Client, taskQueue: string): Promise<HealthReport> {
  const queues = [
    { name: taskQueue, kind: 'workflow' as const },
    ...ACTIVITY_QUEUES.map((q) => ({ name: activityTaskQueue(taskQueue, q), kind: 'activity' as const })),
  ];
  try {
    const taskQueues = await Promise.all(
      queues.map(async (q) => {
        const response = await client.workflowService.describeTaskQueue({
          namespace: client.options.namespace,
          taskQueue: { name: q.name },
          taskQueueType: q.kind === 'workflow' ? TASK_QUEUE_TYPE_WORKFLOW : TASK_QUEUE_TYPE_ACTIVITY,
        });
        return { ...q, pollers: response.pollers?.length ?? 0 };
      }),
    );
    const problems = taskQueues.filter((q) => q.pollers === 0).map((q) => `no worker polls the ${q.kind} task queue ${q.name}`);
    return { ok: problems.length === 0, temporal: 'reachable', taskQueues, problems };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, temporal: 'unreachable', taskQueues: [], problems: [`Temporal is unreachable: ${message}`] };
  }
}
