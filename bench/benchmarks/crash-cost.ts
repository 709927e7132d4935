/**
 * What a worker crash costs: the worker runs as a child process and is killed with SIGKILL once
 * the status query shows 60 % progress; a new one is started at once and the video is let finish.
 * The provider work logged by both processes is compared with a run without a crash.
 */
import path from 'node:path';
import type { VideoState } from '../../src/shared/video';
import { statusQuery } from '../../src/workflows/video-messages';
import { type Benchmark, type BenchContext, target } from '../lib/benchmark';
import { providerWork, recoveryByStage } from '../lib/provider-seconds';
import { summarize } from '../lib/stats';
import { benchInput, benchVideoId, startVideo } from '../lib/video-runner';
import { startWorkerChild } from '../lib/worker-child';
import type { WorkerProcessConfig } from '../worker-process';
import { readExecutionLog } from '../providers/execution-log';
import type { ProviderLatencies } from '../providers/latencies';
import { clipSubmitOptions, clipWaitOptions, narrationOptions, renderOptions } from '../../src/workflows/activity-options';
import type { Metric } from '../lib/benchmark';

const LATENCIES: ProviderLatencies = { scriptMs: 300, narrationMs: 2000, clipMs: 5000, renderMs: 300 };
const SCENES = 6;
const SCENE_CONCURRENCY = 2;
const KILL_AT_PROGRESS = 60;
const POLL_MS = 100;
const RUN_DEADLINE_MS = 10 * 60_000;

interface CrashRun {
  providerSeconds: number;
  redoneSeconds: number;
  redoneActivities: number;
  resumedClips: number;
  /** Kill → lost work of each stage running again. */
  recoveryMs: Partial<Record<string, number>>;
  killToDoneMs: number;
  wallMs: number;
}

function processConfig(ctx: BenchContext, taskQueue: string, logFile: string): WorkerProcessConfig {
  const { bench } = ctx;
  return {
    taskQueue,
    mediaRoot: path.join(bench.workDir, 'media'),
    scenes: SCENES,
    latencies: LATENCIES,
    concurrency: 8,
    logFile,
    address: bench.address,
    namespace: bench.namespace,
    bundlePath: bench.bundle.codePath,
  };
}

async function baseline(ctx: BenchContext): Promise<{ seconds: number; wallMs: number }> {
  const taskQueue = benchVideoId('crash-base-tq');
  const logFile = path.join(ctx.bench.workDir, `${taskQueue}.jsonl`);
  const child = await startWorkerChild(processConfig(ctx, taskQueue, logFile));
  try {
    const started = performance.now();
    await (await startVideo(ctx.bench.client, taskQueue, benchInput(benchVideoId('crash-base'), SCENE_CONCURRENCY))).result();
    const wallMs = performance.now() - started;
    return { seconds: providerWork(readExecutionLog(logFile), { clipMs: LATENCIES.clipMs }).seconds, wallMs };
  } finally {
    await child.stop();
  }
}

