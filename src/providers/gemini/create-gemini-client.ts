/**
 * Builds the Gemini SDK client the adapters use. The SDK retries only when
 * `httpOptions.retryOptions` is set, so it is left out: Temporal's retry policy is the only one,
 * because two layers of retries multiply waits and cost. The API version is pinned too: SDK 3.x
 * moved its default from `v1beta` to `v1`, and the preview TTS models and response schemas the
 * adapters use were built and tested against `v1beta`; an SDK upgrade must not move it silently.
 */
import { GoogleGenAI } from '@google/genai';

export interface GeminiClientOptions {
  apiKey: string;
  /** Endpoint override (config.gemini.baseUrl); the public API when undefined. */
  baseUrl?: string;
  /** Per-request timeout in milliseconds. */
  timeoutMs?: number;
  /**
   * Fetch to use instead of the global one. Tests running inside jest's VM sandbox need it: there
   * the SDK cannot find Node's undici dispatcher, which it only looks up when no fetch is given.
   */
  fetch?: typeof fetch;
}

/** The Gemini API version every request goes to (`GOOGLE_GENAI_API_VERSION` cannot change it). */
export const GEMINI_API_VERSION = 'v1beta';

/** A GoogleGenAI client for the Gemini API with SDK retries disabled. */
export function createGeminiClient(options: GeminiClientOptions): GoogleGenAI {
  return new GoogleGenAI({
    apiKey: options.apiKey,
    apiVersion: GEMINI_API_VERSION,
    httpOptions: {
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      // No retryOptions: the SDK then sends each request exactly once (tests pin this down).
    },
  });
}
