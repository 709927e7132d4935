/**
 * Never paying twice, measured on the paid path (the real Gemini and Runway adapters against fake
 * servers with Runway-like latencies, the real workers, a real render): the same video started
 * again pays nothing and takes the render's time; a revision of one scene of six pays for exactly
 * that scene and takes its critical path plus the render; a batch of 20 with two duplicates pays
 * for 18; three identical videos started at once pay for one. The fakes' request logs are the witness of what was paid for.
 */
import type { GenerateVideoInput, Script, VideoState } from '../../src/shared/video';
import { type Benchmark, type BenchContext, target } from '../lib/benchmark';
import { workflowTimeline, type WorkflowTimeline } from '../lib/history-timings';
import { type PaidFakes, type PaidLatencies, startPaidFakes, startPaidWorkers } from '../lib/paid-stack';
import { summarize } from '../lib/stats';
import { benchVideoId, startVideo } from '../lib/video-runner';
import { BATCH_WORKFLOW_TYPE, type VideoBatchState } from '../../src/workflows/video-batch';

const LATENCIES: PaidLatencies = { scriptMs: 2000, ttsMs: 1000, imageMs: 2000, videoMs: 5000 };
const SCENES = 6;
const EDITED_SCENE = 3;

function script(rep: number): Script {
  return {
    title: `Step cache benchmark ${rep}`,
    scenes: Array.from({ length: SCENES }, (_, i) => ({
      index: i,
      title: i === 0 ? `Step cache benchmark ${rep}` : `Part ${i}`,
      narration: `Part ${i} of benchmark video ${rep}.`,
      visual: `An illustration of part ${i} of benchmark video ${rep}`,
    })),
  };
}

/** What the fakes were asked to make: scripts, narrations, Runway tasks. */
function paidCalls(fakes: PaidFakes) {
  const audio = fakes.gemini.requests.filter((r) => JSON.stringify(r.body).includes('AUDIO')).length;
  return { scripts: fakes.gemini.requests.length - audio, narrations: audio, tasks: fakes.runway.tasks.length };
}
const minus = (a: ReturnType<typeof paidCalls>, b: ReturnType<typeof paidCalls>) => ({
  scripts: a.scripts - b.scripts,
  narrations: a.narrations - b.narrations,
  tasks: a.tasks - b.tasks,
});

/** End to end, and the render's own execution, from the run's history. */
function timings(timeline: WorkflowTimeline) {
  const render = timeline.activities.find((a) => a.type === 'renderVideo');
  return {
    wallMs: (timeline.closed ?? Number.NaN) - timeline.started,
    renderMs: (render?.closed ?? Number.NaN) - (render?.started ?? Number.NaN),
  };
}

async function runVideo(ctx: BenchContext, fakes: PaidFakes, taskQueue: string, input: GenerateVideoInput) {
  const before = paidCalls(fakes);
  const state = (await (await startVideo(ctx.bench.client, taskQueue, input)).result()) as VideoState;
  if (state.status !== 'completed') throw new Error(`step-cache video ${input.videoId} ended ${state.status}`);
  return { state, paid: minus(paidCalls(fakes), before), ...timings(await workflowTimeline(ctx.bench.client, input.videoId)) };
}

