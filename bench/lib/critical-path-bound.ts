import type { ProviderLatencies } from '../providers/latencies';

/**
 * The shortest a video can possibly take with these provider latencies: the script, then the
 * scenes (narration and clip of a scene run side by side, so a scene takes the longer of the two)
 * dealt to `concurrency` lanes in order as the workflow's mapBounded does, then the render.
 * With equal scenes this is ceil(scenes / concurrency) × max(narration, clip).
 */
export function criticalPathBoundMs(latencies: ProviderLatencies, scenes: number, concurrency: number): number {
  const sceneMs = Math.max(latencies.narrationMs, latencies.clipMs);
  const lanes = new Array<number>(Math.max(1, Math.min(concurrency, scenes))).fill(0);
  for (let scene = 0; scene < scenes; scene++) {
    // The lane that frees up first takes the next scene.
    const earliest = lanes.indexOf(Math.min(...lanes));
    lanes[earliest] = (lanes[earliest] ?? 0) + sceneMs;
  }
  return latencies.scriptMs + Math.max(...lanes) + latencies.renderMs;
}
