/**
 * Rules every script must follow, whoever wrote it: shared by the review Update's validator in
 * the workflow and by the API, so an edit is refused with the same reasons everywhere.
 */
import type { Script } from './video';

export const MAX_WORDS_PER_SCENE = 60;
export const MAX_SCENES_PER_SCRIPT = 30;
/** Runway's `promptText` limit: a scene's visual is sent as the clip prompt. */
export const MAX_VISUAL_CHARS = 1000;

/** Returns the problems found; an empty list means the script is valid. */
export function scriptProblems(script: unknown): string[] {
  if (typeof script !== 'object' || script === null) return ['script must be an object'];
  const { title, scenes } = script as Partial<Script>;
  const problems: string[] = [];
  if (typeof title !== 'string' || title.trim() === '') problems.push('title must be a non-empty string');
  if (!Array.isArray(scenes) || scenes.length === 0) return [...problems, 'scenes must be a non-empty array'];
  if (scenes.length > MAX_SCENES_PER_SCRIPT) problems.push(`at most ${MAX_SCENES_PER_SCRIPT} scenes are allowed`);
  scenes.forEach((scene: unknown, i) => {
    const s = scene as Partial<Script['scenes'][number]> | null;
    if (typeof s !== 'object' || s === null) return problems.push(`scenes[${i}] must be an object`);
    if (s.index !== i) problems.push(`scenes[${i}].index must be ${i}`);
    if (typeof s.title !== 'string' || s.title.trim() === '') problems.push(`scenes[${i}].title must be a non-empty string`);
    if (typeof s.narration !== 'string' || s.narration.trim() === '') {
      problems.push(`scenes[${i}].narration must be a non-empty string`);
    } else if (s.narration.split(/\s+/).filter(Boolean).length > MAX_WORDS_PER_SCENE) {
      problems.push(`scenes[${i}].narration has more than ${MAX_WORDS_PER_SCENE} words`);
    }
    if (s.visual !== undefined) {
      if (typeof s.visual !== 'string') problems.push(`scenes[${i}].visual must be a string`);
      else if (s.visual.trim() === '') problems.push(`scenes[${i}].visual must not be blank when given`);
      else if (s.visual.length > MAX_VISUAL_CHARS) problems.push(`scenes[${i}].visual has more than ${MAX_VISUAL_CHARS} characters`);
    }
    return undefined;
  });
  return problems;
}

/** `text` cut to at most `max` UTF-16 units, never through the middle of a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/**
 * A written script made to follow the rules a writer cannot be trusted with: blank visuals are
 * dropped (the scene title stands in) and long ones cut to MAX_VISUAL_CHARS, so every clip
 * prompt fits the provider and a reviewer can send the script back unchanged.
 */
export function fitScript(script: Script): Script {
  return {
    ...script,
    scenes: script.scenes.map(({ visual, ...scene }) => {
      const trimmed = visual?.trim();
      return trimmed ? { ...scene, visual: truncate(trimmed, MAX_VISUAL_CHARS) } : scene;
    }),
  };
}
