/**
 * The only module that reads `process.env`. It validates once and hands out a frozen, typed
 * config, so a typo in a deployment fails at start-up with a message instead of mid-run.
 */
import path from 'node:path';
import { z } from 'zod';
import { combineApiKeys, parseApiKeys, TENANT_ID_PATTERN } from './api/api-keys';
import { parseTrustProxy } from './api/trust-proxy';
import { parseEncryptionKeys } from './codec/encryption-keys';
import { ACTIVITY_QUEUES } from './shared/temporal-names';
import { loadConnectionSettings } from './temporal-connection/connection-settings';

const providerChoice = z.enum(['auto', 'gemini', 'local']);
const positiveInt = z.coerce.number().int().positive();
const hostPort = z.string().regex(/^(\[[^\]]+\]|[^:\s]+):\d{1,5}$/, 'expected host:port, e.g. 0.0.0.0:9464');

const envSchema = z.object({
  /**
   * How to reach Temporal. Declared here so deployments pass them on; read and checked by the
   * SDK's environment configuration in loadConnectionSettings (with TEMPORAL_GRPC_META_* and the
   * profile file), which also supplies the defaults (localhost:7233, namespace `default`).
   */
  TEMPORAL_ADDRESS: z.string().optional(),
  TEMPORAL_NAMESPACE: z.string().optional(),
  TEMPORAL_API_KEY: z.string().optional(),
  TEMPORAL_TLS: z.enum(['true', 'false', '1', '0']).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: z.string().optional(),
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: z.string().optional(),
  TEMPORAL_TLS_CLIENT_CERT_PATH: z.string().optional(),
  TEMPORAL_TLS_CLIENT_CERT_DATA: z.string().optional(),
  TEMPORAL_TLS_CLIENT_KEY_PATH: z.string().optional(),
  TEMPORAL_TLS_CLIENT_KEY_DATA: z.string().optional(),
  TEMPORAL_PROFILE: z.string().optional(),
  TEMPORAL_CONFIG_FILE: z.string().optional(),
  TEMPORAL_UI_URL: z.url().default('http://localhost:8233'),
  TASK_QUEUE: z.string().min(1).default('reelflow'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  MEDIA_ROOT: z.string().min(1).default('./media'),
  /** Where artifacts are stored: this disk (every worker shares MEDIA_ROOT) or an S3-compatible bucket. */
  ARTIFACT_STORE: z.enum(['local', 's3']).default('local'),
  /** Credentials come from the AWS SDK's default chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, roles), never from here. */
  S3_BUCKET: z.string().min(3).max(255).optional(),
  /** A non-AWS service (MinIO, R2, GCS's XML API): its base URL. AWS itself when unset. */
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** `bucket` in the path, not the host name: MinIO and most self-hosted servers need it. */
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
  /** Key prefix of every object, empty or ending in `/` (e.g. `reelflow/`), so one bucket can serve several deployments. */
  S3_PREFIX: z
    .string()
    .regex(/^([A-Za-z0-9._-]+\/)*$/, 'expected empty or segments ending in /, e.g. reelflow/')
    .default(''),
  /** How the API hands out an MP4 from S3: `proxy` streams it (Range included), `redirect` sends a 302 to a presigned URL. */
  S3_DOWNLOADS: z.enum(['proxy', 'redirect']).default('proxy'),
  /** Lifetime of a presigned download URL (S3_DOWNLOADS=redirect). */
  S3_URL_EXPIRES_SEC: z.coerce.number().int().min(1).max(604_800).default(300),
  /**
   * The step cache of provider outputs (src/cache): `tenant` shares a script, narration or clip
   * among one tenant's runs, `shared` among every tenant's, `off` keeps none.
   */
  CACHE_SCOPE: z.enum(['tenant', 'shared', 'off']).default('tenant'),
  /** Videos of one batch running at once, at most; the tenant's TENANT_MAX_RUNNING bounds it further. */
  BATCH_CONCURRENCY: positiveInt.max(1000).default(10),
  /** Keeps every scene's narration and clip after a render; otherwise a completed run keeps only what it serves. */
  KEEP_INTERMEDIATE_FILES: z.enum(['true', 'false']).default('false'),
  /** Days after a completed run ended that its media is deleted (fractions allowed); 0 keeps it forever. */
  MEDIA_RETENTION_DAYS: z.coerce.number().min(0).default(30),
  /** The same for failed, cancelled, terminated and timed-out runs, usually sooner; 0 keeps them forever. */
  MEDIA_RETENTION_FAILED_DAYS: z.coerce.number().min(0).default(7),
  /** Minutes between media retention sweeps (a Temporal Schedule); 0 removes the schedule. */
  MEDIA_RETENTION_SWEEP_MINUTES: z.coerce.number().min(0).max(10_080).default(60),

  SCRIPT_PROVIDER: providerChoice.default('auto'),
  NARRATION_PROVIDER: providerChoice.default('auto'),
  CLIP_PROVIDER: z.enum(['auto', 'runway', 'local']).default('auto'),
  GEMINI_API_KEY: z.string().optional(),
  GOOGLE_GEMINI_BASE_URL: z.url().optional(),
  RUNWAYML_API_SECRET: z.string().optional(),
  RUNWAYML_BASE_URL: z.url().optional(),

  GEMINI_SCRIPT_MODEL: z.string().min(1).default('gemini-2.5-flash'),
  GEMINI_TTS_MODEL: z.string().min(1).default('gemini-2.5-flash-preview-tts'),
  GEMINI_SCRIPT_ATTEMPTS: positiveInt.default(3),
  DEFAULT_VOICE: z.string().min(1).default('Kore'),
  LOCAL_VOICE: z.string().min(1).default('en-us'),
  RUNWAY_IMAGE_MODEL: z.string().min(1).default('gen4_image'),
  RUNWAY_VIDEO_MODEL: z.string().min(1).default('gen4_turbo'),
  RUNWAY_RATIO: z.string().min(1).default('1280:720'),
  RUNWAY_DURATION_SEC: z.coerce.number().int().min(2).max(10).default(5),
  /** Runway's SDK polls every 6 s (±1.5 s); 5 s keeps GETs low while wasting little of a 30–90 s task. */
  RUNWAY_POLL_INTERVAL_MS: positiveInt.default(5000),
  /** One submission's deadline; below the worker's shutdown grace, so a deploy lets it answer. */
  RUNWAY_REQUEST_TIMEOUT_MS: positiveInt.default(20_000),
  /** Runway's price list: gen4_image at 720p, gen4_turbo per second. */
  RUNWAY_IMAGE_CREDITS: z.coerce.number().min(0).default(5),
  RUNWAY_VIDEO_CREDITS_PER_SEC: z.coerce.number().min(0).default(5),
  /** Submissions made again after one whose answer was lost (each counted as possibly billed). */
  UNCONFIRMED_RESUBMITS: z.coerce.number().int().min(0).max(5).default(1),
  /** Submissions made again after a provider task failed for a transient reason (not billed). */
  TRANSIENT_RESUBMITS: z.coerce.number().int().min(0).max(10).default(2),

  PUBMED_BASE_URL: z.url().default('https://eutils.ncbi.nlm.nih.gov/entrez/eutils'),
  NCBI_API_KEY: z.string().optional(),

  SCENE_CONCURRENCY: positiveInt.default(4),
  SCENE_PAUSE_SEC: z.coerce.number().min(0).max(10).default(0.6),
  MAX_SCENES: positiveInt.default(8),
  REVIEW_TIMEOUT_SEC: positiveInt.default(24 * 3600),
  SOURCE_CONCURRENCY: positiveInt.default(4),
  SCRIPT_CONCURRENCY: positiveInt.default(4),
  NARRATION_CONCURRENCY: positiveInt.default(4),
  /** Clips drawn at once by the local drawer; a wait on a provider task holds no slot (src/activities/detached-activities.ts). */
  CLIP_CONCURRENCY: positiveInt.default(20),
  CLIP_SUBMISSION_CONCURRENCY: positiveInt.default(4),
  /** Seconds between heartbeats of each clip wait (they hold no slot): how soon a cancel reaches it, at one server write each. */
  CLIP_WAIT_HEARTBEAT_SEC: z.coerce.number().min(0.2).max(12).default(3),
  CLEANUP_CONCURRENCY: positiveInt.default(4),
  /** Seconds a stopping worker lets running activities finish before cancelling them. */
  WORKER_SHUTDOWN_GRACE_SEC: z.coerce.number().min(0).max(600).default(30),
  /** A file the worker touches every few seconds while all its workers run (container health checks). */
  WORKER_HEALTH_FILE: z.string().min(1).optional(),
  RENDER_CONCURRENCY: positiveInt.default(1),
  /** Requests per second allowed to PubMed across all workers (3 without an NCBI key). */
  PUBMED_RATE_PER_SEC: z.coerce.number().positive().optional(),
  GEMINI_RATE_PER_SEC: z.coerce.number().positive().default(5),
  /** Runway limits concurrency, not request rate; this only spreads a burst of submissions. */
  RUNWAY_RATE_PER_SEC: z.coerce.number().positive().default(5),

  /** Comma-separated `name:key` (a named tenant) or bare `key` entries; see src/api/api-keys.ts. */
  API_KEYS: z.string().optional(),
  /** Keys in the same form that see every tenant's videos and are not held to quotas. */
  ADMIN_API_KEYS: z.string().optional(),
  /** Videos one tenant may have running at once; 0 means no limit. */
  TENANT_MAX_RUNNING: z.coerce.number().int().min(0).default(10),
  /** Credits one tenant's videos may spend over any 24 hours; unset means no limit. */
  TENANT_CREDITS_PER_DAY: z.coerce.number().min(0).optional(),
  /** JSON object of per-tenant overrides: {"alice":{"maxRunning":5,"creditsPerDay":2000}}. */
  TENANT_QUOTAS: z.string().optional(),
  /** The tenant that owns videos started by the signed webhook. */
  WEBHOOK_TENANT: z.string().regex(TENANT_ID_PATTERN, 'expected a tenant name').default('webhook'),
  /** Lets the API listen beyond loopback with no API_KEYS; anyone who reaches the port may use it. */
  ALLOW_UNAUTHENTICATED_API: z.enum(['true', 'false']).default('false'),
  WEBHOOK_SECRET: z.string().optional(),
  /** `id:base64key[,…]`: encrypts workflow payloads with the first key; see src/codec. */
  PAYLOAD_ENCRYPTION_KEYS: z.string().optional(),
  /** Origins whose pages may call the codec endpoint; the Web UI's origin by default. */
  CODEC_CORS_ORIGINS: z.string().optional(),
  BODY_LIMIT: z.string().default('100kb'),
  /** Limits of `POST /api/uploads`: bytes of one file (in MB), files per request, pixels of one image, seconds of one audio file. */
  UPLOAD_MAX_FILE_MB: z.coerce.number().positive().max(10_240).default(100),
  UPLOAD_MAX_FILES: positiveInt.max(1000).default(50),
  UPLOAD_MAX_PIXELS: positiveInt.default(50_000_000),
  UPLOAD_MAX_AUDIO_SEC: positiveInt.default(3600),
  /** Seconds between keep-alive comments on an event stream, so proxies keep it open. */
  SSE_KEEPALIVE_SEC: z.coerce.number().positive().max(15).default(15),
  CREATE_RATE_LIMIT: positiveInt.default(30),
  CREATE_RATE_WINDOW_SEC: positiveInt.default(60),
  /** GET requests per caller (tenant, or client address) per window, on every `/api` route. */
  READ_RATE_LIMIT: positiveInt.default(600),
  READ_RATE_WINDOW_SEC: positiveInt.default(60),
  /** Express's `trust proxy`: unset (the socket's address), a hop count, or proxy addresses/CIDRs; see src/api/trust-proxy.ts. */
  TRUST_PROXY: z.string().optional(),
  /** Event streams open at once in this process, and per caller (tenant, or client address). */
  SSE_MAX_STREAMS: positiveInt.default(1000),
  SSE_MAX_STREAMS_PER_TENANT: positiveInt.default(20),
  /** An event stream ends with `event: reconnect` after this long, and EventSource comes back for a fresh snapshot. */
  SSE_MAX_AGE_SEC: positiveInt.default(900),
  /** Seconds one `/health` report is reused; concurrent requests share one refresh. */
  HEALTH_CACHE_SEC: z.coerce.number().min(0).max(300).default(5),
  /** Runs one `GET /api/videos` request reads from Temporal visibility at most. */
  LIST_MAX_SCAN: positiveInt.default(2000),
  /** Seconds a signed webhook's X-Reelflow-Timestamp may be away from this server's clock. */
  WEBHOOK_TOLERANCE_SEC: positiveInt.default(300),
  /** Comma-separated subset of workflows,source,script,narration,clips,render; all when unset. */
  WORKER_ROLES: z.string().optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /** `host:port` where a worker serves the Temporal SDK's own Prometheus metrics; off when unset. */
  WORKER_METRICS_ADDRESS: hostPort.optional(),
  /** `host:port` where a worker serves its `reelflow_…` metrics; off when unset. */
  WORKER_APP_METRICS_ADDRESS: hostPort.optional(),
  /** OpenTelemetry traces: `auto` exports them when OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  TRACING: z.enum(['auto', 'on', 'off']).default('auto'),
  /** Base URL of an OTLP/HTTP collector (`/v1/traces` is appended); http://localhost:4318 when TRACING=on. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /** `service.name` on spans; reelflow-api or reelflow-worker by default. */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
});

export type Env = z.infer<typeof envSchema>;

const tenantQuotaSchema = z
  .object({ maxRunning: z.number().int().min(0).optional(), creditsPerDay: z.number().min(0).nullable().optional() })
  .strict();
export type TenantQuota = z.infer<typeof tenantQuotaSchema>;

/** TENANT_QUOTAS: per-tenant overrides of TENANT_MAX_RUNNING and TENANT_CREDITS_PER_DAY. */
function parseTenantQuotas(value: string | undefined): Readonly<Record<string, TenantQuota>> {
  if (!value) return {};
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new Error('Invalid configuration: TENANT_QUOTAS is not valid JSON');
  }
  const parsed = z.record(z.string(), tenantQuotaSchema).safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration: TENANT_QUOTAS: ${problems.join('; ')}`);
  }
  return Object.freeze(parsed.data);
}

function resolveProvider<T extends string>(choice: 'auto' | T, real: T, hasKey: boolean): T | 'local' {
  if (choice === 'auto') return hasKey ? real : 'local';
  return choice;
}

const ROLES = ['workflows', ...ACTIVITY_QUEUES] as const;

function parseRoles(value: string | undefined) {
  if (!value) return undefined;
  const roles = value
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const unknown = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (unknown.length > 0) throw new Error(`Invalid configuration: WORKER_ROLES has unknown roles ${unknown.join(', ')}`);
  return roles as (typeof ROLES)[number][];
}

/** Every variable the service reads; docker-compose.temporal.yml passes each of them through. */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape) as (keyof Env)[];

/**
 * `VAR=` means unset, as it does to most tools: compose passes `${VAR:-}` for every variable,
 * and an empty number must fall back to its default rather than fail as 0.
 */
function withoutEmptyValues(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
}

/** Builds the config from an environment; tests pass their own object instead of process.env. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = envSchema.safeParse(withoutEmptyValues(env));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const temporalConnection = loadConnectionSettings(withoutEmptyValues(env));
  const encryptionKeys = parseEncryptionKeys(e.PAYLOAD_ENCRYPTION_KEYS);
  const keys = combineApiKeys(parseApiKeys(e.API_KEYS, false, 'API_KEYS'), parseApiKeys(e.ADMIN_API_KEYS, true, 'ADMIN_API_KEYS'));
  const hasGemini = Boolean(e.GEMINI_API_KEY);
  const hasRunway = Boolean(e.RUNWAYML_API_SECRET);
  if ((e.SCRIPT_PROVIDER === 'gemini' || e.NARRATION_PROVIDER === 'gemini') && !hasGemini) {
    throw new Error('Invalid configuration: a gemini provider is selected but GEMINI_API_KEY is not set');
  }
  if (e.CLIP_PROVIDER === 'runway' && !hasRunway) {
    throw new Error('Invalid configuration: CLIP_PROVIDER=runway but RUNWAYML_API_SECRET is not set');
  }
  if (e.ARTIFACT_STORE === 's3' && !e.S3_BUCKET) {
    throw new Error('Invalid configuration: ARTIFACT_STORE=s3 but S3_BUCKET is not set');
  }
  return Object.freeze({
    temporal: Object.freeze({
      ...temporalConnection.settings,
      uiUrl: e.TEMPORAL_UI_URL.replace(/\/$/, ''),
      taskQueue: e.TASK_QUEUE,
    }),
    api: Object.freeze({
      port: e.PORT,
      host: e.HOST,
      publicUrl: e.PUBLIC_URL?.replace(/\/$/, ''),
      /** Every key with its tenant; empty means the API is open to one anonymous tenant. */
      keys: Object.freeze(keys),
      /** The key strings alone, for the codec endpoint and for hiding them in logs. */
      apiKeys: keys.map((k) => k.key),
      quotas: Object.freeze({
        maxRunning: e.TENANT_MAX_RUNNING,
        creditsPerDay: e.TENANT_CREDITS_PER_DAY,
        perTenant: parseTenantQuotas(e.TENANT_QUOTAS),
      }),
      webhookTenant: e.WEBHOOK_TENANT,
      allowUnauthenticated: e.ALLOW_UNAUTHENTICATED_API === 'true',
      webhookSecret: e.WEBHOOK_SECRET,
      bodyLimit: e.BODY_LIMIT,
      uploads: Object.freeze({
        maxFileBytes: Math.round(e.UPLOAD_MAX_FILE_MB * 1024 * 1024),
        maxFiles: e.UPLOAD_MAX_FILES,
        maxPixels: e.UPLOAD_MAX_PIXELS,
        maxAudioSec: e.UPLOAD_MAX_AUDIO_SEC,
      }),
      sseKeepAliveMs: e.SSE_KEEPALIVE_SEC * 1000,
      createRateLimit: e.CREATE_RATE_LIMIT,
      createRateWindowSec: e.CREATE_RATE_WINDOW_SEC,
      readRateLimit: e.READ_RATE_LIMIT,
      readRateWindowSec: e.READ_RATE_WINDOW_SEC,
      trustProxy: parseTrustProxy(e.TRUST_PROXY),
      sseMaxStreams: e.SSE_MAX_STREAMS,
      sseMaxStreamsPerTenant: e.SSE_MAX_STREAMS_PER_TENANT,
      sseMaxAgeMs: e.SSE_MAX_AGE_SEC * 1000,
      healthCacheMs: e.HEALTH_CACHE_SEC * 1000,
      listMaxScan: e.LIST_MAX_SCAN,
      webhookToleranceSec: e.WEBHOOK_TOLERANCE_SEC,
    }),
    mediaRoot: path.resolve(e.MEDIA_ROOT),
    cacheScope: e.CACHE_SCOPE,
    batchConcurrency: e.BATCH_CONCURRENCY,
    artifacts: Object.freeze({
      store: e.ARTIFACT_STORE,
      keepIntermediateFiles: e.KEEP_INTERMEDIATE_FILES === 'true',
      s3: Object.freeze({
        bucket: e.S3_BUCKET ?? '',
        endpoint: e.S3_ENDPOINT,
        region: e.S3_REGION,
        forcePathStyle: e.S3_FORCE_PATH_STYLE === 'true',
        prefix: e.S3_PREFIX,
        downloads: e.S3_DOWNLOADS,
        urlExpiresSec: e.S3_URL_EXPIRES_SEC,
      }),
    }),
    /** Media retention, applied by the schedule the workflow worker keeps (src/retention). */
    retention: Object.freeze({
      completedDays: e.MEDIA_RETENTION_DAYS,
      failedDays: e.MEDIA_RETENTION_FAILED_DAYS,
      sweepMinutes: e.MEDIA_RETENTION_SWEEP_MINUTES,
    }),
    providers: Object.freeze({
      script: resolveProvider(e.SCRIPT_PROVIDER, 'gemini', hasGemini),
      narration: resolveProvider(e.NARRATION_PROVIDER, 'gemini', hasGemini),
      clip: resolveProvider(e.CLIP_PROVIDER, 'runway', hasRunway),
    }),
    gemini: Object.freeze({
      /** Overrides the SDK's endpoint (a proxy, or a fake server in tests). */
      baseUrl: e.GOOGLE_GEMINI_BASE_URL?.replace(/\/$/, ''),
      scriptModel: e.GEMINI_SCRIPT_MODEL,
      ttsModel: e.GEMINI_TTS_MODEL,
      scriptAttempts: e.GEMINI_SCRIPT_ATTEMPTS,
      ratePerSec: e.GEMINI_RATE_PER_SEC,
    }),
    runway: Object.freeze({
      /** Overrides the SDK's endpoint (a proxy, or a fake server in tests). */
      baseUrl: e.RUNWAYML_BASE_URL?.replace(/\/$/, ''),
      imageModel: e.RUNWAY_IMAGE_MODEL,
      videoModel: e.RUNWAY_VIDEO_MODEL,
      ratio: e.RUNWAY_RATIO,
      durationSec: e.RUNWAY_DURATION_SEC,
      pollIntervalMs: e.RUNWAY_POLL_INTERVAL_MS,
      requestTimeoutMs: e.RUNWAY_REQUEST_TIMEOUT_MS,
      imageCredits: e.RUNWAY_IMAGE_CREDITS,
      videoCreditsPerSecond: e.RUNWAY_VIDEO_CREDITS_PER_SEC,
      ratePerSec: e.RUNWAY_RATE_PER_SEC,
    }),
    pubmed: Object.freeze({
      baseUrl: e.PUBMED_BASE_URL.replace(/\/$/, ''),
      apiKey: e.NCBI_API_KEY,
      ratePerSec: e.PUBMED_RATE_PER_SEC ?? (e.NCBI_API_KEY ? 10 : 3),
    }),
    local: Object.freeze({ voice: e.LOCAL_VOICE }),
    defaults: Object.freeze({
      voice: e.DEFAULT_VOICE,
      sceneConcurrency: e.SCENE_CONCURRENCY,
      maxScenes: e.MAX_SCENES,
      reviewTimeoutSec: e.REVIEW_TIMEOUT_SEC,
    }),
    scenePauseSec: e.SCENE_PAUSE_SEC,
    concurrency: Object.freeze({
      source: e.SOURCE_CONCURRENCY,
      script: e.SCRIPT_CONCURRENCY,
      narration: e.NARRATION_CONCURRENCY,
      clips: e.CLIP_CONCURRENCY,
      'clip-submissions': e.CLIP_SUBMISSION_CONCURRENCY,
      render: e.RENDER_CONCURRENCY,
      cleanup: e.CLEANUP_CONCURRENCY,
    }),
    paidSteps: Object.freeze({ unconfirmedResubmits: e.UNCONFIRMED_RESUBMITS, transientResubmits: e.TRANSIENT_RESUBMITS }),
    shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_SEC * 1000,
    clipWaitHeartbeatMs: e.CLIP_WAIT_HEARTBEAT_SEC * 1000,
    workerHealthFile: e.WORKER_HEALTH_FILE,
    logLevel: e.LOG_LEVEL,
    observability: Object.freeze({
      workerMetricsAddress: e.WORKER_METRICS_ADDRESS,
      workerAppMetricsAddress: e.WORKER_APP_METRICS_ADDRESS,
      tracing: Object.freeze({
        enabled: e.TRACING === 'on' || (e.TRACING === 'auto' && e.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined),
        endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/$/, ''),
        serviceName: e.OTEL_SERVICE_NAME,
      }),
    }),
    workerRoles: parseRoles(e.WORKER_ROLES),
    /** Payload encryption: key ids (the first encrypts) and who may call the codec endpoint. */
    codec: Object.freeze({
      encryptionKeyIds: encryptionKeys.map((k) => k.id),
      corsOrigins: (e.CODEC_CORS_ORIGINS ?? new URL(e.TEMPORAL_UI_URL).origin)
        .split(',')
        .map((o) => o.trim().replace(/\/$/, ''))
        .filter(Boolean),
    }),
    /** Kept apart so that logging the rest of the config can never print a key. */
    secrets: Object.freeze({
      geminiApiKey: e.GEMINI_API_KEY,
      runwayApiSecret: e.RUNWAYML_API_SECRET,
      temporal: Object.freeze(temporalConnection.secrets),
      payloadEncryptionKeys: Object.freeze(encryptionKeys),
    }),
  });
}

export type Config = ReturnType<typeof loadConfig>;

/**
 * The `reelflow` command line is a client of the HTTP API, not part of the service: it reads only
 * these variables (the API's address and key, and the editor `script edit` opens), and none of the
 * service's configuration above.
 */
export function loadCliEnv(env: NodeJS.ProcessEnv = process.env) {
  return { REELFLOW_API_URL: env.REELFLOW_API_URL, REELFLOW_API_KEY: env.REELFLOW_API_KEY, VISUAL: env.VISUAL, EDITOR: env.EDITOR };
}

/**
 * The single-machine commands (`npm run temporal`, `npm start`, `npm run demo`) keep the dev
 * server's SQLite file and log in TEMPORAL_DEV_DATA_DIR (the project's `.temporal/` when unset).
 * No deployment reads it, so it is not part of the service's configuration above.
 */
export function loadDevServerEnv(env: NodeJS.ProcessEnv = process.env) {
  // CI (set by CI services): `npm run demo` exits once the video is rendered instead of serving its links.
  return { TEMPORAL_DEV_DATA_DIR: env.TEMPORAL_DEV_DATA_DIR || undefined, CI: Boolean(env.CI && env.CI !== 'false' && env.CI !== '0') };
}

/**
 * `npm run cluster` creates the namespace with TEMPORAL_RETENTION (how long Temporal keeps a
 * finished run: `72h`, `30d`), the same variable docker-compose.temporal.yml's namespace job reads.
 * Only the cluster's setup reads it, so it is not part of the service's configuration above.
 */
export function loadClusterEnv(env: NodeJS.ProcessEnv = process.env) {
  const retention = env.TEMPORAL_RETENTION || '72h';
  if (!/^\d+(\.\d+)?\s*(h|d|hours?|days?)$/i.test(retention)) {
    throw new Error(`TEMPORAL_RETENTION must be a duration in hours or days such as 72h or 30d, got "${retention}"`);
  }
  return { TEMPORAL_RETENTION: retention };
}

/**
 * The folders searched for programs this process starts (ffmpeg, espeak-ng, the Temporal CLI):
 * the process's own PATH, which is the operating system's setting rather than the service's.
 */
export function executableSearchPath(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.PATH ?? '').split(path.delimiter).filter(Boolean);
}
