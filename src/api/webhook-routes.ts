/**
 * `POST /api/webhooks/videos`: starts a video for a system that signs its requests instead of
 * holding an API key. The signature is `sha256=<hex HMAC-SHA256>` under WEBHOOK_SECRET of
 * `<timestamp>.<delivery id>.<raw body>` (the Stripe and Slack scheme): the delivery id is the
 * idempotency key, so a replay starts nothing, and as it is signed a captured delivery cannot be
 * sent again under a new id; the timestamp must be within WEBHOOK_TOLERANCE_SEC of this server's
 * clock, so a captured delivery stops working minutes after it was sent.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { HttpError, notFound } from './http-error';
import { createVideoBodySchema, type CreateVideoBody } from './schemas';
import type { StatusContext } from './status-body';
import { validate } from './validate';
import type { VideoService } from './video-service';

export const SIGNATURE_HEADER = 'X-Reelflow-Signature';
export const DELIVERY_HEADER = 'X-Reelflow-Delivery';
export const TIMESTAMP_HEADER = 'X-Reelflow-Timestamp';
/** Idempotency scope of webhook deliveries, apart from every API key's. */
const WEBHOOK_PRINCIPAL = 'webhook';

export interface WebhookRoutesDeps {
  secret: string | undefined;
  bodyLimit: string;
  service: VideoService;
  statusContext(req: Request): StatusContext;
  /** Counts verified deliveries, all under one `webhook` principal. */
  createLimit: RequestHandler;
  /** How far, in seconds, a delivery's timestamp may be from this server's clock. @default 300 (WEBHOOK_TOLERANCE_SEC) */
  toleranceSec: number;
  now?: () => number;
}

/** What a sender signs: a delivery's Unix time in seconds, its id, and its exact body bytes. */
export interface WebhookDelivery {
  timestamp: number;
  deliveryId: string;
  body: Buffer | string;
}

const hmac = (secret: string, d: WebhookDelivery) =>
  createHmac('sha256', secret).update(`${d.timestamp}.${d.deliveryId}.`).update(d.body).digest();

/** The X-Reelflow-Signature value a sender computes for a delivery. */
export function signWebhookBody(secret: string, delivery: WebhookDelivery): string {
  return `sha256=${hmac(secret, delivery).toString('hex')}`;
}

function verifySignature(secret: string, delivery: WebhookDelivery, header: string | undefined): boolean {
  const given = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '')?.[1];
  if (!given) return false;
  return timingSafeEqual(hmac(secret, delivery), Buffer.from(given, 'hex'));
}

const badSignature = (message: string) => new HttpError(401, 'invalid_signature', message);

export function webhookRoutes(deps: WebhookRoutesDeps): Router {
  const router = Router();
  // The signature covers the exact bytes sent, so the body is read raw and parsed only once verified.
  const rawBody = express.raw({ type: () => true, limit: deps.bodyLimit });

  /** Only verified, well-formed deliveries reach the rate limit, so forged ones cannot use it up. */
  const verifyDelivery = (req: Request, res: Response, next: NextFunction): void => {
    const { secret } = deps;
    if (!secret) throw notFound('Route');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const delivery = req.get(DELIVERY_HEADER);
    if (!delivery || !/^[\x21-\x7e]{1,255}$/.test(delivery)) {
      throw new HttpError(400, 'invalid_request', `${DELIVERY_HEADER} must be 1 to 255 visible ASCII characters`);
    }
    const stamp = req.get(TIMESTAMP_HEADER)?.trim() ?? '';
    if (!/^\d{1,12}$/.test(stamp)) {
      throw badSignature(`${TIMESTAMP_HEADER} must be the Unix time in seconds at which the delivery was signed`);
    }
    const timestamp = Number(stamp);
    if (!verifySignature(secret, { timestamp, deliveryId: delivery, body }, req.get(SIGNATURE_HEADER))) {
      throw badSignature(`${SIGNATURE_HEADER} must be sha256=<hex HMAC-SHA256 of "<timestamp>.<delivery id>.<raw body>">`);
    }
    // Checked once the signature holds, so only the secret's holder learns about its clock.
    const skew = Math.floor((deps.now ?? Date.now)() / 1000) - timestamp;
    if (Math.abs(skew) > deps.toleranceSec) {
      const when = skew > 0 ? `${skew} s ago` : `${-skew} s in the future`;
      throw new HttpError(
        401,
        'stale_delivery',
        `The delivery was signed ${when}; deliveries are accepted within ${deps.toleranceSec} s of this server's clock. Sign each delivery as it is sent`,
      );
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, 'invalid_request', 'The body is not valid JSON');
    }
    res.locals.delivery = { id: delivery, input: validate(createVideoBodySchema, payload, 'body') };
    res.locals.principal = WEBHOOK_PRINCIPAL;
    next();
  };

  router.post('/videos', rawBody, verifyDelivery, deps.createLimit, async (req: Request, res: Response) => {
    const delivery = res.locals.delivery as { id: string; input: CreateVideoBody };
    const outcome = await deps.service.start(delivery.input, { key: delivery.id, scope: WEBHOOK_PRINCIPAL });
    const status = await deps.service.status(outcome.videoId, deps.statusContext(req));
    res
      .status(outcome.created ? 202 : 200)
      .location(`/api/videos/${outcome.videoId}`)
      .json(status);
  });

  return router;
}
