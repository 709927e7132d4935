/**
 * WAV framing for raw PCM. Speech APIs such as Gemini TTS return bare little-endian PCM (L16),
 * which ffmpeg cannot read without being told its layout; a RIFF header carries that layout.
 */

export interface PcmFormat {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
}

const HEADER_BYTES = 44;

/** Wraps little-endian PCM samples in a canonical 44-byte RIFF/WAVE header. */
export function pcmToWav(pcm: Buffer, options: PcmFormat): Buffer {
  const { sampleRate, channels, bitsPerSample } = options;
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`invalid sample rate ${sampleRate}`);
  if (!Number.isInteger(channels) || channels <= 0) throw new RangeError(`invalid channel count ${channels}`);
  if (![8, 16, 24, 32].includes(bitsPerSample)) throw new RangeError(`invalid bits per sample ${bitsPerSample}`);
  const blockAlign = (channels * bitsPerSample) / 8;
  // A trailing partial frame would make players misread the length; drop it.
  const dataBytes = pcm.length - (pcm.length % blockAlign);

  const header = Buffer.alloc(HEADER_BYTES);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(HEADER_BYTES - 8 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // fmt chunk size for PCM
  header.writeUInt16LE(1, 20); // format tag 1 = integer PCM
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * blockAlign, 28); // byte rate
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(bitsPerSample, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return Buffer.concat([header, pcm.subarray(0, dataBytes)]);
}

/** True when `buf` starts with a RIFF/WAVE header, i.e. it is already a WAV file. */
export function isWav(buf: Buffer): boolean {
  return buf.length >= 12 && buf.toString('ascii', 0, 4) === 'RIFF' && buf.toString('ascii', 8, 12) === 'WAVE';
}
