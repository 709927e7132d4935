/**
 * The files published beside the MP4: the script with each scene's start and length, and the
 * subtitles. Both follow from the render's input alone, so a retried render can tell whether
 * what is stored is its own output by comparing the script.
 */
import { buildSrt } from '../media/subtitles';
import type { RenderSceneInput, RenderVideoInput } from './render-video';
import { subtitleCues } from './subtitle-cues';

export interface RenderCompanions {
  scriptJson: string;
  subtitlesSrt: string;
}

export function renderCompanions(input: RenderVideoInput, scenes: RenderSceneInput[], scenePauseSec: number): RenderCompanions {
  let startSec = 0;
  const timed = scenes.map((scene) => {
    const narration = input.script.scenes.find((s) => s.index === scene.index)?.narration ?? '';
    const entry = { narration, startSec, speechSec: scene.durationSec };
    startSec += scene.durationSec + scenePauseSec;
    return entry;
  });
  const scriptWithTimes = {
    ...input.script,
    scenes: input.script.scenes.map((s) => {
      const t = timed[scenes.findIndex((x) => x.index === s.index)];
      return { ...s, startSec: t?.startSec, durationSec: t ? t.speechSec + scenePauseSec : undefined };
    }),
  };
  return { scriptJson: JSON.stringify(scriptWithTimes, null, 2), subtitlesSrt: buildSrt(subtitleCues(timed)) };
}
