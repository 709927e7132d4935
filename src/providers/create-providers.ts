/**
 * Wires the configured adapters. The only place that decides local versus paid, so the rest of
 * the code depends on the contracts alone.
 */
import type { GoogleGenAI } from '@google/genai';
import type { Config } from '../config';
import type { ClipGenerator, Narrator, ScriptWriter, SourceProvider } from './contracts';
import { createGeminiClient } from './gemini/create-gemini-client';
import { GeminiNarrator } from './gemini/gemini-narrator';
import { GeminiScriptWriter } from './gemini/gemini-script-writer';
import { DrawnClipGenerator } from './local/drawn-clip-generator';
import { EspeakNarrator } from './local/espeak-narrator';
import { LocalScriptWriter } from './local/local-script-writer';
import { PubmedSourceProvider } from './pubmed/pubmed-source-provider';
import { createRunwayClient } from './runway/create-runway-client';
import { RunwayClipGenerator } from './runway/runway-clip-generator';

export interface Providers {
  sourceProvider: SourceProvider;
  scriptWriter: ScriptWriter;
  narrator: Narrator;
  clipGenerator: ClipGenerator;
}

/** Local clips last as long as a paid one would, so renders behave alike with either. */
const LOCAL_CLIP_SEC = 4;

export interface ProviderOverrides {
  /** The fetch the Gemini SDK uses; jest's sandbox needs the global one handed over. */
  geminiFetch?: typeof fetch;
}

export function createProviders(config: Config, overrides: ProviderOverrides = {}): Providers {
  let gemini: GoogleGenAI | undefined;
  const geminiClient = () =>
    (gemini ??= createGeminiClient({
      apiKey: config.secrets.geminiApiKey ?? '',
      baseUrl: config.gemini.baseUrl,
      fetch: overrides.geminiFetch,
    }));

  const scriptWriter: ScriptWriter =
    config.providers.script === 'gemini'
      ? new GeminiScriptWriter({ client: geminiClient(), model: config.gemini.scriptModel, attempts: config.gemini.scriptAttempts })
      : new LocalScriptWriter();

  const narrator: Narrator =
    config.providers.narration === 'gemini'
      ? new GeminiNarrator({ client: geminiClient(), model: config.gemini.ttsModel })
      : new EspeakNarrator({ fallbackVoice: config.local.voice });

  const clipGenerator: ClipGenerator =
    config.providers.clip === 'runway'
      ? new RunwayClipGenerator({
          client: createRunwayClient({
            apiKey: config.secrets.runwayApiSecret ?? '',
            baseUrl: config.runway.baseUrl,
            timeoutMs: config.runway.requestTimeoutMs,
          }),
          imageModel: config.runway.imageModel,
          videoModel: config.runway.videoModel,
          ratio: config.runway.ratio,
          durationSec: config.runway.durationSec,
          pollIntervalMs: config.runway.pollIntervalMs,
          imageCredits: config.runway.imageCredits,
          videoCreditsPerSecond: config.runway.videoCreditsPerSecond,
        })
      : new DrawnClipGenerator({ durationSec: LOCAL_CLIP_SEC });

  const sourceProvider = new PubmedSourceProvider({ baseUrl: config.pubmed.baseUrl, apiKey: config.pubmed.apiKey });
  return { sourceProvider, scriptWriter, narrator, clipGenerator };
}
