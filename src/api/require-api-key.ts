/**
 * Bearer-key authentication for `/api` routes when API_KEYS is set. Keys are compared as SHA-256
 * digests with `timingSafeEqual`, against every configured key, so neither the position of the
 * first wrong byte nor which key matched shows in the response time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { HttpError } from './http-error';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** A stable, non-secret name for a key: idempotency and rate limits are scoped by it. */
export const keyPrincipal = (key: string) => `key:${digest(key).toString('hex').slice(0, 16)}`;

/**
 * Express middleware that admits a request only with `Authorization: Bearer <one of keys>` and
 * stores the caller's principal in `res.locals.principal`.
 */
export function requireApiKey(keys: readonly string[]) {
  const digests = keys.map(digest);
  return (req: Request, res: Response, next: NextFunction): void => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    const given = match?.[1];
    if (given !== undefined) {
      const givenDigest = digest(given);
      let found = false;
      for (const d of digests) found = timingSafeEqual(d, givenDigest) || found;
      if (found) {
        res.locals.principal = keyPrincipal(given);
        next();
        return;
      }
    }
    const challenge = given === undefined ? 'Bearer realm="reelflow"' : 'Bearer realm="reelflow", error="invalid_token"';
    next(
      new HttpError(
        401,
        'unauthorized',
        given === undefined ? 'Send Authorization: Bearer <API key>' : 'The API key is not valid',
        undefined,
        {
          'WWW-Authenticate': challenge,
        },
      ),
    );
  };
}
