import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/**
 * Measures how long each activity's own code runs, inside the worker, so that the time Temporal
 * adds around it can be told apart from the time the work itself took.
 */
export class ActivityTimer {
  /** Milliseconds of execution by `workflowId/activityId`; a retried activity keeps its last attempt. */
  readonly durations = new Map<string, number>();

  interceptor(): ActivityInterceptorsFactory {
    return (ctx) => ({
      inbound: {
        execute: async (input, next) => {
          const started = performance.now();
          try {
            return await next(input);
          } finally {
            const key = ActivityTimer.key(ctx.info.workflowExecution?.workflowId ?? '', ctx.info.activityId);
            this.durations.set(key, performance.now() - started);
          }
        },
      },
    });
  }

  static key(workflowId: string, activityId: string): string {
    return `${workflowId}/${activityId}`;
  }
}
