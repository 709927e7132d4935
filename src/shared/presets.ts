/**
 * Output formats a video can be made in (`options.preset`). Each names the rendered size, the
 * canvas the local drawer paints on, and the ratio asked of Runway, whose models offer a few
 * fixed ratios: 1080p is generated at 1280:720 and scaled up by the renderer.
 */
export const PRESET_NAMES = ['720p', '1080p', 'vertical', 'square'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export interface Preset {
  /** The rendered video's size. */
  width: number;
  height: number;
  /** The ratio asked of Runway, for its image and its video; also the local drawer's canvas. */
  runwayRatio: string;
  /** Burned-in captions' size, in libass units (1/288 of the picture's height). */
  captionFontSize: number;
}

export const PRESETS: Record<PresetName, Preset> = {
  '720p': { width: 1280, height: 720, runwayRatio: '1280:720', captionFontSize: 18 },
  '1080p': { width: 1920, height: 1080, runwayRatio: '1280:720', captionFontSize: 18 },
  vertical: { width: 1080, height: 1920, runwayRatio: '720:1280', captionFontSize: 9 },
  square: { width: 1080, height: 1080, runwayRatio: '960:960', captionFontSize: 14 },
};

/** A run's preset; runs started before presets existed are 720p. */
export const presetOf = (name: PresetName | undefined): Preset => PRESETS[name ?? '720p'];

/** The canvas, in pixels, that a preset's clips are generated at. */
export function clipCanvas(preset: Preset): { width: number; height: number } {
  const [width, height] = preset.runwayRatio.split(':').map(Number);
  return { width: width ?? 1280, height: height ?? 720 };
}
