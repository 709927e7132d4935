/**
 * `POST /api/webhooks/videos`: starts a video for a system that signs its requests instead of
 * holding an API key. The signature is `sha256=<hex HMAC-SHA256 of the raw body>` under
 * WEBHOOK_SECRET; the delivery id is the idempotency key, so a replayed delivery starts nothing.
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
/** Idempotency scope of webhook deliveries, apart from every API key's. */
const WEBHOOK_PRINCIPAL = 'webhook';

export interface WebhookRoutesDeps {
  secret: string | undefined;
  bodyLimit: string;
  service: VideoService;
  statusContext(req: Request): StatusContext;
  /** Counts verified deliveries, all under one `webhook` principal. */
  createLimit: RequestHandler;
}

/** The signature header value a sender computes for `rawBody`. */
export function signWebhookBody(secret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

function verifySignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  const given = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? '')?.[1];
  if (!given) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}

export function webhookRoutes(deps: WebhookRoutesDeps): Router {
  const router = Router();
  // The signature covers the exact bytes sent, so the body is read raw and parsed only once verified.
  const rawBody = express.raw({ type: () => true, limit: deps.bodyLimit });

  /** Only verified, well-formed deliveries reach the rate limit, so forged ones cannot use it up. */
  const verifyDelivery = (req: Request, res: Response, next: NextFunction): void => {
    const { secret } = deps;
    if (!secret) throw notFound('Route');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!verifySignature(secret, body, req.get(SIGNATURE_HEADER))) {
      throw new HttpError(401, 'invalid_signature', `${SIGNATURE_HEADER} must be sha256=<hex HMAC-SHA256 of the raw body>`);
    }
    const delivery = req.get(DELIVERY_HEADER);
    if (!delivery || !/^[\x21-\x7e]{1,255}$/.test(delivery)) {
      throw new HttpError(400, 'invalid_request', `${DELIVERY_HEADER} must be 1 to 255 visible ASCII characters`);
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
