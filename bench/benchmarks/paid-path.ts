/**
 * The paid path end to end: the real Gemini and Runway adapters and SDKs against fake servers
 * with Runway-like latencies, the real workers from a loaded configuration, and a real ffmpeg
 * render. Measures how close a video comes to its critical-path bound with the poll interval
 * tuned and with the shipped defaults, how long a Runway task id waits before history holds it,
 * and that each scene creates and bills exactly its two tasks.
 */
import path from 'node:path';
import { probeMedia } from '../../src/media/probe';
import type { Config } from '../../src/config';
import type { GenerateVideoInput, VideoState } from '../../src/shared/video';
import { type Benchmark, type BenchContext, type Metric, target } from '../lib/benchmark';
import { workflowTimeline } from '../lib/history-timings';
import { paidRunFigures, type PaidRunFigures } from '../lib/paid-run';
import { type PaidFakes, type PaidLatencies, startPaidFakes, startPaidWorkers } from '../lib/paid-stack';
import { summarize } from '../lib/stats';
import { benchVideoId, startVideo } from '../lib/video-runner';

const LATENCIES: PaidLatencies = { scriptMs: 2000, ttsMs: 1000, imageMs: 2000, videoMs: 5000 };
const SCENES = 5;
const SCENE_CONCURRENCY = 4;
const TUNED_TARGET = 1.05;

/** A worker configuration to measure. */
interface Setting {
  name: string;
  /** Environment on top of the fakes' addresses and keys; empty means the shipped defaults. */
  overrides: Record<string, string>;
}

const SETTINGS: Setting[] = [
  { name: 'tuned', overrides: { RUNWAY_POLL_INTERVAL_MS: '1000' } },
  { name: 'defaults', overrides: {} },
];

const TITLE = 'Paid path benchmark';

/** The script fake Gemini answers with: exactly SCENES short scenes (the fake's own has at most 4). */
const SCRIPT_REPLY = {
  title: TITLE,
  scenes: Array.from({ length: SCENES }, (_, i) => ({
    title: i === 0 ? TITLE : `Part ${i}`,
    narration: `Part ${i} of a benchmark video.`,
    visual: `An illustration of part ${i} of a benchmark video`,
  })),
};

async function runOnce(
  ctx: BenchContext,
  fakes: PaidFakes,
  taskQueue: string,
  config: { mediaRoot: string; voice: string; paidSteps: GenerateVideoInput['paidSteps'] },
): Promise<PaidRunFigures> {
  const input: GenerateVideoInput = {
    videoId: benchVideoId('paid'),
    source: { type: 'text', title: TITLE, text: 'A short text; the fake Gemini answers with a fixed script.' },
    options: { review: false, reviewTimeoutSec: 60, maxScenes: SCENES, voice: config.voice, sceneConcurrency: SCENE_CONCURRENCY },
    paidSteps: config.paidSteps,
  };
  fakes.gemini.enqueue({ kind: 'json', value: SCRIPT_REPLY });
  const tasksBefore = fakes.runway.tasks.length;
  const billedBefore = fakes.runway.billedCredits();
  const state = (await (await startVideo(ctx.bench.client, taskQueue, input)).result()) as VideoState;
  if (state.status !== 'completed' || !state.result) throw new Error(`paid-path video ${input.videoId} ended ${state.status}`);
  const media = await probeMedia(path.join(config.mediaRoot, input.videoId, state.result.file));
  if (!media.video || !media.audio || media.durationSec <= 0) throw new Error(`paid-path video ${input.videoId} is not a playable MP4`);
  return paidRunFigures({
    timeline: await workflowTimeline(ctx.bench.client, input.videoId),
    tasks: fakes.runway.tasks.slice(tasksBefore),
    billedCredits: fakes.runway.billedCredits() - billedBefore,
    spendCredits: state.spend.credits,
    latencies: LATENCIES,
    scenes: SCENES,
    sceneConcurrency: SCENE_CONCURRENCY,
  });
}

/** One warm-up video, then `runs` measured ones, one at a time, on workers of their own. */
async function measureSetting(ctx: BenchContext, fakes: PaidFakes, setting: Setting, runs: number) {
  const taskQueue = benchVideoId(`paid-${setting.name}-tq`);
  const workers = await startPaidWorkers({ bench: ctx.bench, fakes, taskQueue, overrides: setting.overrides });
  const { config } = workers;
  const figures: PaidRunFigures[] = [];
  try {
    for (let i = -1; i < runs; i++) {
      const run = await runOnce(ctx, fakes, taskQueue, {
        mediaRoot: config.mediaRoot,
        voice: config.defaults.voice,
        paidSteps: config.paidSteps,
      });
      if (i < 0) continue;
      figures.push(run);
      const over = Object.entries(run.overMs).map(([phase, ms]) => `${phase} +${Math.round(ms)}`);
      ctx.log(
        `  ${setting.name} run ${i + 1}/${runs}: ${Math.round(run.endToEndMs)} ms, bound ${Math.round(run.boundMs)} ms ` +
          `(render ${Math.round(run.renderMs)}), ${run.ratio.toFixed(3)} ×; over the bound: ${over.join(', ')} ms`,
      );
    }
  } finally {
    await workers.stop();
  }
  return { figures, config };
}

/** The settings that matter here, read from the loaded configuration rather than restated. */
function describeConfig(config: Config): string {
  const { runway, gemini, concurrency } = config;
  return (
    `RUNWAY_POLL_INTERVAL_MS ${runway.pollIntervalMs}, RUNWAY_RATE_PER_SEC ${runway.ratePerSec}, GEMINI_RATE_PER_SEC ${gemini.ratePerSec}, ` +
    `CLIP_SUBMISSION_CONCURRENCY ${concurrency['clip-submissions']}, CLIP_CONCURRENCY ${concurrency.clips}`
  );
}

