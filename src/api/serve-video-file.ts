/**
 * Serves a finished MP4 with byte ranges, validators and HEAD, answering every bad range with a
 * JSON 416 rather than an error page typed as video. Written here rather than left to `sendFile`,
 * whose range errors arrive as untyped 500s after the video content type is already set.
 *
 * Range rules (RFC 9110 §14): one `bytes` range gets 206; a malformed or unsatisfiable `bytes`
 * range gets 416 with a `Content-Range` that names the size; several ranges get 200 with the whole
 * file (no multipart answers); a Range in another unit is ignored (200), and so is a Range whose
 * `If-Range` no longer matches the file.
 */
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { ArtifactMissingError } from '../storage/artifact-missing-error';
import type { ArtifactStore, ByteRange } from '../storage/artifact-store';
import { HttpError } from './http-error';

export type { ByteRange };

/** What a Range header asks of a file of `size` bytes. */
export type RangeAnswer = { kind: 'whole' } | { kind: 'partial'; range: ByteRange } | { kind: 'unsatisfiable' };

const RANGE_SPEC = /^(\d*)-(\d*)$/;

/** Reads one `first-last`, `first-` or `-suffix` spec; undefined when it is malformed or empty. */
function parseSpec(spec: string, size: number): ByteRange | 'unsatisfiable' | undefined {
  const match = RANGE_SPEC.exec(spec.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: last === '' ? size - 1 : Math.min(Number(last), size - 1) };
}

/** Decides what a `Range` header value asks of a file of `size` bytes. */
export function parseRange(header: string | undefined, size: number): RangeAnswer {
  if (header === undefined) return { kind: 'whole' };
  const eq = header.indexOf('=');
  const unit = eq > 0 ? header.slice(0, eq).trim() : '';
  // A well-formed range in a unit this server does not know is ignored, as RFC 9110 requires.
  if (/^[A-Za-z][A-Za-z0-9._-]*$/.test(unit) && unit.toLowerCase() !== 'bytes') return { kind: 'whole' };
  if (unit.toLowerCase() !== 'bytes') return { kind: 'unsatisfiable' };
  const specs = header
    .slice(eq + 1)
    .split(',')
    .map((spec) => spec.trim())
    .filter((spec) => spec !== '');
  if (specs.length === 0) return { kind: 'unsatisfiable' };
  const parsed = specs.map((spec) => parseSpec(spec, size));
  if (parsed.some((p) => p === undefined)) return { kind: 'unsatisfiable' };
  const satisfiable = parsed.filter((p): p is ByteRange => typeof p === 'object');
  if (satisfiable.length === 0) return { kind: 'unsatisfiable' };
  if (parsed.length > 1) return { kind: 'whole' };
  return { kind: 'partial', range: satisfiable[0] as ByteRange };
}

/** Thrown when the file should exist but does not; the route turns it into its own answer. */
export class VideoFileMissingError extends Error {
  constructor() {
    super('The video file is missing');
    this.name = 'VideoFileMissingError';
  }
}

/** True when an `If-None-Match` list names `etag` (weak comparison, as RFC 9110 asks here). */
function matchesAny(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/**
 * Answers a GET or HEAD for the stored file `name` of a video (the MP4 unless `contentType` says
 * otherwise), from whichever store holds it.
 * Rejects with VideoFileMissingError when it is gone, and with HttpError 416 for a range it
 * cannot serve.
 */
export async function serveVideoFile(
  req: Request,
  res: Response,
  store: ArtifactStore,
  videoId: string,
  name: string,
  contentType = 'video/mp4',
): Promise<void> {
  const info = await store.info(videoId, name);
  if (!info) throw new VideoFileMissingError();
  const { size, etag } = info;
  const lastModified = info.modified.toUTCString();
  res.set({ 'Accept-Ranges': 'bytes', ETag: etag, 'Last-Modified': lastModified, 'Cache-Control': 'private, no-cache' });

  const ifNoneMatch = req.get('If-None-Match');
  const ifModifiedSince = req.get('If-Modified-Since');
  const notModified =
    ifNoneMatch !== undefined
      ? matchesAny(ifNoneMatch, etag)
      : ifModifiedSince !== undefined && Math.floor(info.modified.getTime() / 1000) <= Math.floor(Date.parse(ifModifiedSince) / 1000);
  if (notModified) {
    res.status(304).end();
    return;
  }

  // A stale If-Range means the client's partial copy is of another file: send the whole new one.
  const ifRange = req.get('If-Range')?.trim();
  const rangeHeader = ifRange === undefined || ifRange === etag || ifRange === lastModified ? req.get('Range') : undefined;
  const answer = parseRange(rangeHeader, size);
  if (answer.kind === 'unsatisfiable') {
    throw new HttpError(416, 'range_not_satisfiable', `The range cannot be served from a file of ${size} bytes`, undefined, {
      'Content-Range': `bytes */${size}`,
    });
  }
  const range = answer.kind === 'partial' ? answer.range : size > 0 ? { start: 0, end: size - 1 } : undefined;
  if (req.method === 'HEAD' || !range) {
    sendHead(res, answer, range, size, contentType);
    res.end();
    return;
  }
  let body;
  try {
    body = await store.read(videoId, name, range);
  } catch (err) {
    if (err instanceof ArtifactMissingError) throw new VideoFileMissingError();
    throw err;
  }
  sendHead(res, answer, range, size, contentType);
  try {
    await pipeline(body, res);
  } catch (err) {
    // A client that leaves mid-download is not an error; anything else ends the response early.
    if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
  }
}

function sendHead(res: Response, answer: RangeAnswer, range: ByteRange | undefined, size: number, contentType: string): void {
  res.status(answer.kind === 'partial' ? 206 : 200).type(contentType);
  res.set('Content-Length', String(range ? range.end - range.start + 1 : 0));
  if (answer.kind === 'partial') res.set('Content-Range', `bytes ${answer.range.start}-${answer.range.end}/${size}`);
}
