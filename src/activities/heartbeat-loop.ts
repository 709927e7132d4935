/**
 * Keeps an activity heartbeating while it waits on a child process or a remote job. Heartbeats are
 * how a cancellation reaches a running activity and how a stuck one is noticed, so they must keep
 * flowing even when the work itself reports nothing. The SDK throttles what reaches the server.
 */
import { Context } from '@temporalio/activity';

export interface HeartbeatLoop {
  /** Replaces the details sent with every heartbeat from now on, and sends one at once. */
  update(details: unknown): void;
  stop(): void;
}

/**
 * Starts heartbeating `initialDetails`. With `intervalMs: null` heartbeats are sent only on
 * `update()`, for work whose own progress proves it is alive (an ffmpeg render), so that a hang
 * stops the heartbeats and Temporal's heartbeat timeout retries the activity.
 */
export function startHeartbeatLoop(initialDetails?: unknown, intervalMs: number | null = 1000): HeartbeatLoop {
  const context = Context.current();
  let details = initialDetails;
  context.heartbeat(details);
  const timer = intervalMs === null ? undefined : setInterval(() => context.heartbeat(details), intervalMs);
  timer?.unref();
  return {
    update(next) {
      details = next;
      context.heartbeat(details);
    },
    stop() {
      clearInterval(timer);
    },
  };
}
