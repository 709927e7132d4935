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
import { configSecrets } from '../shared-node/config-secrets';
import { logger } from '../shared-node/logger';
import type { ArtifactStore } from '../storage/artifact-store';
import { CachedHealthCheck, checkHealth, healthSummary } from './health';
import { HttpError } from './http-error';
import { buildOpenApiDocument } from './openapi';
import { publicBaseUrl } from './public-base-url';
import { rateLimit } from './rate-limiter';
import { callerOf, requireApiKey } from './require-api-key';
import { StatusBroadcaster } from './status-broadcaster';
import { asTemporalUnavailable, temporalDeadline, withTemporalDeadline } from './temporal-unavailable';
import type { StatusContext } from './status-body';
import { uploadRoutes } from './upload-routes';
import { batchRoutes } from './batch-routes';
import { scheduleRoutes } from './schedule-routes';
import { TenantQuotas } from './tenant-quotas';
import { videoRoutes } from './video-routes';
import { VideoService } from './video-service';
import { webhookRoutes } from './webhook-routes';
import { webPage } from './web-page';

export interface AppDeps {
  client: Client;
  config: Config;
  store: ArtifactStore;
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
  // Which proxies' X-Forwarded-For is believed for req.ip (TRUST_PROXY; off unless configured).
  app.set('trust proxy', config.api.trustProxy);
  const metrics = new ApiMetrics();
  const service = new VideoService(
    deps.client,
    config,
    (source) => metrics.videoStarted(source),
    undefined,
    undefined,
    undefined,
    deps.store,
  );
  // Links come from configuration, never from a request's headers (src/api/public-base-url.ts).
  // With PORT=0 the port is the one the listening socket was given, learnt from the first request.
  let boundPort: number | undefined;
  if (config.api.port === 0) {
    app.use((req, _res, next) => {
      boundPort ??= req.socket.localPort;
      next();
    });
  }
  const secrets = configSecrets(config);
  const statusContext = (_req?: Request): StatusContext => ({
    apiBaseUrl: publicBaseUrl(config, boundPort),
    uiUrl: config.temporal.uiUrl,
    namespace: config.temporal.namespace,
    secrets,
  });
  // One poller per video serves every watcher, with the same links every request gets.
  // Each poll has a Temporal deadline of its own, not that of the request which started it.
  const pollStatus = (id: string) => withTemporalDeadline(deps.client, () => service.status(id, statusContext()));
  const broadcaster = new StatusBroadcaster(pollStatus, undefined, {
    maxStreams: config.api.sseMaxStreams,
    maxPerCaller: config.api.sseMaxStreamsPerTenant,
    maxAgeMs: config.api.sseMaxAgeMs,
  });
  metrics.observeSse(broadcaster);

  // Counted per tenant when the caller has a key, per client address otherwise (webhooks, open APIs).
  // A create refused as invalid (400, 413, 415, 422) is given back: the limit counts creates.
  const createLimit = rateLimit({
    limit: config.api.createRateLimit,
    windowSec: config.api.createRateWindowSec,
    counted: 'creates',
    refundStatuses: [400, 413, 415, 422],
  });
  const readLimit = rateLimit({
    limit: config.api.readRateLimit,
    windowSec: config.api.readRateWindowSec,
    counted: 'reads',
    appliesTo: (req) => req.method === 'GET' || req.method === 'HEAD',
  });
  // One refresh serves many requests, so it has a Temporal deadline of its own.
  const checkNow = () => withTemporalDeadline(deps.client, () => checkHealth(deps.client, config.temporal.taskQueue));
  const health = new CachedHealthCheck(checkNow, config.api.healthCacheMs);

  // A request id and a log context for every request, then its span and its metrics.
  app.use(requestContext());
  if (config.observability.tracing.enabled) app.use(traceRequests());
  app.use(metrics.measureRequests());
  // Open like /health: counts only, for a scraper on the private network (docs/observability.md).
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  // Open, so cached and coarse: the per-queue detail is GET /api/health, behind the API key.
  app.get('/health', async (_req, res) => {
    const report = await health.report();
    res.status(report.ok ? 200 : 503).json(healthSummary(report));
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(buildOpenApiDocument());
  });
  // The page is open like /health: it holds no data, and asks for the key when the API wants one.
  app.use(webPage());
  app.use(
    '/api/webhooks',
    temporalDeadline(deps.client),
    webhookRoutes({
      secret: config.api.webhookSecret,
      bodyLimit: config.api.bodyLimit,
      // Deliveries start videos as WEBHOOK_TENANT, under its quotas, and see only its videos.
      service: service.as({ tenant: config.api.webhookTenant, seesAll: false, quotaExempt: false }),
      statusContext,
      createLimit,
      toleranceSec: config.api.webhookToleranceSec,
    }),
  );
  // The Web UI's codec endpoint, when payloads are encrypted; it has its own auth and body parser.
  const codec = payloadCodecFor(config);
  // It decrypts any payload it is sent, so with admin keys configured only they may use it.
  const adminKeys = config.api.keys.filter((k) => k.admin).map((k) => k.key);
  const codecKeys = adminKeys.length > 0 ? adminKeys : config.api.apiKeys;
  if (codec) app.use('/codec', codecRoutes({ codec, apiKeys: codecKeys, corsOrigins: config.codec.corsOrigins }));
  if (config.api.keys.length > 0) app.use('/api', requireApiKey(config.api.keys));
  // After authentication, so reads are counted per tenant and a caller without a key counts nothing.
  app.use('/api', readLimit);
  app.get('/api/health', async (_req, res) => {
    // Operators' detail: with admin keys configured, theirs alone, like the codec endpoint.
    if (adminKeys.length > 0 && !callerOf(res).seesAll) {
      throw new HttpError(403, 'forbidden', 'The detailed health check is for admin keys');
    }
    const report = await health.report();
    res.status(report.ok ? 200 : 503).json(report);
  });
  // Multipart, streamed to the store part by part; no JSON parser reads it.
  app.use('/api/uploads', uploadRoutes({ store: deps.store, limits: config.api.uploads, createLimit }));
  // Parsed after authentication, so a caller without a key cannot make the API read a body.
  app.use(express.json({ limit: config.api.bodyLimit, type: ['application/json', 'application/*+json'] }));
  // Once the body is read: Temporal calls share one deadline, so an outage answers 503 in seconds.
  app.use('/api', temporalDeadline(deps.client));
  const quotas = new TenantQuotas(deps.client, config);
  app.use(
    '/api/batches',
    batchRoutes({ client: deps.client, config, service, quotas, createLimit, principal: (_req, res) => principalOf(res) }),
  );
  app.use('/api/schedules', scheduleRoutes({ client: deps.client, config, service, quotas, createLimit }));
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
  const unavailable = asTemporalUnavailable(err);
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
  } else if (unavailable) {
    // Temporal down, unreachable or too slow: the client is told to retry; operators see why here.
    logger.warn('temporal unavailable', { method: req.method, path: req.path, err });
    error = unavailable;
  } else {
    // The cause stays in the log; the client gets only the request id to quote, which the log line carries.
    const requestId = typeof res.locals.requestId === 'string' ? res.locals.requestId : undefined;
    logger.error('request failed', { requestId, method: req.method, path: req.path, err });
    error = requestId
      ? new HttpError(500, 'internal', `Internal error (request id ${requestId})`, { requestId })
      : new HttpError(500, 'internal', 'Internal error');
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