export const stepCache: Benchmark = {
  name: 'step-cache',
  title: 'Step cache: the same video again, a one-scene revision, three identical videos at once, a batch with duplicates',
  async run(ctx) {
    const reps = ctx.quick ? 1 : 5;
    const fakes = await startPaidFakes(LATENCIES);
    const taskQueue = benchVideoId('step-cache-tq');
    const workers = await startPaidWorkers({ bench: ctx.bench, fakes, taskQueue, overrides: { RUNWAY_POLL_INTERVAL_MS: '1000' } });
    const { config } = workers;
    const again: { wallMs: number; renderMs: number; credits: number; calls: number }[] = [];
    const revisions: { wallMs: number; boundMs: number; extraCalls: number; credits: number }[] = [];
    const together: { extraCalls: number; slowestMs: number; aloneMs: number }[] = [];
    let batchScripts = Number.NaN;
    let batchTasks = Number.NaN;
    let batchRepeatedNarrations = Number.NaN;
    try {
      for (let rep = 0; rep < reps; rep++) {
        // A scope of its own per repetition, so each original starts with an empty cache.
        const base = (videoId: string): GenerateVideoInput => ({
          videoId,
          source: { type: 'text', title: `Step cache benchmark ${rep}`, text: 'The fake Gemini answers with a fixed script.' },
          options: { review: false, reviewTimeoutSec: 60, maxScenes: SCENES, voice: config.defaults.voice, sceneConcurrency: SCENES },
          paidSteps: config.paidSteps,
          cacheScope: `tenant:bench-${process.pid}-${Date.now()}-${rep}`,
        });
        const cacheScope = base('x').cacheScope;
        fakes.gemini.enqueue({ kind: 'json', value: script(rep) });
        const original = await runVideo(ctx, fakes, taskQueue, { ...base(benchVideoId('cache-original')), cacheScope });
        const second = await runVideo(ctx, fakes, taskQueue, { ...base(benchVideoId('cache-again')), cacheScope });
        again.push({
          wallMs: second.wallMs,
          renderMs: second.renderMs,
          credits: second.state.spend.credits,
          calls: second.paid.scripts + second.paid.narrations + second.paid.tasks,
        });
        // A revision as POST /api/videos/:id/revisions starts it: the edited script, approved, through the cache.
        const edited = script(rep);
        edited.scenes[EDITED_SCENE] = {
          ...edited.scenes[EDITED_SCENE]!,
          narration: `A new narration for rep ${rep}.`,
          visual: `A new picture for rep ${rep}`,
        };
        const revision = await runVideo(ctx, fakes, taskQueue, {
          ...base(benchVideoId('cache-revision')),
          cacheScope,
          reuse: { fromVideoId: 'none', script: edited, approved: true, scenes: [] },
        });
        const sceneMs = Math.max(LATENCIES.ttsMs, LATENCIES.imageMs + LATENCIES.videoMs);
        revisions.push({
          wallMs: revision.wallMs,
          boundMs: sceneMs + revision.renderMs,
          extraCalls: Math.abs(revision.paid.scripts) + Math.abs(revision.paid.narrations - 1) + Math.abs(revision.paid.tasks - 2),
          credits: revision.state.spend.credits,
        });
        // Three identical videos started at the same moment, in a scope of their own: one pays, two wait.
        const concurrentScope = `tenant:bench-together-${process.pid}-${Date.now()}-${rep}` as const;
        fakes.gemini.enqueue({ kind: 'json', value: script(rep) });
        const beforeTogether = paidCalls(fakes);
        const three = await Promise.all(
          [0, 1, 2].map((n) =>
            runVideo(ctx, fakes, taskQueue, { ...base(benchVideoId(`cache-together-${n}`)), cacheScope: concurrentScope }),
          ),
        );
        const paidTogether = minus(paidCalls(fakes), beforeTogether);
        together.push({
          extraCalls:
            Math.abs(paidTogether.scripts - 1) + Math.abs(paidTogether.narrations - SCENES) + Math.abs(paidTogether.tasks - 2 * SCENES),
          slowestMs: Math.max(...three.map((r) => r.wallMs)),
          aloneMs: original.wallMs,
        });
        ctx.log(
          `  rep ${rep + 1}/${reps}: original ${Math.round(original.wallMs)} ms; again ${Math.round(second.wallMs)} ms (render ${Math.round(second.renderMs)}), ` +
            `${second.state.spend.credits} credits; revision ${Math.round(revision.wallMs)} ms (bound ${Math.round(sceneMs + revision.renderMs)}), paid ${JSON.stringify(revision.paid)}; ` +
            `three at once paid ${JSON.stringify(paidTogether)}, slowest ${Math.round(together.at(-1)!.slowestMs)} ms`,
        );
      }

      // A batch of 20, two of them duplicates, as POST /api/batches starts it.
      const before = paidCalls(fakes);
      const requestsBefore = fakes.gemini.requests.length;
      const batchId = benchVideoId('cache-batch');
      const cacheScope = `tenant:bench-batch-${process.pid}-${Date.now()}` as const;
      const distinct = Array.from({ length: 18 }, (_, i) => i);
      const items = [...distinct, 0, 1].map((n, i) => ({
        input: {
          videoId: `${batchId}-${String(i).padStart(3, '0')}`,
          source: { type: 'text' as const, title: `Batch video ${n}`, text: `Batch video ${n} of the benchmark.` },
          options: { review: false, reviewTimeoutSec: 60, maxScenes: 2, voice: config.defaults.voice, sceneConcurrency: 2 },
          paidSteps: config.paidSteps,
          cacheScope,
        },
        sameAs: `video-${n}`,
      }));
      const batch = await ctx.bench.client.workflow.start(BATCH_WORKFLOW_TYPE, {
        taskQueue,
        workflowId: batchId,
        args: [{ batchId, tenant: 'bench', items, concurrency: config.batchConcurrency }],
      });
      const state = (await batch.result()) as VideoBatchState;
      if (state.items.some((i) => i.status !== 'completed')) throw new Error(`batch ${batchId} did not complete every item`);
      const paid = minus(paidCalls(fakes), before);
      batchScripts = paid.scripts;
      batchTasks = paid.tasks;
      // The fake writes the same script for every text but the title, so most narrations are shared: none may be paid twice.
      const spoken = fakes.gemini.requests
        .slice(requestsBefore)
        .map((r) => JSON.stringify(r.body))
        .filter((body) => body.includes('AUDIO'));
      batchRepeatedNarrations = spoken.length - new Set(spoken).size;
      ctx.log(`  batch of 20 with 2 duplicates: paid ${JSON.stringify(paid)}`);
    } finally {
      await workers.stop();
      await fakes.close();
    }
    const againRatio = summarize(again.map((r) => r.wallMs / r.renderMs));
    const revisionRatio = summarize(revisions.map((r) => r.wallMs / r.boundMs));
    const togetherRatio = summarize(together.map((r) => r.slowestMs / r.aloneMs));
    return {
      metrics: [
        { label: 'same video again: end to end', unit: 'ms', summary: summarize(again.map((r) => r.wallMs)) },
        { label: 'same video again: its render alone', unit: 'ms', summary: summarize(again.map((r) => r.renderMs)) },
        { label: 'same video again: end to end ÷ render', unit: '×', summary: againRatio },
        { label: 'same video again: spend', unit: 'credits', summary: summarize(again.map((r) => r.credits)) },
        { label: 'one-scene revision: end to end', unit: 'ms', summary: summarize(revisions.map((r) => r.wallMs)) },
        { label: 'one-scene revision: end to end ÷ (scene critical path + render)', unit: '×', summary: revisionRatio },
        { label: 'one-scene revision: spend', unit: 'credits', summary: summarize(revisions.map((r) => r.credits)) },
        { label: 'three identical videos at once: slowest end to end', unit: 'ms', summary: summarize(together.map((r) => r.slowestMs)) },
        { label: 'three identical videos at once: slowest ÷ one video alone', unit: '×', summary: togetherRatio },
      ],
      targets: [
        target('Same video again: provider calls (max)', Math.max(...again.map((r) => r.calls)), 0, 'calls'),
        target('Same video again: spend (max)', Math.max(...again.map((r) => r.credits)), 0, 'credits'),
        target('Same video again: end to end ÷ its render (median)', againRatio.median, 1.5, '×'),
        target(
          'Revision: provider calls other than 1 narration + 1 image + 1 video (max)',
          Math.max(...revisions.map((r) => r.extraCalls)),
          0,
          'calls',
        ),
        target('Revision: end to end ÷ (scene critical path + render) (median)', revisionRatio.median, 1.3, '×'),
        target(
          'Three identical videos at once: provider calls other than one video’s (max)',
          Math.max(...together.map((r) => r.extraCalls)),
          0,
          'calls',
        ),
        target('Batch of 20 with 2 duplicates: scripts paid beyond 18', batchScripts - 18, 0, 'scripts'),
        target('Batch of 20 with 2 duplicates: narrations of the same text paid twice', batchRepeatedNarrations, 0, 'narrations'),
        target('Batch of 20 with 2 duplicates: Runway tasks beyond 18 × 2 scenes × 2', batchTasks - 72, 0, 'tasks'),
      ],
      notes: [
        `Fake servers: a Gemini script in ${LATENCIES.scriptMs} ms, a narration in ${LATENCIES.ttsMs} ms; a Runway image task ${LATENCIES.imageMs} ms and a video task ${LATENCIES.videoMs} ms. Workers from loadConfig with Gemini and Runway, RUNWAY_POLL_INTERVAL_MS 1000.`,
        `${reps} repetitions, each in a cache scope of its own: a ${SCENES}-scene video, the same input again, then a revision with scene ${EDITED_SCENE}'s narration and visual edited (started as the revisions route starts it: the edited script, approved, through the cache).`,
        `Revision bound: one scene's critical path max(TTS ${LATENCIES.ttsMs}, image ${LATENCIES.imageMs} + video ${LATENCIES.videoMs}) + the revision's own renderVideo execution.`,
        `Three at once: the ${SCENES}-scene video started three times at the same moment in a fresh cache scope; one video's calls are 1 script, ${SCENES} narrations and ${2 * SCENES} Runway tasks. Its slowest run is compared with the original of the same repetition, made alone.`,
        `Batch: a videoBatch of 20 two-scene videos, items 18 and 19 the same as items 0 and 1, BATCH_CONCURRENCY ${config.batchConcurrency}.`,
      ],
    };
  },
};
