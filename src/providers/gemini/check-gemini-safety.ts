/**
 * Recognises Gemini replies that were blocked on safety grounds. They come back as HTTP 200, so
 * without this check a block would look like an empty or malformed reply and be retried in vain.
 */
import type { GenerateContentResponse } from '@google/genai';
import { SafetyBlockedError } from '../errors';

/** Finish reasons that mean the output was withheld for policy reasons, not cut short. */
const SAFETY_FINISH_REASONS = new Set([
  'SAFETY',
  'PROHIBITED_CONTENT',
  'BLOCKLIST',
  'SPII',
  'RECITATION',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
]);

/** Throws SafetyBlockedError when the prompt or the first candidate was blocked. */
export function throwIfSafetyBlocked(response: GenerateContentResponse): void {
  const blockReason = response.promptFeedback?.blockReason;
  if (blockReason) {
    const message = response.promptFeedback?.blockReasonMessage;
    throw new SafetyBlockedError(`Gemini blocked the prompt (${blockReason})${message ? `: ${message}` : ''}`);
  }
  const finishReason = response.candidates?.[0]?.finishReason;
  if (finishReason && SAFETY_FINISH_REASONS.has(finishReason)) {
    throw new SafetyBlockedError(`Gemini withheld its answer (finish reason ${finishReason})`);
  }
}
