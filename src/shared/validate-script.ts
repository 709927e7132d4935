/**
 * Rules every script must follow, whoever wrote it: shared by the review Update's validator in
 * the workflow and by the API, so an edit is refused with the same reasons everywhere.
 */
import type { Script } from './video';

export const MAX_WORDS_PER_SCENE = 60;
export const MAX_SCENES_PER_SCRIPT = 30;

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
    if (s.visual !== undefined && typeof s.visual !== 'string') problems.push(`scenes[${i}].visual must be a string`);
    return undefined;
  });
  return problems;
}
