/**
 * Follows a video's status over the API's event stream until it ends, drawing a progress bar on a
 * terminal (or one line per change when the output is not a terminal, as in CI logs).
 */
import type { VideoStatusBody } from '../api/schemas';
import { CliError, type ReelflowApiClient } from './api-client';
import { readSseEvents } from './sse-events';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
/** Reconnects in a row that bring no status before following gives up. */
const MAX_EMPTY_RECONNECTS = 5;
const RECONNECT_DELAY_MS = 1000;

/** `75 s`, `4m05s`, `1h20m`. */
export function formatDuration(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  if (s < 90) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Estimates the time left as elapsed / progress, on the server's clock (createdAt to updatedAt).
 * Time spent awaiting review says nothing about the rest, so after a review the estimate
 * starts again from the first status that left it.
 */
export class EtaEstimator {
  private base: { at: number; progress: number } | undefined;
  private inReview = false;

  /** Seconds left after `status.updatedAt`, or undefined when nothing can be said yet. */
  secondsLeft(status: VideoStatusBody): number | undefined {
    if (status.stage === 'awaiting_review') {
      this.inReview = true;
      return undefined;
    }
    const at = Date.parse(status.updatedAt);
    if (this.inReview || !this.base)
      this.base = this.inReview ? { at, progress: status.progress } : { at: Date.parse(status.createdAt), progress: 0 };
    this.inReview = false;
    if (status.status !== 'running' || status.progress >= 100) return undefined;
    const done = status.progress - this.base.progress;
    const elapsed = at - this.base.at;
    if (done <= 0 || elapsed <= 0) return undefined;
    return ((elapsed / done) * (100 - status.progress)) / 1000;
  }
}

/**
 * One line such as `[#####-----]  50% narrating scenes 2/4 · ETA 40 s`, followed, while a step is
 * being retried, by its attempt, what failed and when the next attempt is due.
 */
export function progressLine(status: VideoStatusBody, width = 30, now = Date.now(), etaSec?: number): string {
  const filled = Math.round((status.progress / 100) * width);
  const done = status.scenes.filter((s) => s.narration === 'done' && s.clip === 'done').length;
  const scenes = status.scenes.length ? ` scenes ${done}/${status.scenes.length}` : '';
  const eta = etaSec === undefined ? '' : ` · ETA ${formatDuration(etaSec)}`;
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(status.progress).padStart(3)}% ${status.stage}${scenes}${eta}`;
  const retry = status.retries?.[0];
  if (!retry) return bar;
  const error = retry.lastError ? `, ${retry.lastError.type}: ${retry.lastError.message.slice(0, 80)}` : '';
  const wait = retry.nextAttemptAt ? Math.max(0, Math.round((Date.parse(retry.nextAttemptAt) - now) / 1000)) : undefined;
  const next = wait === undefined ? '' : `; next in ${wait} s`;
  return `${bar} · retrying ${retry.activity} (attempt ${retry.attempt}${error}${next})`;
}

export interface FollowOptions {
  /** Called once when the video first reaches `awaiting_review`. */
  onReview?: (status: VideoStatusBody) => void;
}

/**
 * Reads `GET /api/videos/:id/events` until the video reaches a terminal status, and returns that
 * status. A stream that ends early (its maximum age, the API restarting) is opened again.
 */
export async function followVideo(
  client: ReelflowApiClient,
  videoId: string,
  out: NodeJS.WritableStream & { isTTY?: boolean },
  options: FollowOptions = {},
): Promise<VideoStatusBody> {
  const eta = new EtaEstimator();
  let last = '';
  let reviewed = false;
  let emptyReconnects = 0;
  const show = (status: VideoStatusBody) => {
    const line = progressLine(status, 30, Date.now(), eta.secondsLeft(status));
    if (line !== last) {
      out.write(out.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
      last = line;
    }
    if (status.stage === 'awaiting_review' && !reviewed) {
      reviewed = true;
      if (out.isTTY) out.write('\n');
      last = '';
      options.onReview?.(status);
    }
  };
  for (;;) {
    const res = await client.send('GET', `/api/videos/${encodeURIComponent(videoId)}/events`, { headers: { accept: 'text/event-stream' } });
    if (!res.body) throw new CliError('The API sent no event stream');
    let problem = 'the stream ended';
    try {
      for await (const { event, data } of readSseEvents(res.body)) {
        if (event === 'status' || event === 'end') {
          const status = JSON.parse(data) as VideoStatusBody;
          emptyReconnects = 0;
          show(status);
          if (TERMINAL.has(status.status)) {
            if (out.isTTY) out.write('\n');
            await res.body.cancel().catch(() => undefined);
            return status;
          }
        } else if (event === 'error') {
          problem = (JSON.parse(data) as { error?: { message?: string } }).error?.message ?? 'the stream reported an error';
        }
      }
    } catch (err) {
      // The connection dropped (the API restarting, say): open the stream again below.
      problem = err instanceof Error ? err.message : String(err);
    }
    if (++emptyReconnects > MAX_EMPTY_RECONNECTS) throw new CliError(`Following ${videoId} failed: ${problem}`);
    await new Promise((r) => setTimeout(r, RECONNECT_DELAY_MS));
  }
}
