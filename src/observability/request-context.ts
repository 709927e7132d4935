/**
 * Gives every API request an id: the caller's `X-Request-Id` when it is a sensible token,
 * otherwise a new UUID, echoed back in the response. Every line logged while the request is
 * handled carries it (and the video id once known), and one line per request says how it ended.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { currentLogContext, withLogContext } from '../shared-node/log-context';
import { logger } from '../shared-node/logger';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** What an id from outside may look like; anything else (too long, odd characters) is replaced. */
const ACCEPTED_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** Probes hit these every few seconds; their lines are debug, not info. */
const QUIET_PATHS = new Set(['/health', '/metrics']);

export function requestContext(): RequestHandler {
  return (req, res, next) => {
    const given = req.get(REQUEST_ID_HEADER);
    const requestId = given && ACCEPTED_ID.test(given) ? given : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const path = req.originalUrl.split('?')[0] ?? '';
    const videoId = /^\/api\/videos\/([^/]+)/.exec(path)?.[1];
    const started = performance.now();
    withLogContext({ requestId, ...(videoId ? { videoId } : {}) }, () => {
      // The context object itself, so that fields added while handling (a new video's id) reach the last
      // line. 'close' comes after every response, also when the client left an event stream early.
      const context = currentLogContext();
      res.once('close', () => {
        const fields = {
          ...context,
          method: req.method,
          path,
          status: res.statusCode,
          durationMs: Math.round(performance.now() - started),
        };
        if (res.statusCode >= 500) logger.error('request finished', fields);
        else if (QUIET_PATHS.has(path)) logger.debug('request finished', fields);
        else logger.info('request finished', fields);
      });
      next();
    });
  };
}
