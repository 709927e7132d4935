/**
 * Bearer-key authentication for `/api` routes when API_KEYS is set. Keys are compared as SHA-256
 * digests with `timingSafeEqual`, against every configured key, so neither the position of the
 * first wrong byte nor which key matched shows in the response time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { bareKeyTenant, OPEN_CALLER, type ApiKey, type Caller } from './api-keys';
import { HttpError } from './http-error';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** The caller a request was admitted as; the open caller when the API needs no key. */
export const callerOf = (res: Response): Caller => (res.locals.caller as Caller | undefined) ?? OPEN_CALLER;

/**
 * Express middleware that admits a request only with `Authorization: Bearer <one of keys>` and
 * stores who is calling in `res.locals.caller`, and its tenant in `res.locals.principal` (what
 * idempotency and rate limits are scoped by). Bare strings are keys of a tenant of their own.
 */
export function requireApiKey(keys: readonly (ApiKey | string)[]) {
  const entries = keys.map((k) => (typeof k === 'string' ? { tenant: bareKeyTenant(k), key: k, admin: false } : k));
  const digests = entries.map((k) => digest(k.key));
  return (req: Request, res: Response, next: NextFunction): void => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    const given = match?.[1];
    if (given !== undefined) {
      const givenDigest = digest(given);
      let found: ApiKey | undefined;
      // Every key is compared, so the time taken does not tell which one matched.
      for (const [i, d] of digests.entries()) if (timingSafeEqual(d, givenDigest)) found = entries[i];
      if (found) {
        const caller: Caller = { tenant: found.tenant, seesAll: found.admin, quotaExempt: found.admin };
        res.locals.caller = caller;
        res.locals.principal = caller.tenant;
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
