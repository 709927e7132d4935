/**
 * A fixed-window request counter per caller, kept in this process's memory. Several API
 * processes each allow the full limit: the limit protects one process and the paid providers
 * behind it from a runaway client, it is not a billing quota (see docs/api.md).
 */
import type { NextFunction, Request, Response } from 'express';
import { HttpError } from './http-error';

/**
 * Who a request is counted against: its tenant once authenticated (`res.locals.principal`), the
 * client address otherwise, as Express derives it under TRUST_PROXY.
 */
export const callerKey = (req: Request, res: Response): string =>
  typeof res.locals.principal === 'string' ? res.locals.principal : `addr:${req.ip ?? 'unknown'}`;

export interface RateLimitOptions {
  limit: number;
  windowSec: number;
  /** What is counted, in the plural, for the 429 message: `creates`, `reads`. */
  counted: string;
  /** Who is counted; `callerKey` by default. */
  keyOf?: (req: Request, res: Response) => string;
  /** Requests the limit applies to; the others pass uncounted. All by default. */
  appliesTo?: (req: Request) => boolean;
  /**
   * Answers that give the request back: it is counted while in flight, so a burst cannot slip
   * past the limit, and uncounted once it ends with one of these statuses (an invalid request).
   */
  refundStatuses?: readonly number[];
  now?: () => number;
}

interface Window {
  start: number;
  count: number;
}

/** Express middleware answering 429 `rate_limited` with `Retry-After` once a caller passes `limit` per window. */
export function rateLimit(options: RateLimitOptions) {
  const now = options.now ?? Date.now;
  const keyOf = options.keyOf ?? callerKey;
  const windowMs = options.windowSec * 1000;
  const refunds = new Set(options.refundStatuses ?? []);
  const windows = new Map<string, Window>();
  let lastSweep = now();

  return (req: Request, res: Response, next: NextFunction): void => {
    if (options.appliesTo && !options.appliesTo(req)) {
      next();
      return;
    }
    const t = now();
    // Dropping finished windows now and then keeps memory bounded by the callers of one window.
    if (t - lastSweep > windowMs) {
      for (const [k, w] of windows) if (t - w.start >= windowMs) windows.delete(k);
      lastSweep = t;
    }
    const key = keyOf(req, res);
    let w = windows.get(key);
    if (!w || t - w.start >= windowMs) {
      w = { start: t, count: 0 };
      windows.set(key, w);
    }
    res.set('RateLimit-Limit', String(options.limit));
    if (w.count >= options.limit) {
      res.set('RateLimit-Remaining', '0');
      const retryAfter = Math.max(1, Math.ceil((w.start + windowMs - t) / 1000));
      next(
        new HttpError(
          429,
          'rate_limited',
          `At most ${options.limit} ${options.counted} per ${options.windowSec} s are allowed; retry in ${retryAfter} s`,
          undefined,
          { 'Retry-After': String(retryAfter) },
        ),
      );
      return;
    }
    w.count += 1;
    res.set('RateLimit-Remaining', String(options.limit - w.count));
    if (refunds.size > 0) {
      const counted = w;
      res.once('close', () => {
        if (refunds.has(res.statusCode) && counted.count > 0) counted.count -= 1;
      });
    }
    next();
  };
}
