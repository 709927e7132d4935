/**
 * Reads a media file's length, size and first video/audio stream with ffprobe, so that callers
 * can check renders and compute scene lengths from real narration durations.
 */
import { runTool } from './run-tool';
import { MediaToolError } from './media-tool-error';

export interface MediaInfo {
  durationSec: number;
  sizeBytes: number;
  video?: { codec: string; width: number; height: number; fps: number };
  audio?: { codec: string; sampleRate: number; channels: number };
}

interface ProbeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
  duration?: string;
}

interface ProbeOutput {
  streams?: ProbeStream[];
  format?: { duration?: string; size?: string };
}

/** ffprobe writes rates as fractions ("30000/1001"); "0/0" means unknown. */
function parseRate(rate: string | undefined): number {
  if (!rate) return 0;
  const [num, den] = rate.split('/').map(Number);
  if (num === undefined || !Number.isFinite(num)) return 0;
  if (den === undefined) return num;
  return den > 0 && Number.isFinite(den) ? num / den : 0;
}

function toNumber(value: string | number | undefined): number {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}

/** Probes `path`; rejects with MediaToolError when ffprobe cannot read it. */
export async function probeMedia(path: string, signal?: AbortSignal): Promise<MediaInfo> {
  const { stdout } = await runTool('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path], {
    signal,
    step: 'probing media',
  });
  let parsed: ProbeOutput;
  try {
    parsed = JSON.parse(stdout) as ProbeOutput;
  } catch {
    throw new MediaToolError('ffprobe', 0, stdout.slice(-2048), 'printed output that is not JSON', 'probing media');
  }
  const streams = parsed.streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video');
  const audio = streams.find((s) => s.codec_type === 'audio');
  // Raw streams (e.g. some WAVs) may lack a format duration; fall back to the longest stream.
  const durationSec = toNumber(parsed.format?.duration) || Math.max(0, ...streams.map((s) => toNumber(s.duration)));

  const info: MediaInfo = { durationSec, sizeBytes: toNumber(parsed.format?.size) };
  if (video) {
    info.video = {
      codec: video.codec_name ?? 'unknown',
      width: video.width ?? 0,
      height: video.height ?? 0,
      fps: parseRate(video.avg_frame_rate) || parseRate(video.r_frame_rate),
    };
  }
  if (audio) {
    info.audio = {
      codec: audio.codec_name ?? 'unknown',
      sampleRate: toNumber(audio.sample_rate),
      channels: audio.channels ?? 0,
    };
  }
  return info;
}
