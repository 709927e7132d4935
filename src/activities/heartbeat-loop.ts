/**
 * Keeps an activity heartbeating while it waits on a child process or a remote job. Heartbeats are
 * how a cancellation reaches a running activity and how a stuck one is noticed, so they must keep
 * flowing even when the work itself reports nothing. The SDK throttles what reaches the server.
 */
import { Context } from '@temporalio/activity';

export interface HeartbeatLoop {
  /** Replaces the details sent with every heartbeat from now on, and sends one at once. */
  update(details: unknown): void;
  /**
   * Pauses the loop until the next `update()` and waits out the SDK's heartbeat throttle, so that
   * the next heartbeat is sent to the server at once instead of at the end of a throttle window.
   */
  quiet(): Promise<void>;
  stop(): void;
}

/** Must match the workers' `maxHeartbeatThrottleInterval` (src/worker-runtime/create-workers.ts). */
export const HEARTBEAT_THROTTLE_MS = 1000;

/**
 * Starts heartbeating `initialDetails` every `intervalMs`. With `intervalMs: null` heartbeats are sent only on
 * `update()`, for work whose own progress proves it is alive (an ffmpeg render), so that a hang
 * stops the heartbeats and Temporal's heartbeat timeout retries the activity.
 */
export function startHeartbeatLoop(initialDetails?: unknown, intervalMs: number | null = 1000): HeartbeatLoop {
  const context = Context.current();
  let details = initialDetails;
  // No heartbeat at the start: the first one is sent unthrottled, and it should carry the first
  // checkpoint (a paid task id) rather than empty details.
  let lastBeat = 0;
  const beat = () => {
    lastBeat = Date.now();
    context.heartbeat(details);
  };
  let timer: NodeJS.Timeout | undefined;
  const resume = () => {
    if (intervalMs === null || timer) return;
    timer = setInterval(beat, intervalMs);
    timer.unref();
  };
  resume();
  return {
    update(next) {
      details = next;
      beat();
      resume();
    },
    async quiet() {
      clearInterval(timer);
      timer = undefined;
      // The SDK's core sends a throttled heartbeat at the end of one window and forgets the
      // activity only at the end of the next, so two windows must pass in silence.
      const wait = lastBeat + 2 * HEARTBEAT_THROTTLE_MS + 100 - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
