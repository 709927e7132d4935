/**
 * The slideshow path of `generateVideo`: the user's own images, copied from their uploads, turned
 * into one video by one render activity. Captions are narrated (like a script's scenes) when there
 * is no soundtrack. A slideshow's status has one scene per image: its clip is the image, done once
 * the uploads are copied, and its narration the caption's.
 */
import type { NarrateSceneResult } from '../activities/narrate-scene';
import type { RenderSlideInput } from '../activities/render-slideshow';
import type { GenerateVideoInput, Script, SlideshowSource, VideoResult } from '../shared/video';
import { mapSettled } from './map-bounded';
import type { VideoStateTracker } from './video-state-tracker';
import { cacheField } from './cache-field';
import type { StageActivities } from './generate-video';

type SlideshowActivities = Pick<StageActivities, 'uploads' | 'narration' | 'render'>;

/** The script a slideshow shows and returns from `GET /script`: one scene per image, its caption as the narration. */
export function slideshowScript(source: SlideshowSource): Script {
  return {
    title: source.title,
    scenes: source.images.map((image, index) => ({
      index,
      title: image.caption ? shortTitle(image.caption) : `Image ${index + 1}`,
      narration: image.caption ?? '',
    })),
  };
}

/** A caption's first clause, or its first words, as the scene's title. */
function shortTitle(caption: string): string {
  const clause = caption.split(/(?<=[.!?;:])\s/)[0] ?? caption;
  const words = clause.split(/\s+/);
  return words.length <= 12 ? clause.replace(/[.;:]$/, '') : `${words.slice(0, 8).join(' ')}…`;
}

export async function produceSlideshow(
  acts: SlideshowActivities,
  tracker: VideoStateTracker,
  input: GenerateVideoInput,
  source: SlideshowSource,
  script: Script,
): Promise<VideoResult> {
  const { videoId, options } = input;
  tracker.setStage('fetching_source');
  const taken = await acts.uploads.takeUploads.executeWithOptions({ summary: `take ${source.images.length} uploads` }, [
    { videoId, images: source.images.map((i) => i.upload), ...(source.audio ? { audio: source.audio } : {}) },
  ]);
  tracker.setScript(script);
  for (const scene of script.scenes) tracker.setStep(scene.index, 'clip', 'done');

  // A soundtrack replaces narration; without one, each caption is spoken.
  const spoken = source.audio ? [] : script.scenes.filter((s) => s.narration !== '');
  for (const scene of script.scenes) if (!spoken.includes(scene)) tracker.setStep(scene.index, 'narration', 'done');
  const narrations = new Map<number, NarrateSceneResult>();
  if (spoken.length > 0) {
    tracker.setStage('narrating');
    await mapSettled(spoken, options.sceneConcurrency, async (scene) => {
      tracker.setStep(scene.index, 'narration', 'running');
      const narrated = await acts.narration.narrateScene.executeWithOptions({ summary: `narrate caption ${scene.index}` }, [
        { videoId, scene, voice: options.voice, ...cacheField(input) },
      ]);
      tracker.addSpend(narrated.spend);
      tracker.noteReused(narrated.reused, { index: scene.index, name: 'narration' });
      tracker.setStep(scene.index, 'narration', 'done', narrated.durationSec);
      narrations.set(scene.index, narrated);
    });
  }

  tracker.setStage('rendering');
  const slides: RenderSlideInput[] = taken.images.map((image, index) => {
    const narrated = narrations.get(index);
    return {
      index,
      imageFile: image.file,
      orientation: image.orientation,
      ...(narrated ? { narration: { audioFile: narrated.audioFile, durationSec: narrated.durationSec } } : {}),
    };
  });
  return acts.render.renderSlideshow.executeWithOptions({ summary: `render ${slides.length} images` }, [
    {
      videoId,
      script,
      slides,
      ...(taken.soundtrack ? { soundtrackFile: taken.soundtrack.file } : {}),
      secondsPerImage: source.secondsPerImage,
      transition: source.transition,
      fit: source.fit,
      ...(options.burnCaptions ? { burnCaptions: true } : {}),
      ...(options.preset ? { preset: options.preset } : {}),
    },
  ]);
}
