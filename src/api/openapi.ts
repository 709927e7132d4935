/**
 * The OpenAPI 3.1 document, generated from the zod schemas that validate requests, so the
 * document and the validation cannot drift apart.
 */
import { z } from 'zod';
import {
  createVideoBodySchema,
  errorBodySchema,
  healthReportSchema,
  healthSummarySchema,
  listQuerySchema,
  revisionBodySchema,
  scriptSchema,
  subtitlesQuerySchema,
  uploadListSchema,
  uploadSchema,
  videoListSchema,
  videoStatusSchema,
} from './schemas';
import { batchBodySchema, batchSchema } from './batch-routes';
import { scheduleBodySchema } from './schedule-routes';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook-routes';

/**
 * A JSON Schema for OpenAPI 3.1 (whose dialect is 2020-12), without the `$schema` line. Request
 * bodies are inlined so a reader of one operation sees every field; responses share components.
 */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonContent = (name: string) => ({ 'application/json': { schema: ref(name) } });
const error = (description: string) => ({ description, content: jsonContent('Error') });
const status = (description: string) => ({ description, content: jsonContent('VideoStatus') });
const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$' } };

/** Answers every `/api` route may give besides its own. */
const common = {
  '401': {
    ...error('Missing or invalid API key (only when API_KEYS is set)'),
    headers: { 'WWW-Authenticate': { schema: { type: 'string' } } },
  },
  '500': error('Internal error'),
};

/** Every route that asks Temporal (or, through it, a worker) may answer this instead of waiting. */
const unavailable = {
  '503': {
    ...error('Temporal (temporal_unavailable) or a worker (worker_unavailable) did not answer in time; retry later'),
    headers: { 'Retry-After': { description: 'Seconds to wait before retrying', required: true, schema: { type: 'integer' } } },
  },
};

const rateLimited = {
  ...error('Too many creates in the current window'),
  headers: { 'Retry-After': { description: 'Seconds until the window ends', schema: { type: 'integer' } } },
};

/** The header that makes a start repeatable; `description` says what a repeat answers. */
const idempotencyHeader = (description: string) => ({
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description,
  schema: { type: 'string', minLength: 1, maxLength: 255 },
});

/** Every start of a video may meet the tenant's quotas. */
const creditQuotaExceeded = {
  ...error("The video's budget would pass the tenant's credits per 24 hours (credit_quota_exceeded)"),
  headers: { 'Retry-After': { description: 'Seconds until credits come back', schema: { type: 'integer' } } },
};
const tooManyStarts = {
  ...rateLimited,
  description: 'Too many creates in the current window (rate_limited), or the tenant has its most videos running (too_many_running)',
};

/** Every GET under `/api` counts against READ_RATE_LIMIT per caller. */
const readLimited = {
  '429': {
    ...error('Too many reads in the current window (rate_limited)'),
    headers: { 'Retry-After': { description: 'Seconds until the window ends', schema: { type: 'integer' } } },
  },
};

function listParameters() {
  const schema = jsonSchema(listQuerySchema, 'input') as { properties: Record<string, unknown> };
  return Object.entries(schema.properties).map(([name, s]) => ({ name, in: 'query', required: false, schema: s }));
}

