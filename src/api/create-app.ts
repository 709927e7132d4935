/**
 * The Express application, built from its dependencies so that tests run the very same app
 * against a real Temporal server on a free port.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Client } from '@temporalio/client';
import { codecRoutes } from '../codec/codec-routes';
import { payloadCodecFor } from '../codec/data-converter';
import type { Config } from '../config';
import { ApiMetrics } from '../observability/api-metrics';
import { requestContext } from '../observability/request-context';
import { traceRequests } from '../observability/trace-requests';
import { logger } from '../shared-node/logger';
import type { MediaStore } from '../storage/media-store';
import { checkHealth } from './health';
import { HttpError } from './http-error';
import { buildOpenApiDocument } from './openapi';
import { rateLimit } from './rate-limiter';
import { requireApiKey } from './require-api-key';
import { StatusBroadcaster } from './status-broadcaster';
import type { StatusContext } from './status-body';
import { videoRoutes } from './video-routes';
import { VideoService } from './video-service';
import { webhookRoutes } from './webhook-routes';

export interface AppDeps {
  client: Client;
  config: Config;
  store: MediaStore;
}

/** Who is calling: the API key's principal when keys are required, one shared scope otherwise. */
const principalOf = (res: Response): string => (typeof res.locals.principal === 'string' ? res.locals.principal : 'anonymous');

/**
 * The whole HTTP API. `/health`, `/openapi.json` and the signed webhook are open; every other
 * `/api` route needs a bearer key when `config.api.apiKeys` is not empty.
 */
export function createApp(deps: AppDeps) {
  const { config } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const metrics = new ApiMetrics();
  const service = new VideoService(deps.client, config, (source) => metrics.videoStarted(source));
  const contextAt = (baseUrl: string): StatusContext => ({
    apiBaseUrl: config.api.publicUrl ?? baseUrl,
    uiUrl: config.temporal.uiUrl,
    namespace: config.temporal.namespace,
  });
  const statusContext = (req: Request) => contextAt(`${req.protocol}://${req.get('host') ?? `localhost:${config.api.port}`}`);
  // One poller per video serves every watcher; status-events rebases links on each request's host.
  const broadcaster = new StatusBroadcaster((id) => service.status(id, contextAt(`http://localhost:${config.api.port}`)));
  metrics.observeSse(broadcaster);

  // Counted per API key when the caller has one, per client address otherwise (webhooks, open APIs).
  const createLimit = rateLimit({
    limit: config.api.createRateLimit,
    windowSec: config.api.createRateWindowSec,
    keyOf: (req, res) => (typeof res.locals.principal === 'string' ? res.locals.principal : `addr:${req.ip ?? 'unknown'}`),
  });

  // A request id and a log context for every request, then its span and its metrics.
  app.use(requestContext());
  if (config.observability.tracing.enabled) app.use(traceRequests());
  app.use(metrics.measureRequests());
  // Open like /health: counts only, for a scraper on the private network (docs/observability.md).
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get('/health', async (_req, res) => {
    const report = await checkHealth(deps.client, config.temporal.taskQueue);
    res.status(report.ok ? 200 : 503).json(report);
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(buildOpenApiDocument());
  });
  app.use(
    '/api/webhooks',
    webhookRoutes({ secret: config.api.webhookSecret, bodyLimit: config.api.bodyLimit, service, statusContext, createLimit }),
  );
  // The Web UI's codec endpoint, when payloads are encrypted; it has its own auth and body parser.
  const codec = payloadCodecFor(config);
  if (codec) app.use('/codec', codecRoutes({ codec, apiKeys: config.api.apiKeys, corsOrigins: config.codec.corsOrigins }));
  if (config.api.apiKeys.length > 0) app.use('/api', requireApiKey(config.api.apiKeys));
  // Parsed after authentication, so a caller without a key cannot make the API read a body.
  app.use(express.json({ limit: config.api.bodyLimit, type: ['application/json', 'application/*+json'] }));
  app.use(
    '/api/videos',
    videoRoutes({ ...deps, service, broadcaster, statusContext, createLimit, principal: (_req, res) => principalOf(res) }),
  );
  app.use((_req, _res, next) => next(new HttpError(404, 'not_found', 'No such route')));
  app.use(errorHandler);

  return Object.assign(app, { broadcaster, metrics, close: () => broadcaster.close() });
}

function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  let error: HttpError;
  if (err instanceof HttpError) {
    error = err;
  } else if (isBodyParserError(err)) {
    error =
      err.type === 'entity.too.large'
        ? new HttpError(413, 'payload_too_large', `The body is larger than the limit of ${err.limit} bytes`)
        : new HttpError(
            err.status ?? 400,
            'invalid_request',
            err.type === 'entity.parse.failed' ? 'The body is not valid JSON' : err.message,
          );
  } else {
    logger.error('request failed', { method: req.method, path: req.path, err });
    error = new HttpError(500, 'internal', 'Internal error');
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  res
    .status(error.status)
    .set(error.headers)
    .json({ error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } });
}

function isBodyParserError(err: unknown): err is { type: string; status?: number; limit?: number; message: string } {
  return typeof err === 'object' && err !== null && 'type' in err && typeof err.type === 'string' && 'expose' in err;
}
