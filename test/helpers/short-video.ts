import type { GenerateVideoInput, VideoOptions } from '../../src/shared/video';
import { uniqueName } from './unique';

/** A text video of a title scene and two short scenes, with a fresh id: quick to render, long enough to interrupt. */
export function shortVideoInput(options: Partial<VideoOptions> = {}): GenerateVideoInput {
  return {
    videoId: uniqueName('video'),
    source: {
      type: 'text',
      title: 'How bees find flowers',
      text: 'Bees dance to tell others where flowers are.\n\nThe angle of the dance points at the food.',
    },
    options: { review: false, reviewTimeoutSec: 60, maxScenes: 3, voice: 'en-us', sceneConcurrency: 3, ...options },
  };
}
