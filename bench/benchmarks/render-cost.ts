/**
 * What a render costs in CPU against its floor: the renderVideo activity from stored clips and
 * narration (normalise every scene, join, measure and normalise loudness, add the subtitle track,
 * take the poster), against one bare ffmpeg encode of the same frames and sound with the same
 * encoder settings, which is the least any render of that output can cost.
 *
 * CPU time is the time of ffmpeg and ffprobe (children this process waited for, from
 * /proc/self/stat) plus this process's own, so both sides count everything they ran.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { clipFileName } from '../../src/activities/clip-steps';
import { narrationFileName } from '../../src/activities/narrate-scene';
import { createRenderVideo, type RenderVideoInput } from '../../src/activities/render-video';
import { SCENE_AUDIO_ARGS, SCENE_FPS, SCENE_HEIGHT, SCENE_VIDEO_ARGS, SCENE_WIDTH } from '../../src/media/scene-encoding';
import { LocalArtifactStore } from '../../src/storage/local-artifact-store';
import { type Benchmark, type Metric, target } from '../lib/benchmark';
import { summarize } from '../lib/stats';

const SCENE_SEC = 5;
const PAUSE_SEC = 0.6;
/** Linux's clock ticks per second for /proc times (`getconf CLK_TCK`). */
const CLOCK_TICKS = 100;

/** CPU seconds used so far by this process and by the children it has waited for. */
function cpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [cutime, cstime] = [Number(fields[13]), Number(fields[14])];
  const own = process.cpuUsage();
  return (cutime + cstime) / CLOCK_TICKS + (own.user + own.system) / 1e6;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${stderr.slice(-500)}`))));
  });
}

async function measured(work: () => Promise<unknown>): Promise<{ cpuSec: number; wallMs: number }> {
  const cpu = cpuSeconds();
  const started = performance.now();
  await work();
  return { cpuSec: cpuSeconds() - cpu, wallMs: performance.now() - started };
}

export const renderCost: Benchmark = {
  name: 'render-cost',
  title: 'Render CPU per second of output vs one bare encode',
  standalone: true,
  async run(ctx) {
    const count = ctx.quick ? 2 : 6;
    const reps = ctx.quick ? 1 : 5;
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-render-cost-'));
    const sources = path.join(root, 'sources');
    await fs.mkdir(sources, { recursive: true });
    const clip = path.join(sources, 'clip.mp4');
    const tone = path.join(sources, 'narration.wav');
    // A 2 s 640x360 clip (looped by the render, as short generated clips are) and 5 s of narration-like sound.
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
    await run('ffmpeg', [
      '-nostdin',
      '-y',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=220:duration=${SCENE_SEC}`,
      '-ar',
      '24000',
      tone,
    ]);
    const outputSec = count * (SCENE_SEC + PAUSE_SEC);
    const store = new LocalArtifactStore(root);
    const activity = createRenderVideo({ store, scenePauseSec: PAUSE_SEC });

    const renders: { cpuSec: number; wallMs: number }[] = [];
    const bares: { cpuSec: number; wallMs: number }[] = [];
    for (let rep = 0; rep < reps; rep++) {
      const videoId = `cost-${rep}`;
      const scenes = Array.from({ length: count }, (_, index) => ({
        index,
        title: `Scene ${index}`,
        narration: `Scene ${index} says one thing. Then another.`,
      }));
      for (const scene of scenes) {
        await fs.mkdir(store.dir(videoId), { recursive: true });
        await fs.copyFile(clip, store.path(videoId, clipFileName(scene.index)));
        await fs.copyFile(tone, store.path(videoId, narrationFileName(scene.index)));
      }
      const input: RenderVideoInput = {
        videoId,
        script: { title: 'Render cost', scenes },
        scenes: scenes.map((s) => ({
          index: s.index,
          audioFile: narrationFileName(s.index),
          clipFile: clipFileName(s.index),
          durationSec: SCENE_SEC,
        })),
      };
      const renderOnce = async () =>
        renders.push(await measured(() => new MockActivityEnvironment().run((i: RenderVideoInput) => activity.renderVideo(i), input)));
      // The floor: the same looped frames and the same sound, scaled and encoded once with the same settings.
      const bareOut = path.join(root, `bare-${rep}.mp4`);
      const bareOnce = async () =>
        bares.push(
          await measured(() =>
            run('ffmpeg', [
              ...['-nostdin', '-y', '-loglevel', 'error', '-stream_loop', '-1', '-i', clip, '-stream_loop', '-1', '-i', tone],
              ...['-vf', `scale=${SCENE_WIDTH}:${SCENE_HEIGHT},fps=${SCENE_FPS},format=yuv420p`, '-t', String(outputSec)],
              ...SCENE_VIDEO_ARGS,
              ...SCENE_AUDIO_ARGS,
              bareOut,
            ]),
          ),
        );
      // Alternate the order so that a warm cache or a busy neighbour favours neither.
      for (const variant of rep % 2 === 0 ? [renderOnce, bareOnce] : [bareOnce, renderOnce]) await variant();
      await fs.rm(store.dir(videoId), { recursive: true, force: true });
      await fs.rm(bareOut, { force: true });
    }
    await fs.rm(root, { recursive: true, force: true });
    const ratio = summarize(renders.map((r, i) => r.cpuSec / bares[i]!.cpuSec));
    const metrics: Metric[] = [
      {
        label: `renderVideo, ${count} scenes (${outputSec.toFixed(1)} s of video): CPU per second of output`,
        unit: 's',
        summary: summarize(renders.map((r) => r.cpuSec / outputSec)),
      },
      {
        label: 'Bare encode of the same frames and sound: CPU per second of output',
        unit: 's',
        summary: summarize(bares.map((b) => b.cpuSec / outputSec)),
      },
      { label: 'renderVideo CPU ÷ bare encode CPU', unit: '×', summary: ratio },
      { label: 'renderVideo wall time', unit: 'ms', summary: summarize(renders.map((r) => r.wallMs)) },
      { label: 'Bare encode wall time', unit: 'ms', summary: summarize(bares.map((b) => b.wallMs)) },
    ];
    return {
      metrics,
      targets: [target('renderVideo CPU ÷ bare encode CPU (median)', ratio.median, 1.5, '×')],
      notes: [
        `${count} scenes of ${SCENE_SEC} s narration + ${PAUSE_SEC} s pause, from a 2 s 640x360 clip (looped) and a 24 kHz WAV, ${reps} runs, order alternated.`,
        'renderVideo: two loudness measurements of the narration, one normalising encode per scene (with the loudness gain), a copy join that adds the subtitle track, a poster frame and file publishing.',
        `Bare: one ffmpeg with the looped clip and sound, scaled to ${SCENE_WIDTH}x${SCENE_HEIGHT}, the same x264 and AAC settings (src/media/scene-encoding.ts), no loudness, subtitles or poster.`,
        'CPU is user + system time of this process and of the children it waited for (/proc/self/stat), so ffmpeg and ffprobe count on both sides.',
      ],
    };
  },
};
