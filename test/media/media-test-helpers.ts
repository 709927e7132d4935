/**
 * Small real inputs for media tests: tones, test-pattern clips and scratch folders. Everything
 * is generated with ffmpeg's lavfi sources so no fixture files are needed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runTool } from '../../src/media/run-tool';

/** A fresh scratch folder; call the returned cleanup in afterEach/afterAll. */
export async function makeScratchDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'reelflow-media-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A mono 22.05 kHz sine WAV of `sec` seconds, like espeak-ng's output. */
export async function makeTone(outPath: string, sec: number): Promise<void> {
  await runTool('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=22050:duration=${sec}`, outPath]);
}

/** A test-pattern H.264 clip without audio, of any size and rate. */
export async function makeClip(outPath: string, sec: number, size = '320x240', fps = 25): Promise<void> {
  await runTool('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=${fps}:duration=${sec}`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', outPath],
  ]);
}

/** Runs ffmpeg with a filter that only analyses, and returns what it logged. */
export async function analyse(inputPath: string, filterFlag: '-vf' | '-af', filter: string): Promise<string> {
  const { stderr } = await runTool('ffmpeg', ['-hide_banner', '-nostats', '-i', inputPath, filterFlag, filter, '-f', 'null', '-']);
  return stderr;
}

/** The codec of each subtitle track of a media file, e.g. `['mov_text']`. */
export async function subtitleCodecs(mediaPath: string): Promise<string[]> {
  const { stdout } = await runTool('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    's',
    '-show_entries',
    'stream=codec_name',
    '-of',
    'csv=p=0',
    mediaPath,
  ]);
  return stdout.split('\n').filter(Boolean);
}

/** Whether a process with this pid still exists (and is not a zombie we could still reap). */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `check` until it is true or the deadline passes; returns the last result. */
export async function pollUntil(check: () => boolean, timeoutMs: number, intervalMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return check();
}