async function crashRun(ctx: BenchContext): Promise<CrashRun> {
  const taskQueue = benchVideoId('crash-tq');
  const logFile = path.join(ctx.bench.workDir, `${taskQueue}.jsonl`);
  const config = processConfig(ctx, taskQueue, logFile);
  const first = await startWorkerChild(config);
  const killedPid = first.process.pid!;
  const started = performance.now();
  const handle = await startVideo(ctx.bench.client, taskQueue, benchInput(benchVideoId('crash'), SCENE_CONCURRENCY));
  let killedAt: number | undefined;
  const deadline = Date.now() + RUN_DEADLINE_MS;
  try {
    while (killedAt === undefined) {
      if (Date.now() > deadline) throw new Error(`progress never reached ${KILL_AT_PROGRESS}`);
      const state: VideoState | undefined = await handle.query(statusQuery).catch(() => undefined);
      if (state && state.progress >= KILL_AT_PROGRESS) killedAt = await first.kill();
      else await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    await first.kill();
  }
  // Started at once, as a supervisor would restart a worker; its start-up is part of the recovery.
  const second = await startWorkerChild(config);
  let doneAt: number;
  let wallMs: number;
  try {
    await handle.result();
    doneAt = Date.now();
    wallMs = performance.now() - started;
  } finally {
    await second.stop();
  }
  const events = readExecutionLog(logFile);
  const work = providerWork(events, { clipMs: LATENCIES.clipMs, killedPid, killedAt });
  return {
    providerSeconds: work.seconds,
    redoneSeconds: work.redoneSeconds,
    redoneActivities: work.redone,
    resumedClips: work.resumed,
    recoveryMs: recoveryByStage(events, killedPid, killedAt),
    killToDoneMs: doneAt - killedAt,
    wallMs,
  };
}

export const crashCost: Benchmark = {
  name: 'crash',
  title: 'Crash cost (worker killed at 60 %)',
  async run(ctx) {
    const reps = ctx.quick ? 1 : 3;
    const base = await baseline(ctx);
    ctx.log(`  without a crash: ${base.seconds.toFixed(1)} provider seconds, ${Math.round(base.wallMs)} ms`);
    const runs: CrashRun[] = [];
    for (let rep = 0; rep < reps; rep++) {
      const result = await crashRun(ctx);
      runs.push(result);
      ctx.log(`  crash run ${rep + 1}/${reps}: ${JSON.stringify(result)}`);
    }
    const redoneActivities = summarize(runs.map((r) => r.redoneActivities));
    const stages = [...new Set(runs.flatMap((r) => Object.keys(r.recoveryMs)))].sort();
    const recovery: Metric[] = stages.map((stage) => ({
      label: `Kill → lost ${stage} work running again (time to recover)`,
      unit: 'ms',
      summary: summarize(runs.map((r) => r.recoveryMs[stage]).filter((ms): ms is number => ms !== undefined)),
    }));
    const heartbeat = `narration ${String(narrationOptions.heartbeatTimeout)}, clip waits ${String(clipWaitOptions.heartbeatTimeout)}, clip submissions ${String(clipSubmitOptions.heartbeatTimeout)}, render ${String(renderOptions.heartbeatTimeout)}`;
    return {
      metrics: [
        { label: 'Provider seconds, run without a crash', unit: 's', summary: summarize([base.seconds]) },
        { label: 'Provider seconds, run with a crash', unit: 's', summary: summarize(runs.map((r) => r.providerSeconds)) },
        {
          label: 'Provider seconds redone (lost attempts of work done again)',
          unit: 's',
          summary: summarize(runs.map((r) => r.redoneSeconds)),
        },
        {
          label: 'Provider seconds, with a crash − without',
          unit: 's',
          summary: summarize(runs.map((r) => r.providerSeconds - base.seconds)),
        },
        { label: 'Activities whose provider work was redone', unit: 'count', summary: redoneActivities },
        { label: 'Clip jobs resumed from their checkpoint', unit: 'count', summary: summarize(runs.map((r) => r.resumedClips)) },
        ...recovery,
        { label: 'Kill → video completed', unit: 'ms', summary: summarize(runs.map((r) => r.killToDoneMs)) },
        { label: 'Video wall time without a crash', unit: 'ms', summary: summarize([base.wallMs]) },
        { label: 'Video wall time with a crash', unit: 'ms', summary: summarize(runs.map((r) => r.wallMs)) },
      ],
      targets: [target('Activities redone after a crash (median)', redoneActivities.median, 1, 'activities')],
      notes: [
        `Latencies: script ${LATENCIES.scriptMs} ms, narration ${LATENCIES.narrationMs} ms, clip ${LATENCIES.clipMs} ms (a remote job), render ${LATENCIES.renderMs} ms (stub); ${SCENES} scenes, sceneConcurrency ${SCENE_CONCURRENCY}; ${reps} crash run(s).`,
        'A clip submission (submitClipStep) counts its full latency: a remote job runs, and is paid for, whether or not its worker survives. Local work counts the time it ran until it ended or the worker was killed.',
        `A lost activity is retried only once its heartbeat timeout passes (${heartbeat} in src/workflows/activity-options.ts), which sets the time to recover. A clip job counts as resumed when its awaitClipStep runs in another process than its submission, or as a retry; it waits only for what is left of the job.`,
        'Local work lost at the kill is the part of its attempt that ran before it; small when the kill comes right after the work started.',
      ],
    };
  },
};