function settingMetrics(name: string, pollIntervalMs: number, runs: PaidRunFigures[]): Metric[] {
  const label = `${name} (poll ${pollIntervalMs / 1000} s)`;
  /** One row over every run; `pick` gives a run's sample(s). */
  const row = (what: string, unit: string, pick: (r: PaidRunFigures) => number | number[]): Metric => ({
    label: `${label}: ${what}`,
    unit,
    summary: summarize(runs.flatMap(pick)),
  });
  const phases = ['script', 'scenes', 'render', 'close'] as const;
  return [
    row('end to end (WorkflowExecutionStarted→Completed)', 'ms', (r) => r.endToEndMs),
    row('critical-path bound (with the run’s own render)', 'ms', (r) => r.boundMs),
    row('end to end ÷ bound', '×', (r) => r.ratio),
    row('end to end − bound', 'ms', (r) => r.endToEndMs - r.boundMs),
    ...phases.map((phase) => row(`…of which in the ${phase} phase`, 'ms', (r) => r.overMs[phase])),
    row('renderVideo execution (ffmpeg, 5 scenes)', 'ms', (r) => r.renderMs),
    row('image task finished → its awaitClipStep completed', 'ms', (r) => r.awaitLagMs.image),
    row('video task finished → its awaitClipStep completed (incl. download)', 'ms', (r) => r.awaitLagMs.video),
    row('checkpoint window: Runway answered a video task id → submitClipStep completed', 'ms', (r) => r.checkpointWindowsMs),
    row('Runway tasks created per run', 'count', (r) => r.tasksCreated),
    row('credits billed by the fake Runway per run', 'credits', (r) => r.billedCredits),
    row('spend.credits in the run’s final state', 'credits', (r) => r.spendCredits),
  ];
}

export const paidPath: Benchmark = {
  name: 'paid-path',
  title: 'Paid path (real Gemini and Runway adapters, fake servers, real render)',
  async run(ctx) {
    const runs = ctx.quick ? 2 : 7;
    const fakes = await startPaidFakes(LATENCIES);
    const measured: { setting: Setting; figures: PaidRunFigures[]; config: Config }[] = [];
    try {
      for (const setting of SETTINGS) measured.push({ setting, ...(await measureSetting(ctx, fakes, setting, runs)) });
    } finally {
      await fakes.close();
    }
    const all = measured.flatMap((m) => m.figures);
    const tuned = summarize(measured.find((m) => m.setting.name === 'tuned')?.figures.map((r) => r.ratio) ?? [Number.NaN]);
    const extraTasks = Math.max(...all.map((r) => Math.abs(r.tasksCreated - 2 * SCENES)));
    const billedBeyondSpend = Math.max(...all.map((r) => r.billedCredits - r.spendCredits));
    const sceneMs = Math.max(LATENCIES.ttsMs, LATENCIES.imageMs + LATENCIES.videoMs);
    return {
      metrics: measured.flatMap((m) => settingMetrics(m.setting.name, m.config.runway.pollIntervalMs, m.figures)),
      targets: [
        target('Paid path, poll 1 s: end to end ÷ bound (median)', tuned.median, TUNED_TARGET, '×'),
        target('Runway tasks per run other than 2 per scene (max)', extraTasks, 0, 'count'),
        target('Credits billed by Runway beyond the run’s spend (max)', billedBeyondSpend, 0, 'credits'),
      ],
      notes: [
        `Fake servers: Gemini answers a script in ${LATENCIES.scriptMs} ms and a narration in ${LATENCIES.ttsMs} ms; a Runway image task runs ${LATENCIES.imageMs} ms and a video task ${LATENCIES.videoMs} ms from its creation (create requests are answered at once). ` +
          `${SCENES} scenes, sceneConcurrency ${SCENE_CONCURRENCY}, a text source. Workers: createConfiguredWorkers(loadConfig(env)) in the benchmark process, with SCRIPT_PROVIDER=gemini, NARRATION_PROVIDER=gemini, CLIP_PROVIDER=runway and every other setting at its default unless listed below.`,
        ...measured.map((m) => `Setting ${m.setting.name}: ${describeConfig(m.config)}.`),
        `${runs} videos per setting, one at a time, after one warm-up video, on workers started for that setting.`,
        `Bound per run = script ${LATENCIES.scriptMs} + the ${SCENES} scenes dealt to ${SCENE_CONCURRENCY} lanes, each max(TTS ${LATENCIES.ttsMs}, image ${LATENCIES.imageMs} + video ${LATENCIES.videoMs}) = ${sceneMs} ms, so ${Math.ceil(SCENES / SCENE_CONCURRENCY)} × ${sceneMs} + the run’s own renderVideo and fetchSource execution (ActivityTaskStarted → Completed in its history).`,
        'End to end − bound, by phase: start → writeScript completed (less fetchSource and the script latency); → last scene activity completed (less the scenes’ bound; includes planClips, every submission and poll); → renderVideo completed (less its execution); → workflow completed.',
        'Checkpoint window: from the fake Runway answering a create request (answeredAtMs) to the ActivityTaskCompleted of the submitClipStep that returned that task id; until then a crash could lose the id of a paid task.',
        'Billed credits are what the fake Runway bills for the tasks created during the run (image 5, video 5 per second × 5 s); spend.credits is what the workflow counted.',
      ],
    };
  },
};
