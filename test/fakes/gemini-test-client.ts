/**
 * A real GoogleGenAI client pointed at a fake server, usable inside jest. The fetch is handed over
 * explicitly because, in jest's VM sandbox, the SDK's own undici dispatcher lookup fails.
 */
import type { GoogleGenAI } from '@google/genai';
import { createGeminiClient } from '../../src/providers/gemini/create-gemini-client';

export function geminiTestClient(baseUrl: string, apiKey = 'test-key'): GoogleGenAI {
  return createGeminiClient({ apiKey, baseUrl, fetch: (input, init) => fetch(input, init) });
}
