/**
 * The codec endpoint (`POST <mount>/decode`, `POST <mount>/encode`) of the Temporal codec server
 * protocol, so the Web UI and `temporal workflow show --codec-endpoint` can show encrypted
 * payloads in clear. It decrypts workflow data, so it answers only a bearer key from API_KEYS
 * (the UI forwards one with its "pass access token" setting, the CLI with `--codec-auth`), and
 * only browsers on the configured origins may read its answers.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { PayloadCodec } from '@temporalio/common';
import { HttpError } from '../api/http-error';
import { requireApiKey } from '../api/require-api-key';
import { validate } from '../api/validate';
import { PayloadDecryptionError } from './encryption-codec';
import { payloadFromJson, payloadsBodySchema, payloadToJson } from './payload-json';

export interface CodecRoutesOptions {
  codec: PayloadCodec;
  /** Bearer keys allowed to use the endpoint; none means nobody may. */
  apiKeys: readonly string[];
  /** Origins whose pages may call the endpoint (the Web UI's), e.g. `http://localhost:8233`. */
  corsOrigins: readonly string[];
}

/** A history's largest payloads are a few hundred kB (a script); the server caps one at 2 MB. */
const BODY_LIMIT = '8mb';

/** CORS for the Web UI: its requests carry `Authorization` and `X-Namespace`, so each is preflighted. */
function allowOrigins(origins: readonly string[]) {
  const allowed = new Set(origins);
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.get('origin');
    res.vary('Origin');
    if (origin && allowed.has(origin)) {
      res.set('Access-Control-Allow-Origin', origin);
      res.set('Access-Control-Allow-Credentials', 'true');
      if (req.method === 'OPTIONS') {
        res.set('Access-Control-Allow-Methods', 'POST, OPTIONS');
        res.set('Access-Control-Allow-Headers', req.get('access-control-request-headers') ?? 'authorization, content-type, x-namespace');
        res.set('Access-Control-Max-Age', '600');
        res.status(204).end();
        return;
      }
    } else if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  };
}

function refuseAll(_req: Request, _res: Response, next: NextFunction): void {
  next(new HttpError(403, 'codec_locked', 'The codec endpoint decrypts workflow data, so it is served only when API_KEYS is set'));
}

/** The Express router of the codec endpoint; mount it where the UI's codec endpoint URL points. */
export function codecRoutes(options: CodecRoutesOptions): Router {
  const router = express.Router();
  router.use(allowOrigins(options.corsOrigins));
  router.use(options.apiKeys.length > 0 ? requireApiKey(options.apiKeys) : refuseAll);
  // Parsed only after authentication, so an anonymous caller cannot make the API read a body.
  router.use(express.json({ limit: BODY_LIMIT }));
  const transform = (direction: 'encode' | 'decode') => async (req: Request, res: Response) => {
    const body = validate(payloadsBodySchema, req.body, 'body');
    try {
      const payloads = await options.codec[direction](body.payloads.map(payloadFromJson));
      res.json({ payloads: payloads.map(payloadToJson) });
    } catch (err) {
      if (err instanceof PayloadDecryptionError) throw new HttpError(400, 'undecodable_payload', err.message);
      throw err;
    }
  };
  // The protocol reads only the last path segment, so `/codec/<namespace>/decode` (the CLI's
  // templated endpoints) works too; one deployment has one namespace and one set of keys.
  router.post(['/decode', '/:namespace/decode'], transform('decode'));
  router.post(['/encode', '/:namespace/encode'], transform('encode'));
  return router;
}
