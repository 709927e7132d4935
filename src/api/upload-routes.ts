/**
 * `POST /api/uploads`: images and audio for slideshows, sent as multipart parts named `file`.
 * Each part streams into a working file of the artifact store (memory holds one chunk at a time,
 * whatever the size), is identified by ffprobe, and is published only when every part of the
 * request was accepted: a request is all or nothing, so a refused one stores nothing and a client
 * can send it again once the named file is fixed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { ArtifactStore } from '../storage/artifact-store';
import { identifyUpload, type UploadLimits } from '../uploads/identify-upload';
import { newUploadId, readUpload, saveUpload, uploadFileName, type UploadRecord } from '../uploads/upload-records';
import { HttpError, notFound } from './http-error';
import { callerOf } from './require-api-key';

export interface UploadRoutesDeps {
  store: ArtifactStore;
  limits: UploadLimits;
  /** Uploads count against the create rate limit, like starting a video. */
  createLimit: RequestHandler;
}

/** One file part as received: where its bytes are, or why it was refused while streaming. */
interface ReceivedPart {
  id: string;
  name: string;
  file: string;
  bytes: number;
  tooLarge: boolean;
}

/** The part's file name as shown back to its sender: no folders, no control characters, bounded. */
function displayName(filename: string | undefined, position: number): string {
  // eslint-disable-next-line no-control-regex
  const base = path.basename((filename ?? '').replace(/\\/g, '/')).replace(/[\u0000-\u001f\u007f]/g, '');
  return base.slice(0, 200) || `file ${position + 1}`;
}

/** The public view of an upload: its record without the owner. */
function uploadBody(record: UploadRecord) {
  const { tenant: _tenant, file: _file, ...body } = record;
  return body;
}

export function uploadRoutes(deps: UploadRoutesDeps): Router {
  const router = Router();
  const { store, limits } = deps;

  router.post('/', deps.createLimit, async (req: Request, res: Response) => {
    if (!req.is('multipart/form-data')) {
      throw new HttpError(415, 'unsupported_media_type', 'Send the files as multipart/form-data, each in a part named "file"');
    }
    const parts = await receiveParts(req, store, limits);
    try {
      const records: UploadRecord[] = [];
      // One at a time: ffprobe and a decode per file, so a large request does not take every core.
      for (const part of parts) {
        const facts = await identifyUpload(part.file, limits);
        if ('status' in facts) {
          throw new HttpError(facts.status, 'upload_refused', `${part.name}: ${facts.reason}`, { file: part.name, reason: facts.reason });
        }
        records.push({
          ...facts,
          id: part.id,
          tenant: callerOf(res).tenant,
          name: part.name,
          bytes: part.bytes,
          file: uploadFileName(facts),
          createdAt: new Date().toISOString(),
        });
      }
      for (const [i, record] of records.entries()) await saveUpload(store, record, parts[i]!.file);
      res.status(201).json({ uploads: records.map(uploadBody) });
    } catch (err) {
      await Promise.all(parts.map((p) => store.remove(p.id)));
      throw err;
    }
  });

  router.get('/:id', async (req: Request, res: Response) => {
    const id = String(req.params.id);
    const record = await readUpload(store, id);
    const caller = callerOf(res);
    // Another tenant's upload answers exactly as a missing one does.
    if (!record || (!caller.seesAll && record.tenant !== caller.tenant)) throw notFound(`Upload ${id}`);
    res.json(uploadBody(record));
  });

  return router;
}

/**
 * Streams every part of the request to the store's working files. Rejects with a 4xx naming the
 * part for anything that is not a file part named `file`, past the count limit, or a malformed
 * body, once every file written so far is removed.
 */
async function receiveParts(req: Request, store: ArtifactStore, limits: UploadLimits): Promise<ReceivedPart[]> {
  const parts: ReceivedPart[] = [];
  const writes: Promise<void>[] = [];
  let refusal: HttpError | undefined;
  const refuse = (error: HttpError) => {
    refusal ??= error;
  };

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      limits: { files: limits.maxFiles, fileSize: limits.maxFileBytes, fields: 20, fieldSize: 1024, parts: limits.maxFiles + 20 },
    });
  } catch (err) {
    throw new HttpError(400, 'invalid_request', `The multipart body cannot be read: ${(err as Error).message}`);
  }

  const done = new Promise<void>((resolve, reject) => {
    parser.on('file', (field, stream, info) => {
      const name = displayName(info.filename, parts.length);
      if (field !== 'file' || refusal) {
        if (field !== 'file')
          refuse(new HttpError(400, 'invalid_request', `Part "${field}" (${name}): every file must be a part named "file"`));
        stream.resume();
        return;
      }
      const part: ReceivedPart = { id: newUploadId(), name, file: '', bytes: 0, tooLarge: false };
      parts.push(part);
      stream.on('limit', () => {
        part.tooLarge = true;
        refuse(
          new HttpError(413, 'upload_refused', `${name}: larger than the limit of ${limits.maxFileBytes} bytes`, {
            file: name,
            reason: `larger than the limit of ${limits.maxFileBytes} bytes`,
          }),
        );
      });
      writes.push(
        (async () => {
          part.file = await store.tempPath(part.id, 'original.bin');
          await pipeline(stream, fs.createWriteStream(part.file));
          part.bytes = (await fs.promises.stat(part.file)).size;
        })(),
      );
    });
    parser.on('field', (field) =>
      refuse(new HttpError(400, 'invalid_request', `Part "${field}" is not a file: send each file as a part named "file"`)),
    );
    parser.on('filesLimit', () =>
      refuse(new HttpError(413, 'too_many_files', `At most ${limits.maxFiles} files may be sent in one request`)),
    );
    parser.on('partsLimit', () =>
      refuse(new HttpError(413, 'too_many_files', `At most ${limits.maxFiles} files may be sent in one request`)),
    );
    parser.on('fieldsLimit', () => refuse(new HttpError(400, 'invalid_request', 'Too many non-file parts')));
    parser.on('error', (err: Error) => reject(new HttpError(400, 'invalid_request', `The multipart body cannot be read: ${err.message}`)));
    parser.on('close', resolve);
  });
  req.pipe(parser);

  // The parser closes once every part has been seen, so every write has begun by then; each ends
  // with its part (busboy destroys an open part's stream when the body cannot be read).
  const settled = [...(await Promise.allSettled([done])), ...(await Promise.allSettled(writes))];
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  const error: Error | undefined =
    (failure?.reason as Error | undefined) ??
    refusal ??
    (parts.length === 0 ? new HttpError(400, 'invalid_request', 'Send at least one part named "file"') : undefined);
  if (error) {
    req.unpipe(parser);
    req.resume();
    await Promise.all(parts.map((p) => store.remove(p.id)));
    throw error;
  }
  return parts;
}
