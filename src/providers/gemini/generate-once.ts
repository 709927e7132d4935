/**
 * One Gemini `generateContent` request, the way every adapter here must make it: abortable, with
 * no automatic continuation (continuation hops would be paid for outside the retry policy), SDK
 * errors mapped to provider errors, and safety blocks raised before the reply is read.
 */
import type { GenerateContentConfig, GenerateContentResponse, GoogleGenAI } from '@google/genai';
import { withScopedSignal } from '../scoped-signal';
import { throwIfSafetyBlocked } from './check-gemini-safety';
import { mapGeminiError } from './map-gemini-error';

export interface GenerateOnceRequest {
  model: string;
  contents: Parameters<GoogleGenAI['models']['generateContent']>[0]['contents'];
  config: Omit<GenerateContentConfig, 'abortSignal' | 'automaticContinuation'>;
}

export async function generateOnce(
  client: GoogleGenAI,
  request: GenerateOnceRequest,
  signal: AbortSignal,
): Promise<GenerateContentResponse> {
  signal.throwIfAborted();
  let response: GenerateContentResponse;
  try {
    response = await withScopedSignal(signal, (abortSignal) =>
      client.models.generateContent({
        model: request.model,
        contents: request.contents,
        config: { ...request.config, abortSignal, automaticContinuation: false },
      }),
    );
  } catch (err) {
    throw mapGeminiError(err, signal);
  }
  throwIfSafetyBlocked(response);
  return response;
}

/** Tokens Gemini reports billing for a reply (prompt and output), 0 when it reports none. */
export function billedTokens(response: GenerateContentResponse): number {
  return response.usageMetadata?.totalTokenCount ?? 0;
}
