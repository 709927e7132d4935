/**
 * The shape a script writer model must answer with. The same zod schema validates the reply and,
 * through z.toJSONSchema, tells Gemini what to produce, so the two cannot drift apart.
 */
import { z } from 'zod';

/** Narration longer than this cannot be spoken in about 15 seconds. */
export const MAX_NARRATION_WORDS = 40;

export function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

const sceneReplySchema = z.object({
  title: z.string().trim().min(1).describe('Short on-screen title of the scene, at most 8 words'),
  narration: z
    .string()
    .trim()
    .min(1)
    .describe(`What the narrator says, at most ${MAX_NARRATION_WORDS} words`)
    .refine((text) => countWords(text) <= MAX_NARRATION_WORDS, {
      message: `narration must be at most ${MAX_NARRATION_WORDS} words`,
    }),
  visual: z.string().trim().min(1).optional().describe('One sentence describing what is shown on screen'),
});

/** A scripted video as the model writes it; scene indexes are assigned by the adapter. */
export const scriptReplySchema = z.object({
  title: z.string().trim().min(1).describe('Title of the video'),
  scenes: z.array(sceneReplySchema).min(1).describe('Scenes in order; the first one is the title scene'),
});

export type ScriptReply = z.infer<typeof scriptReplySchema>;

/** JSON Schema for `config.responseJsonSchema`, with the scene count bounded for this request. */
export function scriptReplyJsonSchema(maxScenes: number): Record<string, unknown> {
  const schema = z.toJSONSchema(scriptReplySchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete schema.$schema;
  const properties = schema.properties as { scenes: Record<string, unknown> };
  properties.scenes = { ...properties.scenes, maxItems: maxScenes };
  return schema;
}
