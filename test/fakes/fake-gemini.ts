/**
 * A stand-in for the Gemini API (generativelanguage v1beta) that the real @google/genai SDK can
 * talk to: POST /v1beta/models/{model}:generateContent with the x-goog-api-key header. Replies
 * follow the REST wire format (candidates, promptFeedback, usageMetadata, google.rpc errors).
 * Tests queue behaviours; with none queued, JSON requests get a valid script built from the
 * prompt and AUDIO requests get an audible sine tone as 24 kHz L16 PCM.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pcmToWav } from '../../src/media/wav';

export type FakeGeminiBehaviour =
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; text: string }
  | { kind: 'audio-pcm'; seconds?: number; sampleRate?: number }
  | { kind: 'audio-wav'; seconds?: number; sampleRate?: number }
  | { kind: 'error'; status: number; retryDelaySec?: number }
  | { kind: 'prompt-blocked'; blockReason?: string }
  | { kind: 'finish'; finishReason: string }
  /** Answers only after `ms`, so a caller can abort while waiting. */
  | { kind: 'delay'; ms: number };

export interface FakeGeminiRequest {
  model: string;
  apiKey: string | undefined;
  body: GenerateBody;
  status: number;
}

interface GenerateBody {
  contents?: { parts?: { text?: string }[] }[];
  generationConfig?: {
    responseMimeType?: string;
    responseModalities?: string[];
    responseJsonSchema?: { properties?: { scenes?: { maxItems?: number } } };
    speechConfig?: { voiceConfig?: { prebuiltVoiceConfig?: { voiceName?: string } } };
  };
}

export interface FakeGemini {
  url: string;
  requests: FakeGeminiRequest[];
  /** Queues behaviours for the next requests, in order. */
  enqueue(...behaviours: FakeGeminiBehaviour[]): void;
  close(): Promise<void>;
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** 16-bit little-endian mono sine at 440 Hz, quiet enough not to clip. */
export function sineTonePcm(seconds: number, sampleRate = 24000): Buffer {
  const samples = Math.round(seconds * sampleRate);
  const pcm = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    pcm.writeInt16LE(Math.round(Math.sin((2 * Math.PI * 440 * i) / sampleRate) * 8000), i * 2);
  }
  return pcm;
}

function promptText(body: GenerateBody): string {
  return (body.contents ?? [])
    .flatMap((c) => c.parts ?? [])
    .map((p) => p.text ?? '')
    .join('\n');
}

/** A script that honours the request's scene bound, titled after the prompt's "Title:" line. */
function defaultScript(body: GenerateBody): unknown {
  const prompt = promptText(body);
  const title = /^Title: (.+)$/m.exec(prompt)?.[1]?.trim() ?? 'Untitled';
  const count = Math.min(4, body.generationConfig?.responseJsonSchema?.properties?.scenes?.maxItems ?? 4);
  const scenes = Array.from({ length: count }, (_, i) => ({
    title: i === 0 ? title : `Part ${i}`,
    narration: i === 0 ? `This video explains ${title}.` : `Here is point number ${i} of the study, said in plain words.`,
    visual: `An illustration of part ${i} of ${title}`,
  }));
  return { title, scenes };
}

function candidate(parts: unknown[], finishReason = 'STOP'): unknown {
  return { content: { parts, role: 'model' }, finishReason, index: 0 };
}

function reply(body: unknown): { status: number; json: unknown } {
  return { status: 200, json: body };
}

