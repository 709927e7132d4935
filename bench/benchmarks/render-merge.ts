/**
 * The merge step of rendering against the bare ffmpeg command it wraps: concatScenes, and the
 * renderVideo activity resumed with every scene already normalised (merge, companion files,
 * clean-up, probe), each against `ffmpeg -f concat -safe 0 -i list -c copy out.mp4` on the same parts.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createRenderVideo, type RenderVideoInput } from '../../src/activities/render-video';
import { concatListLine, concatScenes } from '../../src/media/concat-scenes';
import { normalizeScene } from '../../src/media/normalize-scene';
import { probeMedia } from '../../src/media/probe';
import { LocalArtifactStore } from '../../src/storage/local-artifact-store';
import { type Benchmark, type Metric, target } from '../lib/benchmark';
import { summarize } from '../lib/stats';

const SCENE_SEC = 5;
const normName = (index: number) => `scene-${String(index).padStart(2, '0')}.norm.mp4`;

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr.slice(-500)}`))));
  });
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** Normalises `count` scenes of SCENE_SEC seconds once, from a small drawn clip and a tone; returns per-scene times. */
async function makeScenes(dir: string, count: number): Promise<number[]> {
  const clip = path.join(dir, 'source-clip.mp4');
  const tone = path.join(dir, 'source-tone.wav');
  await run('ffmpeg', [
    '-nostdin',
    '-y',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x360:rate=30:duration=2',
    '-pix_fmt',
    'yuv420p',
    clip,
  ]);
  await run('ffmpeg', ['-nostdin', '-y', '-loglevel', 'error', '-f', 'lavfi', '-i', `sine=frequency=440:duration=${SCENE_SEC}`, tone]);
  const times: number[] = [];
  for (let index = 0; index < count; index++) {
    const outPath = path.join(dir, normName(index));
    times.push(await timed(() => normalizeScene({ clipPath: clip, audioPath: tone, outPath, durationSec: SCENE_SEC })));
  }
  return times;
}

/** A fresh video folder holding hard links to the normalised parts (the activity deletes its parts). */
async function linkParts(sourceDir: string, videoDir: string, count: number): Promise<void> {
  await fs.mkdir(videoDir, { recursive: true });
  for (let index = 0; index < count; index++) await fs.link(path.join(sourceDir, normName(index)), path.join(videoDir, normName(index)));
}

function renderInput(videoId: string, count: number): RenderVideoInput {
  const scenes = Array.from({ length: count }, (_, index) => ({
    index,
    title: `Scene ${index}`,
    narration: `Narration of scene ${index}.`,
  }));
  return {
    videoId,
    script: { title: 'Render benchmark', scenes },
    scenes: scenes.map((s) => ({ index: s.index, audioFile: 'unused.wav', clipFile: 'unused.mp4', durationSec: SCENE_SEC })),
  };
}

export const renderMerge: Benchmark = {
  name: 'render',
  title: 'Render merge step vs bare ffmpeg concat',
  async run(ctx) {
    const count = ctx.quick ? 3 : 10;
    const reps = ctx.quick ? 2 : 7;
    const root = path.join(ctx.bench.workDir, 'render');
    const sourceDir = path.join(root, 'parts');
    await fs.mkdir(sourceDir, { recursive: true });
    ctx.log(`  normalising ${count} scenes of ${SCENE_SEC} s…`);
    const normalizeTimes = await makeScenes(sourceDir, count);
    const parts = Array.from({ length: count }, (_, i) => path.join(sourceDir, normName(i)));
    const store = new LocalArtifactStore(root);
    const activity = createRenderVideo({ store, scenePauseSec: 0 });

    const bare: number[] = [];
    const wrapped: number[] = [];
    const step: number[] = [];
    const probe: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      const list = path.join(root, `bare-${rep}.txt`);
      await fs.writeFile(list, `${parts.map(concatListLine).join('\n')}\n`);
      const bareOut = path.join(root, `bare-${rep}.mp4`);
      const runBare = async () => {
        bare.push(
          await timed(() =>
            run('ffmpeg', ['-nostdin', '-y', '-loglevel', 'error', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', bareOut]),
          ),
        );
        probe.push(await timed(() => probeMedia(bareOut)));
      };
      const runConcat = async () =>
        wrapped.push(await timed(() => concatScenes({ scenePaths: parts, outPath: path.join(root, `concat-${rep}.mp4`) })));
      const runStep = async () => {
        const videoId = `render-${rep}`;
        await linkParts(sourceDir, store.dir(videoId), count);
        const env = new MockActivityEnvironment({ heartbeatDetails: { normalized: parts.map((_, i) => i), progress: 0 } });
        step.push(await timed(() => env.run((input: RenderVideoInput) => activity.renderVideo(input), renderInput(videoId, count))));
      };
      // Alternate the order so that a warm page cache or a busy neighbour favours no variant.
      const order = rep % 2 === 0 ? [runBare, runConcat, runStep] : [runStep, runConcat, runBare];
      for (const variant of order) await variant();
      await fs.rm(bareOut, { force: true });
      await fs.rm(path.join(root, `concat-${rep}.mp4`), { force: true });
      await fs.rm(store.dir(`render-${rep}`), { recursive: true, force: true });
    }
    const concatRatio = summarize(wrapped.map((ms, i) => ms / bare[i]!));
    const stepRatio = summarize(step.map((ms, i) => ms / bare[i]!));
    const metrics: Metric[] = [
      { label: `normalizeScene, one ${SCENE_SEC} s scene (setup, for scale)`, unit: 'ms', summary: summarize(normalizeTimes) },
      { label: `Bare ffmpeg concat of ${count} scenes`, unit: 'ms', summary: summarize(bare) },
      { label: 'concatScenes (src/media/concat-scenes.ts)', unit: 'ms', summary: summarize(wrapped) },
      { label: 'renderVideo activity, all scenes already normalised', unit: 'ms', summary: summarize(step) },
      { label: 'ffprobe of the merged video (the activity probes its result; for scale)', unit: 'ms', summary: summarize(probe) },
      { label: 'concatScenes ÷ bare concat', unit: '×', summary: concatRatio },
      { label: 'renderVideo merge step ÷ bare concat', unit: '×', summary: stepRatio },
    ];
    return {
      metrics,
      targets: [
        target('concatScenes ÷ bare concat (median)', concatRatio.median, 1.2, '×'),
        target('renderVideo merge step ÷ bare concat (median)', stepRatio.median, 1.2, '×'),
      ],
      notes: [
        `${count} parts of ${SCENE_SEC} s (1280x720 30 fps H.264 + AAC, made once by normalizeScene), ${reps} runs, order alternated per run.`,
        'Bare: `ffmpeg -nostdin -y -loglevel error -f concat -safe 0 -i list -c copy out.mp4`. concatScenes adds `-map 0`, progress output and `-movflags +faststart`, which rewrites the file to put the index first.',
        'The renderVideo step runs the real activity in MockActivityEnvironment with heartbeat details saying every scene is normalised, so it only merges (adding the subtitle track), takes the poster frame, writes script.json and subtitles.srt and deletes the parts.',
      ],
    };
  },
};
