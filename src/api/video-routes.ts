/** The `/api/videos` routes. Each validates its input, calls VideoService, and shapes the answer. */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import { text } from 'node:stream/consumers';
import { SUBTITLES_FILE, THUMBNAIL_FILE, VIDEO_FILE } from '../activities/render-video';
import { srtToWebVtt } from '../media/subtitles';
import { ArtifactMissingError } from '../storage/artifact-missing-error';
import type { ArtifactStore } from '../storage/artifact-store';
import { HttpError } from './http-error';
import { callerOf } from './require-api-key';
import { listVideos } from './list-videos';
import { serveVideoFile, VideoFileMissingError } from './serve-video-file';
import { createVideoBodySchema, listQuerySchema, revisionBodySchema, scriptSchema, subtitlesQuerySchema } from './schemas';
import type { StatusBroadcaster } from './status-broadcaster';
import type { StatusContext } from './status-body';
import { validate } from './validate';
import type { VideoService } from './video-service';
import { streamStatusEvents } from './status-events';

export interface VideoRoutesDeps {
  client: Client;
  config: Config;
  service: VideoService;
  store: ArtifactStore;
  broadcaster: StatusBroadcaster;
  /** Bases of the links in a status; from configuration, the same for every request. */
  statusContext(req: Request): StatusContext;
  /** Who is calling, for scoping idempotency keys; the API key when keys are required. */
  principal(req: Request, res: Response): string;
  /** Counts creates per caller and answers 429 past the limit. */
  createLimit: RequestHandler;
}

const idParam = (req: Request) => {
  const id = String(req.params.id);
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(id)) throw new HttpError(404, 'not_found', 'Video was not found');
  return id;
};

