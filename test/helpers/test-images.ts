/**
 * Generated pictures for slideshow and upload tests: solid or split colour images in any format
 * ffmpeg writes, a JPEG with an EXIF orientation, and readers of a rendered frame's pixels and
 * brightness. No fixture files.
 */
import fs from 'node:fs/promises';
import { runTool } from '../../src/media/run-tool';

/** An image of `width`x`height`: `left` on the left half and `right` on the right half (ffmpeg colour names). */
export async function makeSplitImage(outPath: string, width: number, height: number, left: string, right = left): Promise<void> {
  const half = Math.floor(width / 2);
  await runTool('ffmpeg', [
    ...[
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `color=c=${left}:s=${width}x${height},drawbox=x=${half}:y=0:w=${width - half}:h=${height}:c=${right}:t=fill`,
    ],
    ...['-frames:v', '1', outPath],
  ]);
}

/**
 * A copy of a JPEG with an EXIF block whose Orientation tag is `orientation` (1–8): the APP1
 * segment a camera writes, inserted after the start-of-image marker.
 */
export async function withExifOrientation(jpegPath: string, outPath: string, orientation: number): Promise<void> {
  const jpeg = await fs.readFile(jpegPath);
  // A little-endian TIFF header and IFD0 with one SHORT entry: 0x0112 Orientation.
  const tiff = Buffer.alloc(26);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(1, 8);
  tiff.writeUInt16LE(0x0112, 10);
  tiff.writeUInt16LE(3, 12);
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt16LE(orientation, 18);
  tiff.writeUInt32LE(0, 22);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
  const marker = Buffer.alloc(4);
  marker.writeUInt16BE(0xffe1, 0);
  marker.writeUInt16BE(body.length + 2, 2);
  await fs.writeFile(outPath, Buffer.concat([jpeg.subarray(0, 2), marker, body, jpeg.subarray(2)]));
}

/** The RGB value of pixel (x, y) of the frame shown at `atSec`. */
export async function pixelAt(videoPath: string, atSec: number, x: number, y: number): Promise<[number, number, number]> {
  const raw = `${videoPath}.${x}-${y}-${atSec}.rgb`;
  await runTool('ffmpeg', [
    ...['-v', 'error', '-y', '-ss', atSec.toFixed(3), '-i', videoPath, '-frames:v', '1'],
    ...['-vf', `format=rgb24,crop=1:1:${x}:${y}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', raw],
  ]);
  const bytes = await fs.readFile(raw);
  await fs.rm(raw, { force: true });
  return [bytes[0] ?? 0, bytes[1] ?? 0, bytes[2] ?? 0];
}

/** The mean luma (0–255) of every frame, in order. */
export async function frameBrightness(videoPath: string): Promise<number[]> {
  const { stdout } = await runTool('ffmpeg', [
    ...['-v', 'error', '-i', videoPath, '-vf', 'signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-'],
    ...['-f', 'null', '-'],
  ]);
  return [...stdout.matchAll(/lavfi\.signalstats\.YAVG=([\d.]+)/g)].map((m) => Number(m[1]));
}

/**
 * The opening boxes of a HEIC photo as a phone writes it: `ftyp` (major brand `heic`, compatible
 * `mif1` and `heic`) and a `meta` box whose handler is `pict`, with no image data after them. No
 * HEIC encoder is available here; the header is what identifies such a file, and a still HEIC has
 * no `moov` box, which is where Debian 12's ffprobe gives up on a real one too.
 */
export function heicHeader(): Buffer {
  const box = (type: string, payload: Buffer) => {
    const size = Buffer.alloc(4);
    size.writeUInt32BE(8 + payload.length);
    return Buffer.concat([size, Buffer.from(type, 'latin1'), payload]);
  };
  const fullBox = (type: string, payload: Buffer) => box(type, Buffer.concat([Buffer.alloc(4), payload]));
  const ftyp = box('ftyp', Buffer.concat([Buffer.from('heic', 'latin1'), Buffer.alloc(4), Buffer.from('mif1heic', 'latin1')]));
  const hdlr = fullBox('hdlr', Buffer.concat([Buffer.alloc(4), Buffer.from('pict', 'latin1'), Buffer.alloc(13)]));
  return Buffer.concat([ftyp, fullBox('meta', hdlr)]);
}
