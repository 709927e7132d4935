/**
 * Builds the Gemini SDK client the adapters use. The SDK's own HTTP retries are switched off so
 * that Temporal's retry policy is the only one: two layers of retries multiply waits and cost.
 */
import { GoogleGenAI } from '@google/genai';

export interface GeminiClientOptions {
  apiKey: string;
  /** Endpoint override (config.gemini.baseUrl); the public API when undefined. */
  baseUrl?: string;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
}

/** A GoogleGenAI client for the Gemini API with SDK retries disabled. */
export function createGeminiClient(options: GeminiClientOptions): GoogleGenAI {
  return new GoogleGenAI({
    apiKey: options.apiKey,
    httpOptions: {
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
      retryOptions: { attempts: 1 },
    },
  });
}
