import type { CacheScope, GenerateVideoInput } from '../shared/video';

/** The step cache's scope for an activity's input; nothing in runs started without one. */
export function cacheField(input: GenerateVideoInput): { cacheScope?: CacheScope } {
  return input.cacheScope ? { cacheScope: input.cacheScope } : {};
}
