/**
 * A fixed-window request counter per caller, kept in this process's memory. Several API
 * processes each allow the full limit: the limit protects one process and the paid providers
 * behind it from a runaway client, it is not a billing quota (see docs/api.md).
 */
import type { NextFunction, Request, Response } from 'express';
import { HttpError } from './http-error';

export interface RateLimitOptions {
  limit: number;
  windowSec: number;
  /** Who is counted: the API key's principal, or the client address. */
  keyOf(req: Request, res: Response): string;
  now?: () => number;
}

/** Express middleware answering 429 with `Retry-After` once a caller passes `limit` per window. */
export function rateLimit(options: RateLimitOptions) {
  const now = options.now ?? Date.now;
  const windowMs = options.windowSec * 1000;
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = now();

  return (req: Request, res: Response, next: NextFunction): void => {
    const t = now();
    // Dropping finished windows now and then keeps memory bounded by the callers of one window.
    if (t - lastSweep > windowMs) {
      for (const [k, w] of windows) if (t - w.start >= windowMs) windows.delete(k);
      lastSweep = t;
    }
    const key = options.keyOf(req, res);
    let w = windows.get(key);
    if (!w || t - w.start >= windowMs) {
      w = { start: t, count: 0 };
      windows.set(key, w);
    }
    w.count += 1;
    res.set('RateLimit-Limit', String(options.limit));
    res.set('RateLimit-Remaining', String(Math.max(0, options.limit - w.count)));
    if (w.count <= options.limit) {
      next();
      return;
    }
    const retryAfter = Math.max(1, Math.ceil((w.start + windowMs - t) / 1000));
    next(
      new HttpError(
        429,
        'rate_limited',
        `At most ${options.limit} videos may be created per ${options.windowSec} s; retry later`,
        undefined,
        {
          'Retry-After': String(retryAfter),
        },
      ),
    );
  };
}