/** The document served at `/openapi.json`. */
export function buildOpenApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'Reelflow API', version: '0.1.0', description: 'Narrated explainer videos from PubMed papers or text.' },
    security: [{ bearerAuth: [] }],
    paths: {
      '/api/videos': {
        post: {
          operationId: 'createVideo',
          summary: 'Start a video',
          parameters: [idempotencyHeader('Same key and body: the same video (200). Same key, another body: 409. Scoped by tenant.')],
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(createVideoBodySchema, 'input') } } },
          responses: {
            '202': status('Started'),
            '200': status('Already started with this Idempotency-Key and body'),
            '400': error('Invalid body'),
            '409': error('Idempotency-Key reused with another body'),
            '413': error('Body too large'),
            '422': error(
              "A slideshow's upload is not the caller's, is gone, or is not the kind the source needs (upload_not_found, invalid_request)",
            ),
            '402': creditQuotaExceeded,
            '415': error('Body is not JSON'),
            '429': tooManyStarts,
            ...unavailable,
            ...common,
          },
        },
        get: {
          operationId: 'listVideos',
          summary: 'List videos, newest first',
          parameters: listParameters(),
          responses: {
            '200': { description: 'One page; pass nextCursor as cursor for the next', content: jsonContent('VideoList') },
            '400': error('Invalid query'),
            '403': error('query.tenant names another tenant, and the key is not an admin key'),
            ...unavailable,
            ...readLimited,
            ...common,
          },
        },
      },
      '/api/videos/{id}': {
        get: {
          operationId: 'getVideo',
          summary: 'A video status',
          parameters: [idParameter],
          responses: { '200': status('The video'), '404': error('Unknown id'), ...unavailable, ...readLimited, ...common },
        },
        delete: {
          operationId: 'deleteVideo',
          summary: 'Delete a video: cancel it if it runs, remove its files and its run; it leaves lists',
          parameters: [idParameter],
          responses: {
            '204': { description: 'Deleted' },
            '404': error('Unknown id'),
            '409': {
              ...error('Cancelled, but still stopping after 5 s (still_stopping); send DELETE again'),
              headers: { 'Retry-After': { description: 'Seconds to wait before sending DELETE again', schema: { type: 'integer' } } },
            },
            ...unavailable,
            ...common,
          },
        },
      },
      '/api/videos/{id}/retry': {
        post: {
          operationId: 'retryVideo',
          summary:
            'Start a new video for a failed or cancelled one, taking over its script, approval, narrations and clips: nothing finished is paid for again',
          parameters: [idParameter, idempotencyHeader('Same key: the same retry (200). Scoped by tenant.')],
          responses: {
            '202': {
              ...status('The new video, with retryOf naming the old one'),
              headers: { Location: { description: 'The new video', schema: { type: 'string' } } },
            },
            '200': status('Already retried with this Idempotency-Key'),
            '400': error('Invalid Idempotency-Key'),
            '402': creditQuotaExceeded,
            '404': error('Unknown id'),
            '409': error('Running or completed, or started by a version without retries (not_retryable); or Idempotency-Key reused'),
            '429': tooManyStarts,
            ...unavailable,
            ...common,
          },
        },
      },
      '/api/videos/{id}/revisions': {
        post: {
          operationId: 'reviseVideo',
          summary:
            "Start a new video from an ended one's script with edits; through the step cache only the scenes whose inputs changed are made (and paid for) again, then the render",
          parameters: [idParameter, idempotencyHeader('Same key and edit: the same revision (200). Scoped by tenant.')],
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(revisionBodySchema, 'input') } } },
          responses: {
            '202': {
              ...status('The new video, with revisionOf naming the old one'),
              headers: { Location: { description: 'The new video', schema: { type: 'string' } } },
            },
            '200': status('Already started with this Idempotency-Key and edit'),
            '400': error('Invalid body, or a script the edit makes invalid (invalid_script)'),
            '402': creditQuotaExceeded,
            '404': error('Unknown id'),
            '409': error(
              'Still running, no script yet, a slideshow, or started by a version without revisions (not_revisable); or Idempotency-Key reused',
            ),
            '413': error('Body too large'),
            '415': error('Body is not JSON'),
            '422': error("A slideshow's upload is gone (upload_not_found)"),
            '429': tooManyStarts,
            ...unavailable,
            ...common,
          },
        },
      },
      '/api/videos/{id}/cancel': {
        post: {
          operationId: 'cancelVideo',
          summary: 'Cancel a running video; what it finished is kept for a retry until DELETE or retention removes it',
          parameters: [idParameter],
          responses: {
            '202': status('Cancellation requested'),
            '404': error('Unknown id'),
            '409': error('Already finished'),
            ...unavailable,
            ...common,
          },
        },
      },
      '/api/videos/{id}/events': {
        get: {
          operationId: 'streamVideoEvents',
          summary:
            'Status snapshots as Server-Sent Events (`status`, then one `end`) until a terminal status, or `reconnect` (with a `retry:` hint) at the maximum age',
          parameters: [idParameter],
          responses: {
            '200': {
              description: 'An event stream; `: keep-alive` comments every 15 s; it ends at SSE_MAX_AGE_SEC with `event: reconnect`',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            '404': error('Unknown id'),
            '429': {
              ...error(
                'Too many reads (rate_limited), or as many open event streams as this caller (SSE_MAX_STREAMS_PER_TENANT) or this server (SSE_MAX_STREAMS) allows (too_many_streams)',
              ),
              headers: {
                'Retry-After': {
                  description: 'Seconds until the window ends, or until the oldest stream in the way ends',
                  schema: { type: 'integer' },
                },
              },
            },
            ...unavailable,
            ...common,
          },
        },
      },
      '/api/videos/{id}/script': {
        get: {
          operationId: 'getScript',
          summary: 'The script',
          parameters: [idParameter],
          responses: {
            '200': { description: 'Script', content: jsonContent('Script') },
            '404': error('Unknown id'),
            '409': error('Not written yet'),
            ...unavailable,
            ...readLimited,
            ...common,
          },
        },
        put: {
          operationId: 'editScript',
          summary: 'Replace the script while the video awaits review',
          parameters: [idParameter],
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(scriptSchema, 'input') } } },
          responses: {
            '200': { description: 'The script now used', content: jsonContent('Script') },
            '400': error('Invalid script; the message says why'),
            '404': error('Unknown id'),
            '409': error('Finished, or not awaiting review'),
            '413': error('Body too large'),
            '415': error('Body charset not supported'),
            ...unavailable,
            ...common,
          },
        },
      },
      '/api/videos/{id}/approve': {
        post: {
          operationId: 'approveScript',
          summary: 'Approve the script and continue',
          parameters: [idParameter],
          responses: {
            '202': status('Approved'),
            '404': error('Unknown id'),
            '409': error('Not awaiting review'),
            ...unavailable,
            ...common,
          },
        },
      },
      '/api/videos/{id}/video': {
        get: {
          operationId: 'downloadVideo',
          summary: 'The MP4 (supports one byte Range, If-Range, If-None-Match and HEAD)',
          parameters: [idParameter, { name: 'Range', in: 'header', required: false, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'The whole MP4',
              content: { 'video/mp4': { schema: { type: 'string', contentMediaType: 'video/mp4' } } },
            },
            '206': {
              description: 'The requested range',
              content: { 'video/mp4': { schema: { type: 'string', contentMediaType: 'video/mp4' } } },
            },
            '302': {
              description: 'With ARTIFACT_STORE=s3 and S3_DOWNLOADS=redirect: a presigned URL of the object, valid S3_URL_EXPIRES_SEC',
              headers: { Location: { description: 'The presigned GET URL', schema: { type: 'string', format: 'uri' } } },
            },
            '304': { description: 'Not modified: If-None-Match names the current ETag' },
            '404': error('Unknown id or not completed'),
            '410': error('Completed, but the file is no longer stored (video_gone)'),
            '416': {
              ...error('Range not satisfiable (range_not_satisfiable)'),
              headers: { 'Content-Range': { description: 'bytes */<size of the file>', schema: { type: 'string' } } },
            },
            ...unavailable,
            ...readLimited,
            ...common,
          },
        },
      },
      '/api/batches': {
        post: {
          operationId: 'createBatch',
          summary:
            'Start many videos as one batch: {items} or {pmids, options}, or a text/csv body (a pmid column, or title and text); at most the tenant quota runs at once',
          parameters: [idempotencyHeader('Same key and items: the same batch (200). Same key, other items: 409. Scoped by tenant.')],
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: jsonSchema(batchBodySchema, 'input') },
              'text/csv': { schema: { type: 'string', description: 'A header row (pmid, or title,text), then one video per row' } },
            },
          },
          responses: {
            '202': { description: 'The batch, every item queued', content: jsonContent('Batch') },
            '200': { description: 'Already started with this Idempotency-Key and items', content: jsonContent('Batch') },
            '400': error('Invalid body or CSV, naming the item'),
            '409': error('Idempotency-Key reused with other items'),
            '413': error('Body too large'),
            '415': error('Body is neither JSON nor CSV'),
            '422': error("A slideshow item's upload is not the caller's or is gone"),
            '429': rateLimited,
            ...unavailable,
            ...common,
          },
        },
      },
      '/api/batches/{id}': {
        get: {
          operationId: 'getBatch',
          summary: "A batch's progress and each item's status, video link and error",
          parameters: [idParameter],
          responses: {
            '200': { description: 'The batch', content: jsonContent('Batch') },
            '404': error('Unknown id'),
            ...unavailable,
            ...readLimited,
            ...common,
          },
        },
      },
      '/api/batches/{id}/cancel': {
        post: {
          operationId: 'cancelBatch',
          summary: 'Cancel a batch: its running videos are cancelled and no more start',
          parameters: [idParameter],
          responses: {
            '202': { description: 'Cancel requested', content: jsonContent('Batch') },
            '404': error('Unknown id'),
            '409': error('Already finished (already_finished)'),
            ...unavailable,
            ...common,
          },
        },
      },
      '/api/schedules': {
        post: {
          operationId: 'createSchedule',
          summary:
            'Start a video, a batch or the videos of a saved PubMed search at a given time (at), on a cron schedule (cron, timezone) or at an interval (every), as a Temporal Schedule',
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(scheduleBodySchema, 'input') } } },
          responses: {
            '201': { description: 'The schedule', content: jsonContent('Schedule') },
            '400': error('Invalid body, a time that has passed, or a cron expression or time zone Temporal refuses'),
            '413': error('Body too large'),
            '415': error('Body is not JSON'),
            '422': error("A slideshow's upload is not the caller's or is gone"),
            '429': rateLimited,
            ...unavailable,
            ...common,
          },
        },
        get: {
          operationId: 'listSchedules',
          summary: "The caller's schedules",
          responses: {
            '200': { description: 'The schedules', content: { 'application/json': { schema: { type: 'object' } } } },
            ...unavailable,
            ...readLimited,
            ...common,
          },
        },
      },
      '/api/schedules/{id}': {
        get: {
          operationId: 'getSchedule',
          summary: 'A schedule: when it starts, its next times, and the videos or batches it started',
          parameters: [idParameter],
          responses: {
            '200': { description: 'The schedule', content: jsonContent('Schedule') },
            '404': error('Unknown id'),
            ...unavailable,
            ...readLimited,
            ...common,
          },
        },
        delete: {
          operationId: 'deleteSchedule',
          summary: 'Delete a schedule; the videos it started are left as they are',
          parameters: [idParameter],
          responses: { '204': { description: 'Deleted' }, '404': error('Unknown id'), ...unavailable, ...common },
        },
      },
      '/api/schedules/{id}/pause': {
        post: {
          operationId: 'pauseSchedule',
          summary: 'Pause a schedule: it starts nothing until resumed',
          parameters: [idParameter],
          responses: {
            '200': { description: 'The schedule', content: jsonContent('Schedule') },
            '404': error('Unknown id'),
            ...unavailable,
            ...common,
          },
        },
      },
      '/api/schedules/{id}/resume': {
        post: {
          operationId: 'resumeSchedule',
          summary: 'Resume a paused schedule',
          parameters: [idParameter],
          responses: {
            '200': { description: 'The schedule', content: jsonContent('Schedule') },
            '404': error('Unknown id'),
            ...unavailable,
            ...common,
          },
        },
      },
      '/api/uploads': {
        post: {
          operationId: 'createUploads',
          summary: 'Upload images and audio for slideshows: multipart, each file a part named "file"; all or nothing',
          requestBody: {
            required: true,
            content: {
              'multipart/form-data': {
                schema: {
                  type: 'object',
                  properties: { file: { type: 'array', items: { type: 'string', contentMediaType: 'application/octet-stream' } } },
                },
              },
            },
          },
          responses: {
            '201': { description: 'Every file stored', content: jsonContent('UploadList') },
            '400': error('A part not named file, no file, or a malformed body'),
            '413': error('A file past UPLOAD_MAX_FILE_MB (upload_refused) or more than UPLOAD_MAX_FILES files (too_many_files)'),
            '415': error('Not multipart, or a file that is not an image or audio ffmpeg reads (upload_refused)'),
            '422': error('An image past UPLOAD_MAX_PIXELS or damaged, or audio past UPLOAD_MAX_AUDIO_SEC (upload_refused)'),
            '429': rateLimited,
            ...common,
          },
        },
      },
      '/api/uploads/{id}': {
        get: {
          operationId: 'getUpload',
          summary: "An upload's record",
          parameters: [idParameter],
          responses: {
            '200': { description: 'The upload', content: jsonContent('Upload') },
            '404': error("Unknown, expired or another tenant's upload"),
            ...readLimited,
            ...common,
          },
        },
      },
      '/api/videos/{id}/thumbnail': {
        get: {
          operationId: 'getThumbnail',
          summary: 'The poster JPEG of a completed video (Range, ETag and HEAD as for the MP4)',
          parameters: [idParameter],
          responses: {
            '200': { description: 'The JPEG', content: { 'image/jpeg': { schema: { type: 'string', contentMediaType: 'image/jpeg' } } } },
            '206': { description: 'The requested range', content: { 'image/jpeg': { schema: { type: 'string' } } } },
            '304': { description: 'Not modified' },
            '404': error('Unknown id or not completed'),
            '410': error('Completed, but the file is no longer stored (video_gone)'),
            '416': error('Range not satisfiable (range_not_satisfiable)'),
            ...unavailable,
            ...readLimited,
            ...common,
          },
        },
      },
      '/api/videos/{id}/subtitles': {
        get: {
          operationId: 'getSubtitles',
          summary: 'The subtitles of a completed video, as SubRip or (format=vtt) WebVTT',
          parameters: [
            idParameter,
            ...Object.entries((jsonSchema(subtitlesQuerySchema, 'input') as { properties: Record<string, unknown> }).properties).map(
              ([name, schema]) => ({ name, in: 'query', required: false, schema }),
            ),
          ],
          responses: {
            '200': {
              description: 'The subtitles',
              content: {
                'application/x-subrip': { schema: { type: 'string' } },
                'text/vtt': { schema: { type: 'string' } },
              },
            },
            '206': {
              description: 'The requested range of the SubRip file',
              content: { 'application/x-subrip': { schema: { type: 'string' } } },
            },
            '304': { description: 'Not modified' },
            '400': error('Invalid query'),
            '404': error('Unknown id or not completed'),
            '410': error('Completed, but the file is no longer stored (video_gone)'),
            '416': error('Range not satisfiable (range_not_satisfiable)'),
            ...unavailable,
            ...readLimited,
            ...common,
          },
        },
      },
      '/api/webhooks/videos': {
        post: {
          operationId: 'createVideoFromWebhook',
          summary: 'Start a video from a signed delivery (404 unless WEBHOOK_SECRET is set)',
          security: [],
          parameters: [
            {
              name: SIGNATURE_HEADER,
              in: 'header',
              required: true,
              description: 'sha256=<hex HMAC-SHA256 under WEBHOOK_SECRET of "<timestamp>.<delivery id>.<raw body>">',
              schema: { type: 'string', pattern: '^sha256=[0-9a-fA-F]{64}$' },
            },
            {
              name: TIMESTAMP_HEADER,
              in: 'header',
              required: true,
              description: 'Unix time in seconds when the delivery was signed; refused when more than WEBHOOK_TOLERANCE_SEC (300) away',
              schema: { type: 'string', pattern: '^[0-9]{1,12}$' },
            },
            {
              name: DELIVERY_HEADER,
              in: 'header',
              required: true,
              description: 'Unique per delivery; a replay returns the same video and starts nothing',
              schema: { type: 'string', minLength: 1, maxLength: 255 },
            },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(createVideoBodySchema, 'input') } } },
          responses: {
            '202': status('Started'),
            '200': status('Delivery already seen'),
            '400': error('Invalid body or delivery id'),
            '401': error('Missing or wrong signature (invalid_signature), or a timestamp outside the window (stale_delivery)'),
            '404': error('No webhook secret is configured'),
            '409': error('Delivery id reused with another body'),
            '413': error('Body too large'),
            '429': rateLimited,
            '500': error('Internal error'),
            ...unavailable,
          },
        },
      },
      '/health': {
        get: {
          operationId: 'health',
          summary: 'Temporal reachable and a worker polling each task queue; open, cached for HEALTH_CACHE_SEC',
          security: [],
          responses: {
            '200': { description: 'Healthy', content: jsonContent('HealthSummary') },
            '503': { description: 'Unhealthy; problems says what is missing', content: jsonContent('HealthSummary') },
          },
        },
      },
      '/api/health': {
        get: {
          operationId: 'healthDetails',
          summary: 'The same check with the pollers of each task queue and when it ran',
          responses: {
            '200': { description: 'Healthy', content: jsonContent('HealthReport') },
            '503': { description: 'Unhealthy; problems says what is missing', content: jsonContent('HealthReport') },
            '403': error('Admin keys are configured and this is not one of them'),
            ...readLimited,
            ...common,
          },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'openApiDocument',
          summary: 'This document',
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
    },
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'One of API_KEYS; required only when it is set' } },
      schemas: {
        CreateVideoBody: jsonSchema(createVideoBodySchema, 'input'),
        Upload: jsonSchema(uploadSchema, 'output'),
        Batch: jsonSchema(batchSchema, 'output'),
        Schedule: {
          type: 'object',
          required: ['id', 'kind', 'paused', 'when', 'nextRunsAt', 'recentRuns', 'createdAt'],
          properties: {
            id: { type: 'string' },
            kind: { enum: ['video', 'batch', 'search'] },
            search: {
              type: 'object',
              description: 'A saved search: its PubMed query, the newest papers each firing looks at, and the window in days',
              properties: { term: { type: 'string' }, papers: { type: 'integer' }, days: { type: 'integer' } },
            },
            paused: { type: 'boolean' },
            note: { type: 'string' },
            remainingRuns: { type: 'integer', description: 'Firings left: 1 for an `at` schedule that has not fired' },
            when: { type: 'object', description: 'at, cron (and timezone) or every, as sent' },
            nextRunsAt: { type: 'array', items: { type: 'string' } },
            recentRuns: {
              type: 'array',
              items: { type: 'object', properties: { id: { type: 'string' }, url: { type: 'string' }, scheduledAt: { type: 'string' } } },
            },
            createdAt: { type: 'string' },
          },
        },
        UploadList: jsonSchema(uploadListSchema, 'output'),
        Script: jsonSchema(scriptSchema, 'input'),
        VideoStatus: jsonSchema(videoStatusSchema, 'output'),
        VideoList: jsonSchema(videoListSchema, 'output'),
        HealthSummary: jsonSchema(healthSummarySchema, 'output'),
        HealthReport: jsonSchema(healthReportSchema, 'output'),
        Error: jsonSchema(errorBodySchema, 'output'),
      },
    },
  };
}
