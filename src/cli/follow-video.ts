/**
 * Follows a video's status until it ends, drawing a progress bar on a terminal (or one line per
 * change when the output is not a terminal, as in CI logs).
 */
import type { VideoStatusBody } from '../api/schemas';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/**
 * One line such as `[#####-----]  50% narrating scenes 2/4`, followed, while a step is being
 * retried, by what failed and when the next attempt is due.
 */
export function progressLine(status: VideoStatusBody, width = 30, now = Date.now()): string {
  const filled = Math.round((status.progress / 100) * width);
  const done = status.scenes.filter((s) => s.narration === 'done' && s.clip === 'done').length;
  const scenes = status.scenes.length ? ` scenes ${done}/${status.scenes.length}` : '';
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(status.progress).padStart(3)}% ${status.stage}${scenes}`;
  const retry = status.retries?.[0];
  if (!retry) return bar;
  const error = retry.lastError ? `, ${retry.lastError.type}: ${retry.lastError.message.slice(0, 80)}` : '';
  const wait = retry.nextAttemptAt ? Math.max(0, Math.round((Date.parse(retry.nextAttemptAt) - now) / 1000)) : undefined;
  const next = wait === undefined ? '' : `; next in ${wait} s`;
  return `${bar} · retrying ${retry.activity} (attempt ${retry.attempt}${error}${next})`;
}

/** Polls `statusUrl` until the video reaches a terminal status, and returns that status. */
export async function followVideo(
  statusUrl: string,
  out: NodeJS.WritableStream & { isTTY?: boolean },
  options: { intervalMs?: number; headers?: Record<string, string> } = {},
): Promise<VideoStatusBody> {
  let last = '';
  for (;;) {
    const res = await fetch(statusUrl, { headers: options.headers });
    if (!res.ok) throw new Error(`GET ${statusUrl} answered ${res.status}`);
    const status = (await res.json()) as VideoStatusBody;
    const line = progressLine(status);
    if (line !== last) {
      out.write(out.isTTY ? `\r${line}` : `${line}\n`);
      last = line;
    }
    if (TERMINAL.has(status.status)) {
      if (out.isTTY) out.write('\n');
      return status;
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
  }
}
