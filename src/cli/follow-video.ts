/**
 * Follows a video's status until it ends, drawing a progress bar on a terminal (or one line per
 * change when the output is not a terminal, as in CI logs).
 */
import type { VideoStatusBody } from '../api/schemas';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

/** One line such as `[#####-----]  50% narrating scenes 2/4`. */
export function progressLine(status: VideoStatusBody, width = 30): string {
  const filled = Math.round((status.progress / 100) * width);
  const done = status.scenes.filter((s) => s.narration === 'done' && s.clip === 'done').length;
  const scenes = status.scenes.length ? ` scenes ${done}/${status.scenes.length}` : '';
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(status.progress).padStart(3)}% ${status.stage}${scenes}`;
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
