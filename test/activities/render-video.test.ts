/**
 * renderVideo on the artifact store: it reads the scenes' narration and clips from the store,
 * publishes what the video serves, keeps only that, and a retry after everything was published
 * answers the same without rendering again, though the inputs are gone by then.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { narrationFileName } from '../../src/activities/narrate-scene';
import { clipFileName } from '../../src/activities/clip-steps';
import { createRenderVideo, type RenderVideoInput } from '../../src/activities/render-video';
import { DrawnClipGenerator } from '../../src/providers/local/drawn-clip-generator';
import { EspeakNarrator } from '../../src/providers/local/espeak-narrator';
import { LOUDNESS_TARGET, loudnessOf } from '../../src/media/loudness';
import { probeMedia } from '../../src/media/probe';
import { runTool } from '../../src/media/run-tool';
import { LocalArtifactStore } from '../../src/storage/local-artifact-store';
import { uniqueName } from '../helpers/unique';
import { subtitleCodecs } from '../media/media-test-helpers';

let root: string;
let store: LocalArtifactStore;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-render-'));
  store = new LocalArtifactStore(root);
});
afterAll(() => fs.rm(root, { recursive: true, force: true }));

/** Publishes two scenes' narration and clips, as the narration and clip activities do. */
async function publishedScenes(videoId: string): Promise<RenderVideoInput> {
  const narrator = new EspeakNarrator({ fallbackVoice: 'en-us' });
  const clips = new DrawnClipGenerator({ durationSec: 1 });
  const signal = new AbortController().signal;
  const script = {
    title: 'Bees',
    scenes: [0, 1].map((index) => ({ index, title: `Scene ${index}`, narration: `Scene number ${index}.` })),
  };
  const scenes = [];
  for (const scene of script.scenes) {
    const audio = await store.tempPath(videoId, narrationFileName(scene.index));
    await narrator.narrate({ text: scene.narration, voice: 'en-us', outPath: audio, signal });
    const { durationSec } = await probeMedia(audio);
    await store.publish(videoId, narrationFileName(scene.index), audio);
    const clip = await store.tempPath(videoId, clipFileName(scene.index));
    await clips.await({ scene, step: 'clip', taskId: 'local', outPath: clip, signal, onProgress: () => undefined });
    await store.publish(videoId, clipFileName(scene.index), clip);
    scenes.push({ index: scene.index, audioFile: narrationFileName(scene.index), clipFile: clipFileName(scene.index), durationSec });
  }
  return { videoId, script, scenes };
}

const render = (input: RenderVideoInput, keepIntermediateFiles = false) => {
  const activity = createRenderVideo({ store, scenePauseSec: 0.2, keepIntermediateFiles });
  return new MockActivityEnvironment().run((i: RenderVideoInput) => activity.renderVideo(i), input);
};

