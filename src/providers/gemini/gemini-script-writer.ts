/**
 * Writes video scripts with Gemini's structured output. A reply that does not fit the schema is
 * asked for again a few times within the same activity attempt, because a fresh sample usually
 * fixes it and that is cheaper than a Temporal retry; safety blocks and HTTP errors are not.
 */
import type { GenerateContentResponse, GoogleGenAI } from '@google/genai';
import type { ScriptWriter, Spend, WriteScriptRequest } from '../contracts';
import type { Script } from '../../shared/video';
import { InvalidProviderReplyError } from '../errors';
import { buildScriptPrompt } from './build-script-prompt';
import { billedTokens, generateOnce } from './generate-once';
import { scriptReplyJsonSchema, scriptReplySchema, type ScriptReply } from './script-schema';

export interface GeminiScriptWriterOptions {
  /** A client built with SDK retries off (see createGeminiClient). */
  client: GoogleGenAI;
  model: string;
  /** Replies requested per call before giving up on invalid ones; at least 1. */
  attempts: number;
}

type Parsed = { ok: true; reply: ScriptReply } | { ok: false; problem: string };

function parseReply(response: GenerateContentResponse, maxScenes: number): Parsed {
  const text = response.text;
  if (!text) return { ok: false, problem: 'empty reply' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'reply is not JSON' };
  }
  const result = scriptReplySchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    return { ok: false, problem: `reply does not fit the schema (${issue?.path.join('.')}: ${issue?.message})` };
  }
  if (result.data.scenes.length > maxScenes) {
    return { ok: false, problem: `reply has ${result.data.scenes.length} scenes, more than ${maxScenes}` };
  }
  return { ok: true, reply: result.data };
}

/** Scene 0 always carries the video title, whatever the model called it; indexes are ours. */
function toScript(reply: ScriptReply): Script {
  return {
    title: reply.title,
    scenes: reply.scenes.map((scene, index) => ({
      index,
      title: index === 0 ? reply.title : scene.title,
      narration: scene.narration,
      ...(scene.visual ? { visual: scene.visual } : {}),
    })),
  };
}

/**
 * ScriptWriter backed by Gemini. Gemini bills tokens, not credits: spend reports the tokens of
 * every attempt (a malformed reply is paid for too) and 0 credits; budgets only cover clips.
 */
export class GeminiScriptWriter implements ScriptWriter {
  private readonly client: GoogleGenAI;
  private readonly model: string;
  private readonly attempts: number;

  readonly cacheIdentity: string;

  constructor(options: GeminiScriptWriterOptions) {
    this.client = options.client;
    this.model = options.model;
    this.cacheIdentity = `gemini:${options.model}`;
    this.attempts = Math.max(1, Math.floor(options.attempts));
  }

  async writeScript(request: WriteScriptRequest): Promise<{ script: Script; spend: Spend }> {
    const { document, maxScenes, signal } = request;
    const prompt = buildScriptPrompt(document, maxScenes);
    const responseJsonSchema = scriptReplyJsonSchema(maxScenes);
    let problem = 'no reply';
    let tokens = 0;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      const response = await generateOnce(
        this.client,
        { model: this.model, contents: prompt, config: { responseMimeType: 'application/json', responseJsonSchema } },
        signal,
      );
      tokens += billedTokens(response);
      const parsed = parseReply(response, maxScenes);
      if (parsed.ok) return { script: toScript(parsed.reply), spend: { credits: 0, tokens } };
      problem = parsed.problem;
    }
    throw new InvalidProviderReplyError(`Gemini gave no usable script in ${this.attempts} attempt(s): ${problem}`);
  }
}
