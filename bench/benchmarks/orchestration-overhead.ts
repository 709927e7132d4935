/**
 * What Temporal costs around instant providers: the time each activity spends between being
 * scheduled and being recorded complete beyond its own execution, and how many videos per second
 * one and two worker processes finish when 20 are started at once.
 */
import fsSync from 'node:fs';
import { startBenchServer } from '../lib/bench-server';
import path from 'node:path';
import { ActivityTimer } from '../lib/activity-timer';
import { type Benchmark, type Metric, target } from '../lib/benchmark';
import { type ActivityTimeline, workflowTimeline } from '../lib/history-timings';
import { summarize } from '../lib/stats';
import { benchInput, benchVideoId, runVideosAtOnce, startVideo } from '../lib/video-runner';
import { startWorkerChild, type WorkerChild } from '../lib/worker-child';
import { startWorkerSet, type WorkerSetConfig } from '../lib/worker-set';
import { INSTANT } from '../providers/latencies';
import type { BenchContext } from '../lib/benchmark';

const SCENES = 3;
const CONCURRENCY = 32;
/** fetchSource, writeScript, planClips, then per scene narrateScene, submitClipStep and awaitClipStep, then renderVideo. */
const ACTIVITIES = 4 + 3 * SCENES;
/**
 * fetchSource → writeScript → planClips → the scenes → renderVideo. A scene is one step when its
 * narration ends last, two (submitClipStep → awaitClipStep) when its clip does.
 */
const STEPS_AROUND_SCENES = 4;

function workerConfig(ctx: BenchContext, taskQueue: string): WorkerSetConfig {
  return { taskQueue, mediaRoot: path.join(ctx.bench.workDir, 'media'), scenes: SCENES, latencies: INSTANT, concurrency: CONCURRENCY };
}

/** One video at a time, so no activity waits behind another and all that remains is Temporal's share. */
async function measureOverhead(ctx: BenchContext, videos: number): Promise<Metric[]> {
  const { bench } = ctx;
  const timer = new ActivityTimer();
  const taskQueue = benchVideoId('overhead-tq');
  const set = await startWorkerSet({
    connection: bench.connection,
    namespace: bench.namespace,
    bundle: { code: bench.bundle.code },
    config: workerConfig(ctx, taskQueue),
    interceptors: [timer.interceptor()],
  });
  const perActivity: number[] = [];
  const dispatch: number[] = [];
  const execution: number[] = [];
  const videoWall: number[] = [];
  const perStep: number[] = [];
  try {
    // The first video loads the workflow bundle into the worker; it is not measured.
    for (let i = -1; i < videos; i++) {
      const input = benchInput(benchVideoId('overhead'), SCENES);
      await (await startVideo(bench.client, taskQueue, input)).result();
      if (i < 0) continue;
      const timeline = await workflowTimeline(bench.client, input.videoId);
      const own = new Map<string, number>();
      for (const activity of timeline.activities) {
        const ownMs = timer.durations.get(ActivityTimer.key(input.videoId, activity.activityId));
        if (ownMs === undefined || activity.closed === undefined || activity.started === undefined) continue;
        own.set(activity.type, Math.max(own.get(activity.type) ?? 0, ownMs));
        execution.push(ownMs);
        perActivity.push(activity.closed - activity.scheduled - ownMs);
        dispatch.push(activity.started - activity.scheduled);
      }
      const wall = (timeline.closed ?? Number.NaN) - timeline.started;
      videoWall.push(wall);
      // All scenes run at once (sceneConcurrency = SCENES): the scene activity that ended last
      // says whether the narration or the clip chain was the scenes' critical path.
      const ownOf = (type: string) => own.get(type) ?? 0;
      const lastScene = timeline.activities
        .filter((a) => a.type === 'narrateScene' || a.type === 'awaitClipStep')
        .reduce<ActivityTimeline | undefined>((last, a) => ((a.closed ?? 0) > (last?.closed ?? 0) ? a : last), undefined);
      const clipLast = lastScene?.type === 'awaitClipStep';
      const sceneExecution = clipLast ? ownOf('submitClipStep') + ownOf('awaitClipStep') : ownOf('narrateScene');
      const criticalExecution = ownOf('fetchSource') + ownOf('writeScript') + ownOf('planClips') + sceneExecution + ownOf('renderVideo');
      perStep.push((wall - criticalExecution) / (STEPS_AROUND_SCENES + (clipLast ? 2 : 1)));
    }
  } finally {
    await set.stop();
  }
  return [
    { label: 'Temporal time per activity: (Scheduled→Completed) − own execution', unit: 'ms', summary: summarize(perActivity) },
    { label: '…of which Scheduled→Started (dispatch to a worker)', unit: 'ms', summary: summarize(dispatch) },
    { label: 'Own execution of an activity (fake providers, ffprobe of the WAV)', unit: 'ms', summary: summarize(execution) },
    { label: `Video wall time, ${SCENES} scenes, ${ACTIVITIES} activities (history)`, unit: 'ms', summary: summarize(videoWall) },
    {
      label: `Temporal time per sequential step: (video wall − own execution on the critical path) ÷ ${STEPS_AROUND_SCENES + 1} or ${STEPS_AROUND_SCENES + 2}`,
      unit: 'ms',
      summary: summarize(perStep),
    },
  ];
}