export function videoRoutes(deps: VideoRoutesDeps): Router {
  const router = Router();
  /** Every video route works on the caller's view: another tenant's video is a 404. */
  const videos = (res: Response) => deps.service.as(callerOf(res));

  /** The Idempotency-Key of a start, scoped by caller; undefined when none was sent. */
  const idempotencyOf = (req: Request, res: Response) => {
    const key = req.get('Idempotency-Key');
    if (key !== undefined && (key.length === 0 || key.length > 255)) {
      throw new HttpError(400, 'invalid_request', 'Idempotency-Key must be 1 to 255 characters');
    }
    return key ? { key, scope: deps.principal(req, res) } : undefined;
  };

  router.post('/', deps.createLimit, async (req: Request, res: Response) => {
    if (!req.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json');
    const body = validate(createVideoBodySchema, req.body, 'body');
    const outcome = await videos(res).start(body, idempotencyOf(req, res));
    const status = await videos(res).status(outcome.videoId, deps.statusContext(req));
    res
      .status(outcome.created ? 202 : 200)
      .location(`/api/videos/${outcome.videoId}`)
      .json(status);
  });

  router.get('/', async (req: Request, res: Response) => {
    const query = validate(listQuerySchema, req.query, 'query');
    const caller = callerOf(res);
    if (!caller.seesAll && query.tenant !== undefined && query.tenant !== caller.tenant) {
      throw new HttpError(403, 'forbidden', "query.tenant: only admin keys may list another tenant's videos");
    }
    const tenant = caller.seesAll ? query.tenant : caller.tenant;
    const request = { ...query, tenant, maxScan: deps.config.api.listMaxScan };
    const page = await listVideos(deps.client, deps.config.temporal.taskQueue, request, deps.statusContext(req));
    res.json({ ...page, items: page.items.filter((item) => !deps.service.deleted.has(item.id)) });
  });

  router.get('/:id', async (req: Request, res: Response) => {
    res.json(await videos(res).status(idParam(req), deps.statusContext(req)));
  });

  router.post('/:id/cancel', async (req: Request, res: Response) => {
    const id = idParam(req);
    await videos(res).cancel(id);
    res.status(202).json(await videos(res).status(id, deps.statusContext(req)));
  });

  router.post('/:id/retry', deps.createLimit, async (req: Request, res: Response) => {
    const outcome = await videos(res).retry(idParam(req), idempotencyOf(req, res));
    const status = await videos(res).status(outcome.videoId, deps.statusContext(req));
    res
      .status(outcome.created ? 202 : 200)
      .location(`/api/videos/${outcome.videoId}`)
      .json(status);
  });

  router.post('/:id/revisions', deps.createLimit, async (req: Request, res: Response) => {
    if (!req.is('application/json')) throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json');
    const edit = validate(revisionBodySchema, req.body, 'body');
    const outcome = await videos(res).revise(idParam(req), edit, idempotencyOf(req, res));
    const status = await videos(res).status(outcome.videoId, deps.statusContext(req));
    res
      .status(outcome.created ? 202 : 200)
      .location(`/api/videos/${outcome.videoId}`)
      .json(status);
  });

  router.delete('/:id', async (req: Request, res: Response) => {
    await videos(res).delete(idParam(req), deps.store);
    res.status(204).end();
  });

  router.get('/:id/events', async (req: Request, res: Response) => {
    const id = idParam(req);
    await videos(res).describe(id);
    streamStatusEvents(req, res, deps.broadcaster, id, deps.config.api.sseKeepAliveMs);
  });

  router.get('/:id/script', async (req: Request, res: Response) => {
    res.json(await videos(res).script(idParam(req)));
  });

  router.put('/:id/script', async (req: Request, res: Response) => {
    const script = validate(scriptSchema, req.body, 'body');
    res.json(await videos(res).editScript(idParam(req), script));
  });

  router.post('/:id/approve', async (req: Request, res: Response) => {
    const id = idParam(req);
    await videos(res).approve(id);
    res.status(202).json(await videos(res).status(id, deps.statusContext(req)));
  });

  /** The id of a completed video of the caller's; 404 `not_ready` before then. */
  const completedVideo = async (req: Request, res: Response, what: string) => {
    const id = idParam(req);
    const status = await videos(res).status(id, deps.statusContext(req));
    if (status.status !== 'completed') {
      throw new HttpError(404, 'not_ready', `Video ${id} is ${status.status}; the ${what} exists once it is completed`);
    }
    return id;
  };
  const gone = (id: string, what: string) => new HttpError(410, 'video_gone', `Video ${id} completed, but its ${what} is no longer stored`);

  router.get('/:id/thumbnail', async (req: Request, res: Response) => {
    const id = await completedVideo(req, res, 'thumbnail');
    try {
      await serveVideoFile(req, res, deps.store, id, THUMBNAIL_FILE, 'image/jpeg');
    } catch (err) {
      if (!(err instanceof VideoFileMissingError)) throw err;
      throw gone(id, 'thumbnail');
    }
  });

  router.get('/:id/subtitles', async (req: Request, res: Response) => {
    const { format } = validate(subtitlesQuerySchema, req.query, 'query');
    const id = await completedVideo(req, res, 'subtitle file');
    if (format === 'srt') {
      try {
        await serveVideoFile(req, res, deps.store, id, SUBTITLES_FILE, 'application/x-subrip; charset=utf-8');
      } catch (err) {
        if (!(err instanceof VideoFileMissingError)) throw err;
        throw gone(id, 'subtitle file');
      }
      return;
    }
    // WebVTT, for a browser's <track>: made from the stored SRT, which is a few kilobytes.
    let srt: string;
    try {
      srt = await text(await deps.store.read(id, SUBTITLES_FILE));
    } catch (err) {
      if (!(err instanceof ArtifactMissingError)) throw err;
      throw gone(id, 'subtitle file');
    }
    res.set('Cache-Control', 'private, no-cache').type('text/vtt; charset=utf-8').send(srtToWebVtt(srt));
  });

  router.get('/:id/video', async (req: Request, res: Response) => {
    const id = await completedVideo(req, res, 'MP4');
    // The store refuses any id or name that could leave MEDIA_ROOT or the bucket's prefix.
    const { s3 } = deps.config.artifacts;
    if (deps.store.kind === 's3' && s3.downloads === 'redirect') {
      if (!(await deps.store.info(id, VIDEO_FILE))) throw gone(id, 'file');
      const url = await deps.store.downloadUrl(id, VIDEO_FILE, s3.urlExpiresSec);
      if (url) {
        // The signed URL expires, so neither it nor this answer may be cached.
        res.set('Cache-Control', 'no-store').redirect(302, url);
        return;
      }
    }
    try {
      await serveVideoFile(req, res, deps.store, id, VIDEO_FILE);
    } catch (err) {
      if (!(err instanceof VideoFileMissingError)) throw err;
      throw gone(id, 'file');
    }
  });

  return router;
}
