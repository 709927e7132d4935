/**
 * What an uploaded file is, decided from its content by ffprobe (never from its name or the
 * part's Content-Type), and whether it is within the configured limits. An image must also
 * decode: a header that probes well over a truncated body is refused here, not mid-render.
 */
import fs from 'node:fs/promises';
import { runTool } from '../media/run-tool';
import { MediaToolError } from '../media/media-tool-error';

export interface UploadLimits {
  /** Bytes of one file. */
  maxFileBytes: number;
  /** Files in one request. */
  maxFiles: number;
  /** Width × height of one image. */
  maxPixels: number;
  /** Seconds of one audio file. */
  maxAudioSec: number;
}

/** An image as probed: its stored extension, size and EXIF orientation (1–8, 1 = upright). */
export interface ImageFacts {
  type: 'image';
  format: 'jpeg' | 'png' | 'webp';
  width: number;
  height: number;
  orientation: number;
}

export interface AudioFacts {
  type: 'audio';
  format: 'mp3' | 'm4a' | 'wav' | 'webm' | 'ogg';
  codec: string;
  durationSec: number;
}

export type MediaFacts = ImageFacts | AudioFacts;

/** Why a file is refused: an HTTP status and a reason a person can act on. */
export interface Refusal {
  status: 413 | 415 | 422;
  reason: string;
}

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  duration?: string;
  disposition?: { attached_pic?: number };
}

interface ProbeOutput {
  streams?: ProbeStream[];
  format?: { format_name?: string; duration?: string; tags?: Record<string, string> };
  frames?: { tags?: Record<string, string> }[];
}

const IMAGE_FORMATS: Record<string, ImageFacts['format']> = { jpeg_pipe: 'jpeg', png_pipe: 'png', webp_pipe: 'webp' };
const AUDIO_CODECS = new Set(['mp3', 'aac', 'opus', 'vorbis', 'flac', 'alac']);
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'mif1', 'msf1', 'avif']);

/**
 * The HEIF brand a file declares in its leading `ftyp` box (major or compatible), if any. Read
 * from the bytes themselves: ffprobe 5.1 cannot open a still HEIC at all ("moov atom not found"),
 * so it would only ever call one unreadable.
 */
async function heifBrand(file: string): Promise<string | undefined> {
  const handle = await fs.open(file, 'r');
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (bytesRead < 16 || head.toString('latin1', 4, 8) !== 'ftyp') return undefined;
    const boxEnd = Math.min(head.readUInt32BE(0), bytesRead);
    const brands = [head.toString('latin1', 8, 12)];
    for (let at = 16; at + 4 <= boxEnd; at += 4) brands.push(head.toString('latin1', at, at + 4));
    return brands.map((b) => b.trim().toLowerCase()).find((b) => HEIF_BRANDS.has(b));
  } finally {
    await handle.close();
  }
}

/** The extension an identified file is stored under, which ffmpeg reads when it opens it again. */
export function storedExtension(facts: MediaFacts): string {
  return facts.format === 'jpeg' ? 'jpg' : facts.format;
}

async function probe(file: string, extra: string[], signal?: AbortSignal): Promise<ProbeOutput | undefined> {
  try {
    const { stdout } = await runTool('ffprobe', ['-v', 'error', '-print_format', 'json', ...extra, file], {
      signal,
      step: 'identifying an upload',
      timeoutMs: 30_000,
    });
    return JSON.parse(stdout) as ProbeOutput;
  } catch (err) {
    if (err instanceof MediaToolError || err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** The EXIF orientation a JPEG's decoder reads from its first frame (1 when it has none). */
async function orientationOf(file: string, signal?: AbortSignal): Promise<number> {
  const frames = await probe(
    file,
    ['-select_streams', 'v:0', '-read_intervals', '%+#1', '-show_entries', 'frame_tags=Orientation'],
    signal,
  );
  const orientation = Number(frames?.frames?.[0]?.tags?.Orientation ?? 1);
  return Number.isInteger(orientation) && orientation >= 1 && orientation <= 8 ? orientation : 1;
}

/** True when ffmpeg decodes the image's first frame without an error. */
async function decodes(file: string, signal?: AbortSignal): Promise<boolean> {
  try {
    const { stderr } = await runTool(
      'ffmpeg',
      ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-frames:v', '1', '-f', 'null', '-'],
      {
        signal,
        step: 'decoding an uploaded image',
        timeoutMs: 30_000,
      },
    );
    return stderr.trim() === '';
  } catch (err) {
    if (err instanceof MediaToolError) return false;
    throw err;
  }
}

/** Identifies `file` and checks it against `limits`: its facts, or why it is refused. */
export async function identifyUpload(file: string, limits: UploadLimits, signal?: AbortSignal): Promise<MediaFacts | Refusal> {
  const brand = await heifBrand(file);
  if (brand) {
    return {
      status: 415,
      reason: `a HEIF/${brand.toUpperCase()} image, which this server's ffmpeg does not decode; send it as JPEG or PNG`,
    };
  }

  const probed = await probe(file, ['-show_format', '-show_streams'], signal);
  const formatName = probed?.format?.format_name ?? '';
  const streams = probed?.streams ?? [];
  const unsupported: Refusal = {
    status: 415,
    reason: 'not an image (JPEG, PNG, WebP) or audio file (MP3, M4A, WAV, WebM/Opus, Ogg) that ffmpeg can read',
  };
  if (!probed || streams.length === 0) return unsupported;

  const imageFormat = IMAGE_FORMATS[formatName];
  if (imageFormat) {
    const picture = streams.find((s) => s.codec_type === 'video');
    const width = picture?.width ?? 0;
    const height = picture?.height ?? 0;
    if (width <= 0 || height <= 0) return unsupported;
    if (width * height > limits.maxPixels) {
      return { status: 422, reason: `${width}x${height} is ${width * height} pixels, more than the limit of ${limits.maxPixels}` };
    }
    if (!(await decodes(file, signal))) return { status: 422, reason: 'the image is damaged: ffmpeg cannot decode it' };
    return { type: 'image', format: imageFormat, width, height, orientation: await orientationOf(file, signal) };
  }

  // Audio: one sound stream, and no picture but an MP3's or M4A's cover art.
  const sound = streams.filter((s) => s.codec_type === 'audio');
  const pictures = streams.filter((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audioFormat = audioFormatOf(formatName, sound[0]?.codec_name);
  if (sound.length !== 1 || pictures.length > 0 || !audioFormat) return unsupported;
  const durationSec = Number(probed.format?.duration ?? sound[0]?.duration ?? 0);
  if (!(durationSec > 0)) return { status: 422, reason: 'the audio has no length ffprobe can read' };
  if (durationSec > limits.maxAudioSec) {
    return { status: 422, reason: `${durationSec.toFixed(1)} s of audio, longer than the limit of ${limits.maxAudioSec} s` };
  }
  return {
    type: 'audio',
    format: audioFormat,
    codec: sound[0]?.codec_name ?? 'unknown',
    durationSec: Math.round(durationSec * 1000) / 1000,
  };
}

function audioFormatOf(formatName: string, codec: string | undefined): AudioFacts['format'] | undefined {
  if (!codec) return undefined;
  if (formatName === 'wav') return codec.startsWith('pcm_') ? 'wav' : undefined;
  if (!AUDIO_CODECS.has(codec)) return undefined;
  if (formatName === 'mp3') return 'mp3';
  if (formatName.startsWith('mov,mp4')) return 'm4a';
  if (formatName === 'matroska,webm') return 'webm';
  if (formatName === 'ogg') return 'ogg';
  return undefined;
}
