/**
 * Follows a video's status until it ends, drawing a progress bar on a terminal (or one line per
 * change when the output is not a terminal, as in CI logs).
 */
import type { VideoStatusBody } from '../../src/api/schemas';

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export function progressLine(status: VideoStatusBody, width = 30): string {
  const filled = Math.round((status.progress / 100) * width);
  const scenes = status.scenes.length ? ` scenes ${status.scenes.filter((s) => s.narration === 'done' && s.clip === 'done').length}/${status.scenes.length}` : '';
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(status.progress).padStart(3)}% ${status.stage}${scenes}`;
}

export async function followVideo(statusUrl: string, out: NodeJS.WriteStream, intervalMs = 500): Promise<VideoStatusBody> {
  let last = '';
  for (;;) {
    const res = await fetch(statusUrl);
    if (!res.ok) throw new Error(`GET ${statusUrl} answered ${res.status}`);
    const status = (await res.json()) as VideoStatusBody;
    const line = progressLine(status);
    if (line !== last) {
      if (out.isTTY) out.write(`\r${line}`);
      else out.write(`${line}\n`);
      last = line;
    }
    if (TERMINAL.has(status.status)) {
      if (out.isTTY) out.write('\n');
      return status;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
