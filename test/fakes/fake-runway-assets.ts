/**
 * Real media for the fake Runway outputs: a 2-second H.264 MP4 and a PNG, drawn once per test
 * process with ffmpeg so downloads can be probed like real clips.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runTool } from '../../src/media/run-tool';

export interface RunwayAssets {
  mp4: Buffer;
  png: Buffer;
}

let assets: Promise<RunwayAssets> | undefined;

async function draw(): Promise<RunwayAssets> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fake-runway-'));
  try {
    const mp4 = path.join(dir, 'clip.mp4');
    const png = path.join(dir, 'image.png');
    const common = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error', '-f', 'lavfi'];
    await runTool('ffmpeg', [
      ...common,
      '-i',
      'testsrc2=size=640x360:rate=24:duration=2',
      '-pix_fmt',
      'yuv420p',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-movflags',
      '+faststart',
      mp4,
    ]);
    await runTool('ffmpeg', [...common, '-i', 'testsrc2=size=640x360', '-frames:v', '1', png]);
    return { mp4: await readFile(mp4), png: await readFile(png) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The shared assets, drawn on first use. */
export function runwayAssets(): Promise<RunwayAssets> {
  assets ??= draw();
  return assets;
}
