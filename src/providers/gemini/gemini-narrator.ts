/**
 * Narrates scenes with Gemini text-to-speech. Gemini returns raw 16-bit PCM labelled
 * "audio/L16;codec=pcm;rate=24000" (little-endian in practice, despite RFC 2586's L16), which is
 * framed as WAV here so ffmpeg and players can read it; a reply that is already WAV is kept as is.
 */
import type { GenerateContentResponse, GoogleGenAI } from '@google/genai';
import type { NarrateRequest, Narrator, Spend } from '../contracts';
import { InvalidProviderReplyError } from '../errors';
import { writeFileAtomic } from '../atomic-file';
import { isWav, pcmToWav } from '../../media/wav';
import { billedTokens, generateOnce } from './generate-once';

export interface GeminiNarratorOptions {
  /** A client built with SDK retries off (see createGeminiClient). */
  client: GoogleGenAI;
  /** A TTS-capable model, e.g. gemini-2.5-flash-preview-tts. */
  model: string;
}

/** What Gemini TTS produces unless the mime type says otherwise. */
const DEFAULT_FORMAT = { sampleRate: 24000, channels: 1, bitsPerSample: 16 };

interface AudioPart {
  mimeType: string;
  data: Buffer;
}

function mimeParameter(mimeType: string, name: string): number | undefined {
  const match = new RegExp(`(?:^|;)\\s*${name}=(\\d+)`, 'i').exec(mimeType);
  return match?.[1] ? Number(match[1]) : undefined;
}

function audioParts(response: GenerateContentResponse): AudioPart[] {
  const parts = response.candidates?.[0]?.content?.parts ?? [];
  return parts.flatMap((part) => {
    const inline = part.inlineData;
    if (!inline?.data || !inline.mimeType?.toLowerCase().startsWith('audio/')) return [];
    return [{ mimeType: inline.mimeType, data: Buffer.from(inline.data, 'base64') }];
  });
}

/** One WAV file from the reply's audio parts: a WAV part as is, PCM parts joined and framed. */
function toWav(parts: AudioPart[]): Buffer {
  const first = parts[0];
  if (!first) throw new InvalidProviderReplyError('Gemini TTS reply holds no audio');
  const wavs = parts.filter((p) => isWav(p.data));
  if (wavs.length > 0) {
    if (parts.length > 1) throw new InvalidProviderReplyError('Gemini TTS reply mixes several WAV parts');
    return first.data;
  }
  const mime = first.mimeType.toLowerCase();
  if (!mime.startsWith('audio/l16') && !mime.includes('codec=pcm') && !mime.startsWith('audio/pcm')) {
    throw new InvalidProviderReplyError(`Gemini TTS reply has unsupported audio type ${first.mimeType}`);
  }
  const format = {
    ...DEFAULT_FORMAT,
    sampleRate: mimeParameter(mime, 'rate') ?? DEFAULT_FORMAT.sampleRate,
    channels: mimeParameter(mime, 'channels') ?? DEFAULT_FORMAT.channels,
  };
  const pcm = Buffer.concat(parts.map((p) => p.data));
  if (pcm.length === 0) throw new InvalidProviderReplyError('Gemini TTS reply holds empty audio');
  return pcmToWav(pcm, format);
}

/** Narrator backed by Gemini TTS; spend is the tokens Gemini reports and 0 credits (it bills money, not credits). */
export class GeminiNarrator implements Narrator {
  private readonly client: GoogleGenAI;
  private readonly model: string;

  readonly cacheIdentity: string;

  constructor(options: GeminiNarratorOptions) {
    this.client = options.client;
    this.model = options.model;
    this.cacheIdentity = `gemini-tts:${options.model}`;
  }

  async narrate(request: NarrateRequest): Promise<{ spend: Spend }> {
    const { text, voice, outPath, signal } = request;
    const response = await generateOnce(
      this.client,
      {
        model: this.model,
        contents: [{ role: 'user', parts: [{ text }] }],
        config: {
          responseModalities: ['AUDIO'],
          speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: voice } } },
        },
      },
      signal,
    );
    const wav = toWav(audioParts(response));
    signal.throwIfAborted();
    await writeFileAtomic(outPath, wav);
    return { spend: { credits: 0, tokens: billedTokens(response) } };
  }
}