/** Videos per second finished by `processes` worker processes polling the same task queues. */
async function measureThroughput(ctx: BenchContext, processes: number, videos: number, reps: number): Promise<Metric> {
  const { bench } = ctx;
  const taskQueue = benchVideoId(`throughput${processes}-tq`);
  const children: WorkerChild[] = [];
  const rates: number[] = [];
  try {
    for (let i = 0; i < processes; i++) {
      children.push(
        await startWorkerChild({
          ...workerConfig(ctx, taskQueue),
          address: bench.address,
          namespace: bench.namespace,
          bundlePath: bench.bundle.codePath,
        }),
      );
    }
    // Warm-up: every process loads the bundle and opens its pollers before the clock runs.
    await runVideosAtOnce(bench.client, { taskQueue, count: 2 * processes, sceneConcurrency: SCENES, prefix: 'warmup' });
    for (let rep = 0; rep < reps; rep++) {
      const { wallMs } = await runVideosAtOnce(bench.client, { taskQueue, count: videos, sceneConcurrency: SCENES, prefix: 'throughput' });
      rates.push(videos / (wallMs / 1000));
      ctx.log(`  ${processes} worker process(es), run ${rep + 1}/${reps}: ${videos} videos in ${Math.round(wallMs)} ms`);
    }
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
  return {
    label: `Videos completed per second, ${videos} started at once, ${processes} worker process${processes > 1 ? 'es' : ''}`,
    unit: 'videos/s',
    summary: summarize(rates),
  };
}

export const orchestrationOverhead: Benchmark = {
  name: 'overhead',
  title: 'Orchestration overhead (instant providers)',
  async run(ctx) {
    const videos = ctx.quick ? 3 : 10;
    const batch = ctx.quick ? 8 : 20;
    const reps = ctx.quick ? 1 : 5;
    const overhead = await measureOverhead(ctx, videos);
    ctx.log(`  overhead per activity: median ${overhead[0]?.summary.median.toFixed(1)} ms`);
    const one = await measureThroughput(ctx, 1, batch, reps);
    const two = await measureThroughput(ctx, 2, batch, reps);
    const perActivity = overhead[0]!.summary.median;
    return {
      metrics: [...overhead, one, two],
      targets: [target('Temporal time per activity (median)', perActivity, 20, 'ms')],
      notes: [
        `${videos} videos measured one at a time (after one warm-up video); ${SCENES} scenes each, every provider instant.`,
        'Own execution is timed by an activity interceptor inside the worker; the rest of Scheduled→Completed is Temporal (task dispatch, RPCs, history writes).',
        'renderVideo is replaced by an instant stub (an activity interceptor): ffmpeg is measured by the render benchmark.',
        `Throughput: ${batch} videos started at once, ${reps} run(s) per configuration; worker processes run bench/worker-process.ts on the same task queues, ${CONCURRENCY} activity slots per queue each.`,
        'The workflow task that runs between two steps (to schedule the next activities) is not inside Scheduled→Completed; the per-step figure includes it. A plain “(wall − Σ execution) ÷ activities” is not reported: the scenes run in parallel, so it goes negative.',
        `Sequential steps: fetchSource, writeScript, planClips, the scenes, renderVideo; the scenes count as 2 steps (submitClipStep → awaitClipStep) when a clip ended last, as 1 (narrateScene) when a narration did.`,
      ],
    };
  },
};

/** Where tmpfs is mounted on Linux; the benchmark is skipped where it is missing. */
const TMPFS = '/dev/shm';

/**
 * The same per-activity measure on a server whose SQLite file lives on tmpfs: the difference to
 * `overhead` is what the disk's fsync costs each history write (PostgreSQL commits play that part
 * in production).
 */
export const orchestrationOverheadOnTmpfs: Benchmark = {
  name: 'overhead-tmpfs',
  title: 'Orchestration overhead, Temporal database on tmpfs',
  async run(ctx) {
    if (!fsSync.existsSync(TMPFS)) return { metrics: [], targets: [], notes: [`${TMPFS} does not exist here; skipped.`] };
    const bench = await startBenchServer({ dbDir: TMPFS });
    try {
      const videos = ctx.quick ? 3 : 10;
      const overhead = await measureOverhead({ ...ctx, bench }, videos);
      const perActivity = overhead[0]!.summary.median;
      ctx.log(`  overhead per activity (tmpfs): median ${perActivity.toFixed(1)} ms`);
      return {
        metrics: overhead,
        targets: [target('Temporal time per activity, database on tmpfs (median)', perActivity, 20, 'ms')],
        notes: [`As \`overhead\`, with the dev server's SQLite file in ${TMPFS}, so no history write waits for the disk.`],
      };
    } finally {
      await bench.stop();
    }
  },
};