function answer(behaviour: FakeGeminiBehaviour | undefined, body: GenerateBody): { status: number; json: unknown } {
  const usageMetadata = { promptTokenCount: 120, candidatesTokenCount: 80, totalTokenCount: 200 };
  const base = { usageMetadata, modelVersion: 'fake-model', responseId: `fake-${Date.now()}` };
  const wantsAudio = body.generationConfig?.responseModalities?.includes('AUDIO') ?? false;
  const words = promptText(body).split(/\s+/).filter(Boolean).length;
  const b = behaviour ?? (wantsAudio ? { kind: 'audio-pcm' as const } : { kind: 'json' as const, value: defaultScript(body) });
  switch (b.kind) {
    case 'json':
      return reply({ ...base, candidates: [candidate([{ text: JSON.stringify(b.value) }])] });
    case 'text':
      return reply({ ...base, candidates: [candidate([{ text: b.text }])] });
    case 'audio-pcm':
    case 'audio-wav': {
      const rate = b.sampleRate ?? 24000;
      const pcm = sineTonePcm(b.seconds ?? Math.max(0.5, words * 0.3), rate);
      const data = b.kind === 'audio-pcm' ? pcm : pcmToWav(pcm, { sampleRate: rate, channels: 1, bitsPerSample: 16 });
      const mimeType = b.kind === 'audio-pcm' ? `audio/L16;codec=pcm;rate=${rate}` : 'audio/wav';
      return reply({ ...base, candidates: [candidate([{ inlineData: { mimeType, data: data.toString('base64') } }])] });
    }
    case 'error': {
      const details =
        b.retryDelaySec === undefined ? [] : [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${b.retryDelaySec}s` }];
      const message = b.status === 503 ? 'The model is overloaded. Please try again later.' : `Fake error ${b.status}`;
      return { status: b.status, json: { error: { code: b.status, message, status: STATUS_NAMES[b.status] ?? 'UNKNOWN', details } } };
    }
    case 'prompt-blocked':
      return reply({ ...base, promptFeedback: { blockReason: b.blockReason ?? 'SAFETY', safetyRatings: [] } });
    case 'finish':
      return reply({
        ...base,
        candidates: [
          {
            finishReason: b.finishReason,
            index: 0,
            safetyRatings: [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true }],
          },
        ],
      });
    case 'delay':
      return answer(undefined, body);
  }
}

export interface FakeGeminiOptions {
  /**
   * The only key the fake accepts.
   * @default 'test-key'
   */
  apiKey?: string;
  /**
   * Milliseconds before a generateContent request is answered, like a model at work: `tts` for
   * requests that ask for AUDIO, `script` for every other one. A queued `delay` adds its own wait.
   * @default { script: 0, tts: 0 }
   */
  latencyMs?: { script?: number; tts?: number };
}

/** Starts the fake on 127.0.0.1 with a free port. */
export async function startFakeGemini(options: FakeGeminiOptions = {}): Promise<FakeGemini> {
  const apiKey = options.apiKey ?? 'test-key';
  const requests: FakeGeminiRequest[] = [];
  const queue: FakeGeminiBehaviour[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const match = /^\/v1beta\/models\/([^/:]+):generateContent$/.exec(req.url ?? '');
      const key = req.headers['x-goog-api-key'];
      let body: GenerateBody = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as GenerateBody;
      } catch {
        // Recorded with an empty body; the SDK always sends JSON.
      }
      const send = (status: number, json: unknown): void => {
        requests.push({ model: match?.[1] ?? '', apiKey: typeof key === 'string' ? key : undefined, body, status });
        res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
        res.end(JSON.stringify(json));
      };
      if (req.method !== 'POST' || !match) return send(404, { error: { code: 404, message: 'Not found', status: 'NOT_FOUND' } });
      if (key !== apiKey) {
        return send(400, { error: { code: 400, message: 'API key not valid. Please pass a valid API key.', status: 'INVALID_ARGUMENT' } });
      }
      const behaviour = queue.shift();
      const { status, json } = answer(behaviour, body);
      const wantsAudio = body.generationConfig?.responseModalities?.includes('AUDIO') ?? false;
      const latency = (wantsAudio ? options.latencyMs?.tts : options.latencyMs?.script) ?? 0;
      const waitMs = latency + (behaviour?.kind === 'delay' ? behaviour.ms : 0);
      if (waitMs <= 0) return send(status, json);
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) send(status, json);
      }, waitMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...behaviours) => queue.push(...behaviours),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