test('a completed render keeps only what the video serves', async () => {
  const input = await publishedScenes(uniqueName('render'));
  const result = await render(input);
  expect(result).toEqual({
    file: 'video.mp4',
    durationSec: expect.any(Number),
    bytes: (await store.info(input.videoId, 'video.mp4'))?.size,
  });
  expect((await fs.readdir(store.dir(input.videoId))).sort()).toEqual(['script.json', 'subtitles.srt', 'thumbnail.jpg', 'video.mp4']);
  // The poster is a JPEG, 640 pixels wide, of the title scene.
  const poster = await fs.readFile(path.join(store.dir(input.videoId), 'thumbnail.jpg'));
  expect(poster.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  expect(poster.length).toBeGreaterThan(2_000);
});

test('KEEP_INTERMEDIATE_FILES keeps the narration and clips, but not the normalised parts', async () => {
  const input = await publishedScenes(uniqueName('render'));
  await render(input, true);
  expect((await fs.readdir(store.dir(input.videoId))).sort()).toEqual([
    'scene-00.clip.mp4',
    'scene-00.wav',
    'scene-01.clip.mp4',
    'scene-01.wav',
    'script.json',
    'subtitles.srt',
    'thumbnail.jpg',
    'video.mp4',
  ]);
});

test('a retried render whose files are published answers the same without rendering again; another script renders anew', async () => {
  const input = await publishedScenes(uniqueName('render'));
  const first = await render(input);
  const before = await store.info(input.videoId, 'video.mp4');
  // The inputs are gone (keepOnly), so a second render could not run: the same answer proves it did not.
  await expect(render(input)).resolves.toEqual(first);
  expect(await store.info(input.videoId, 'video.mp4')).toEqual(before);

  const edited = { ...input, script: { ...input.script, title: 'Another title' } };
  await expect(render(edited)).rejects.toThrow(/scene-00\.(clip\.mp4|wav) of video .* is not stored/);
});

test('the MP4 carries the subtitles as a soft mov_text track and speaks at -16 LUFS, true peak under -1.5 dBTP', async () => {
  const input = await publishedScenes(uniqueName('render'));
  const result = (await render(input)) as { durationSec: number };
  const file = path.join(store.dir(input.videoId), 'video.mp4');
  const { stdout } = await runTool('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'stream=codec_type,codec_name:stream_tags=language',
    '-of',
    'json',
    file,
  ]);
  const streams = (JSON.parse(stdout) as { streams: { codec_type: string; codec_name: string; tags?: { language?: string } }[] }).streams;
  expect(streams.map((s) => s.codec_type)).toEqual(['video', 'audio', 'subtitle']);
  expect(streams[2]).toMatchObject({ codec_name: 'mov_text', tags: { language: 'eng' } });
  // The track holds the same cues as subtitles.srt.
  const track = await runTool('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:s:0', '-f', 'srt', '-']);
  const srt = await fs.readFile(path.join(store.dir(input.videoId), 'subtitles.srt'), 'utf8');
  const texts = (doc: string) => doc.split(/\r?\n/).filter((line) => line && !/^\d+$/.test(line) && !line.includes('-->'));
  expect(texts(track.stdout)).toEqual(texts(srt));

  const loudness = await loudnessOf(file);
  expect(Math.abs(loudness.integratedLufs - LOUDNESS_TARGET.integratedLufs)).toBeLessThanOrEqual(1);
  expect(loudness.truePeakDbtp).toBeLessThanOrEqual(-1.5);
  // The audio filter keeps the length: still the sum of the scenes.
  expect(Math.abs((await probeMedia(file)).durationSec - result.durationSec)).toBeLessThanOrEqual(0.1);
});

test('burnCaptions draws the captions into the lower part of the picture and leaves the rest as it was', async () => {
  const plain = await publishedScenes(uniqueName('render'));
  const burned = await publishedScenes(uniqueName('render'));
  await render(plain);
  await render({ ...burned, burnCaptions: true });
  const file = (input: RenderVideoInput) => path.join(store.dir(input.videoId), 'video.mp4');
  /** PSNR in dB between the two videos over one band of the picture: high when the band is alike. */
  const psnr = async (band: string) => {
    const graph = `[0:v]crop=${band}[a];[1:v]crop=${band}[b];[a][b]psnr`;
    const { stderr } = await runTool('ffmpeg', [
      '-hide_banner',
      '-i',
      file(plain),
      '-i',
      file(burned),
      '-filter_complex',
      graph,
      '-f',
      'null',
      '-',
    ]);
    return Number(/average:(inf|[\d.]+)/.exec(stderr)?.[1]?.replace('inf', 'Infinity'));
  };
  const bottom = await psnr('iw:ih/5:0:ih*4/5');
  const top = await psnr('iw:ih/2:0:0');
  expect(bottom).toBeLessThan(30);
  expect(top).toBeGreaterThan(35);
  // The soft track is there too.
  expect(await subtitleCodecs(file(burned))).toEqual(['mov_text']);
});

test('a preset sets the rendered size: vertical is 1080x1920', async () => {
  const input = await publishedScenes(uniqueName('render'));
  await render({ ...input, preset: 'vertical' });
  expect((await probeMedia(path.join(store.dir(input.videoId), 'video.mp4'))).video).toMatchObject({ width: 1080, height: 1920 });
});
