/**
 * A narrator that needs no key and no network: espeak-ng. Voice names from other providers
 * (Gemini's "Kore") mean nothing to espeak-ng, so unknown voices fall back to a configured one
 * instead of failing the scene.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { runTool } from '../../media/run-tool';
import { speakToWav } from '../../media/espeak';
import type { NarrateRequest, Narrator, Spend } from '../contracts';

let voiceNames: Promise<Set<string>> | undefined;

/**
 * The names espeak-ng accepts for `-v`, lower-cased: languages ("en-us"), voice names
 * ("english_(america)") and voice files ("gmw/en-us"). Read once per process; the list only
 * changes when packages are installed.
 */
export function listEspeakVoices(): Promise<Set<string>> {
  voiceNames ??= runTool('espeak-ng', ['--voices']).then(
    ({ stdout }) => {
      const names = new Set<string>();
      for (const line of stdout.split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        // Columns: Pty, Language, Age/Gender, VoiceName, File, then "(lang prio)" pairs.
        for (const name of [cols[1], cols[3], cols[4]]) if (name) names.add(name.toLowerCase());
      }
      return names;
    },
    (err: unknown) => {
      // A failed lookup is not cached, so a later call can try again.
      voiceNames = undefined;
      throw err;
    },
  );
  return voiceNames;
}

export interface EspeakNarratorOptions {
  /** espeak-ng voice used when the requested one is not an espeak-ng voice. */
  fallbackVoice: string;
}

export class EspeakNarrator implements Narrator {
  readonly cacheIdentity: string;

  constructor(private readonly options: EspeakNarratorOptions) {
    this.cacheIdentity = `espeak-ng:${options.fallbackVoice}`;
  }

  /** The espeak-ng voice for a requested name; a variant suffix ("en-us+f3") is kept. */
  async resolveVoice(voice: string): Promise<string> {
    const voices = await listEspeakVoices();
    const base = voice.trim().split('+')[0]?.toLowerCase() ?? '';
    return base && voices.has(base) ? voice.trim() : this.options.fallbackVoice;
  }

  async narrate(request: NarrateRequest): Promise<{ spend: Spend }> {
    request.signal.throwIfAborted();
    const voice = await this.resolveVoice(request.voice);
    await mkdir(path.dirname(request.outPath), { recursive: true });
    await speakToWav(request.text, voice, request.outPath, request.signal);
    return { spend: { credits: 0 } };
  }
}
