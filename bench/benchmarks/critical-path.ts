/**
 * How close a video with slow providers comes to the fastest schedule possible: end-to-end time
 * divided by script + scenes under the concurrency limit + render (see critical-path-bound.ts).
 */
import path from 'node:path';
import { type Benchmark, target } from '../lib/benchmark';
import { criticalPathBoundMs } from '../lib/critical-path-bound';
import { workflowTimeline } from '../lib/history-timings';
import { summarize } from '../lib/stats';
import { benchInput, benchVideoId, startVideo } from '../lib/video-runner';
import { startWorkerSet } from '../lib/worker-set';
import type { ProviderLatencies } from '../providers/latencies';

const LATENCIES: ProviderLatencies = { scriptMs: 300, narrationMs: 200, clipMs: 800, renderMs: 300 };
const SCENES = 6;
const SCENE_CONCURRENCY = 2;

export const criticalPath: Benchmark = {
  name: 'critical-path',
  title: 'Critical path (fixed-latency providers)',
  async run(ctx) {
    const { bench } = ctx;
    const runs = ctx.quick ? 2 : 7;
    const boundMs = criticalPathBoundMs(LATENCIES, SCENES, SCENE_CONCURRENCY);
    const taskQueue = benchVideoId('critical-tq');
    const set = await startWorkerSet({
      connection: bench.connection,
      namespace: bench.namespace,
      bundle: { code: bench.bundle.code },
      config: { taskQueue, mediaRoot: path.join(bench.workDir, 'media'), scenes: SCENES, latencies: LATENCIES, concurrency: 8 },
    });
    const endToEnd: number[] = [];
    const clientWall: number[] = [];
    try {
      // The first video warms the worker (bundle load, pollers); it is not measured.
      for (let i = -1; i < runs; i++) {
        const input = benchInput(benchVideoId('critical'), SCENE_CONCURRENCY);
        const started = performance.now();
        await (await startVideo(bench.client, taskQueue, input)).result();
        const wall = performance.now() - started;
        if (i < 0) continue;
        const timeline = await workflowTimeline(bench.client, input.videoId);
        endToEnd.push((timeline.closed ?? Number.NaN) - timeline.started);
        clientWall.push(wall);
        ctx.log(`  run ${i + 1}/${runs}: ${Math.round(endToEnd[endToEnd.length - 1]!)} ms (bound ${boundMs} ms)`);
      }
    } finally {
      await set.stop();
    }
    const ratios = endToEnd.map((ms) => ms / boundMs);
    const ratio = summarize(ratios);
    return {
      metrics: [
        { label: 'Critical-path lower bound', unit: 'ms', summary: summarize([boundMs]) },
        { label: 'End to end (WorkflowExecutionStarted→Completed)', unit: 'ms', summary: summarize(endToEnd) },
        { label: 'End to end as the client sees it (start call → result)', unit: 'ms', summary: summarize(clientWall) },
        { label: 'End to end ÷ lower bound', unit: '×', summary: ratio },
      ],
      targets: [target('End to end ÷ critical-path bound (median)', ratio.median, 1.1, '×')],
      notes: [
        `Latencies: script ${LATENCIES.scriptMs} ms, narration ${LATENCIES.narrationMs} ms, clip ${LATENCIES.clipMs} ms, render ${LATENCIES.renderMs} ms (stub); ` +
          `${SCENES} scenes, sceneConcurrency ${SCENE_CONCURRENCY}. Bound = ${LATENCIES.scriptMs} + ceil(${SCENES}/${SCENE_CONCURRENCY}) × ${Math.max(LATENCIES.narrationMs, LATENCIES.clipMs)} + ${LATENCIES.renderMs} = ${boundMs} ms.`,
        `${runs} videos one at a time after one warm-up video. The narration activity also probes its WAV with ffprobe, which the bound leaves out (it is hidden behind the longer clip).`,
      ],
    };
  },
};
