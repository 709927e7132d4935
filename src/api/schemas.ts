/**
 * Request and response schemas of the HTTP API. The same objects validate requests and produce
 * the OpenAPI document (src/api/openapi.ts), so the two cannot drift apart.
 */
import { z } from 'zod';
import { MAX_SCENES_PER_SCRIPT, MAX_VISUAL_CHARS, MAX_WORDS_PER_SCENE } from '../shared/validate-script';
import { PRESET_NAMES } from '../shared/presets';
import { RUN_STATUSES, STAGES } from '../shared/video';
import { UPLOAD_ID_PATTERN } from '../uploads/upload-records';
import { TENANT_ID_PATTERN } from './api-keys';

/** Images in one slideshow, at most. */
export const MAX_SLIDESHOW_IMAGES = 100;

export const pubmedSourceSchema = z
  .object({
    type: z.literal('pubmed'),
    pmid: z.string().regex(/^[1-9][0-9]{0,8}$/, 'pmid must be 1 to 9 digits without a leading zero'),
  })
  .strict();

export const textSourceSchema = z
  .object({
    type: z.literal('text'),
    title: z.string().trim().min(1, 'title must not be empty').max(300),
    text: z.string().trim().min(1, 'text must not be empty').max(50_000),
  })
  .strict();

const uploadIdSchema = z.string().regex(UPLOAD_ID_PATTERN, 'expected an upload id from POST /api/uploads');

export const slideshowSourceSchema = z
  .object({
    type: z.literal('slideshow'),
    title: z.string().trim().min(1).max(300).optional().describe('The video title; the first caption (or "Slideshow") when absent'),
    images: z
      .array(
        z.union([
          uploadIdSchema,
          z
            .object({
              upload: uploadIdSchema,
              caption: z
                .string()
                .trim()
                .min(1)
                .max(1000)
                .refine((t) => t.split(/\s+/).length <= MAX_WORDS_PER_SCENE, `caption must have at most ${MAX_WORDS_PER_SCENE} words`)
                .optional(),
            })
            .strict(),
        ]),
      )
      .min(1)
      .max(MAX_SLIDESHOW_IMAGES)
      .describe('Image uploads in order, each an id or {upload, caption}; captions are narrated (without audio) and shown as subtitles'),
    audio: uploadIdSchema
      .optional()
      .describe('An audio upload played under the whole video, looped or cut to its length, instead of narration'),
    secondsPerImage: z
      .number()
      .min(1)
      .max(60)
      .optional()
      .describe('Time on screen per image (default 5); a narrated caption may need longer'),
    transition: z.enum(['fade', 'none']).optional().describe('A crossfade between images (the default) or a cut'),
    fit: z
      .enum(['letterbox', 'crop'])
      .optional()
      .describe('letterbox (default) shows the whole image over a blurred copy of itself; crop fills the frame'),
  })
  .strict();

export const sourceSchema = z.discriminatedUnion('type', [pubmedSourceSchema, textSourceSchema, slideshowSourceSchema]);

export const uploadSchema = z.object({
  id: z.string().describe('Referenced by a slideshow source'),
  type: z.enum(['image', 'audio']),
  name: z.string().describe("The part's file name as sent"),
  bytes: z.number().int(),
  format: z.string().describe('What ffprobe found: jpeg, png or webp; mp3, m4a, wav, webm or ogg'),
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  orientation: z.number().int().min(1).max(8).optional().describe('EXIF orientation; the slideshow turns the image upright'),
  codec: z.string().optional(),
  durationSec: z.number().optional(),
  createdAt: z.string(),
});

export const uploadListSchema = z.object({ uploads: z.array(uploadSchema).describe('One entry per part, in the order sent') });

export const optionsSchema = z
  .object({
    review: z.boolean().optional(),
    reviewTimeoutSec: z
      .number()
      .int()
      .min(10)
      .max(30 * 24 * 3600)
      .optional(),
    maxScenes: z.number().int().min(2).max(MAX_SCENES_PER_SCRIPT).optional(),
    voice: z
      .string()
      .regex(/^[A-Za-z0-9+_-]{1,40}$/, 'voice must be a plain voice name')
      .optional(),
    sceneConcurrency: z.number().int().min(1).max(16).optional(),
    maxCredits: z.number().min(0).max(1_000_000).optional(),
    preset: z
      .enum(PRESET_NAMES)
      .optional()
      .describe('The output format: 720p (1280x720, the default), 1080p (1920x1080), vertical (1080x1920) or square (1080x1080)'),
    burnCaptions: z
      .boolean()
      .optional()
      .describe('Draw the captions into the picture as well; every MP4 carries them as a soft subtitle track anyway'),
  })
  .strict();

export const createVideoBodySchema = z
  .object({
    source: sourceSchema,
    options: optionsSchema.optional(),
  })
  .strict();
export type CreateVideoBody = z.infer<typeof createVideoBodySchema>;

export const listQuerySchema = z
  .object({
    status: z.enum(RUN_STATUSES).optional(),
    stage: z.enum(STAGES).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(4096).optional(),
    tenant: z
      .string()
      .regex(TENANT_ID_PATTERN, 'tenant must be a tenant name')
      .optional()
      .describe("Admin keys only: one tenant's videos. Other keys always list their own"),
  })
  .strict();

export const sceneSchema = z
  .object({
    index: z.number().int().min(0),
    title: z.string().trim().min(1).max(200),
    narration: z
      .string()
      .trim()
      .min(1)
      .max(4000)
      .refine((t) => t.split(/\s+/).length <= MAX_WORDS_PER_SCENE, `narration must have at most ${MAX_WORDS_PER_SCENE} words`),
    visual: z
      .string()
      .max(MAX_VISUAL_CHARS)
      .regex(/\S/, 'visual must not be blank when given')
      .optional()
      .describe(`The clip prompt; the scene title stands in when it is absent. At most ${MAX_VISUAL_CHARS} characters`),
  })
  .strict();

export const scriptSchema = z
  .object({
    title: z.string().trim().min(1).max(300),
    scenes: z.array(sceneSchema).min(1).max(MAX_SCENES_PER_SCRIPT),
  })
  .strict();

/** `POST /api/videos/:id/revisions`: the whole edited script, or some fields of some scenes. */
export const revisionBodySchema = z
  .object({
    script: scriptSchema.optional().describe('The whole script, as GET /script returns it, edited'),
    scenes: z
      .array(
        z
          .object({
            index: z.number().int().min(0),
            title: sceneSchema.shape.title.optional(),
            narration: sceneSchema.shape.narration.optional(),
            visual: sceneSchema.shape.visual,
          })
          .strict(),
      )
      .min(1)
      .max(MAX_SCENES_PER_SCRIPT)
      .optional()
      .describe('Fields of some scenes to change; the others stay as they are'),
  })
  .strict()
  .refine((body) => (body.script === undefined) !== (body.scenes === undefined), 'send either script or scenes');
export type RevisionBody = z.infer<typeof revisionBodySchema>;

const stepState = z.enum(['pending', 'running', 'done', 'failed', 'cancelled']);

export const videoRetrySchema = z.object({
  activity: z.string().describe('The activity being retried, e.g. fetchSource or narrateScene'),
  attempt: z.number().int().describe('The attempt running or due next; 2 is the first retry'),
  lastError: z.object({ type: z.string(), message: z.string() }).optional(),
  nextAttemptAt: z.string().optional().describe('When the next attempt starts, while it waits out its backoff'),
});
export type VideoRetry = z.infer<typeof videoRetrySchema>;

export const videoStatusSchema = z.object({
  id: z.string(),
  status: z.enum(RUN_STATUSES),
  stage: z.enum(STAGES),
  progress: z.number().min(0).max(100),
  title: z.string().optional().describe("The script's title once written; before that the source's (a PubMed paper's once fetched)"),
  scenes: z.array(
    z.object({
      index: z.number(),
      title: z.string(),
      narration: stepState,
      clip: stepState,
      durationSec: z.number().optional(),
      reused: z
        .array(z.enum(['narration', 'clip']))
        .optional()
        .describe('Steps answered by the step cache'),
    }),
  ),
  spend: z.object({
    credits: z.number().describe('Counted against maxCredits: billed, still running at its quote, and possibly billed'),
    billedCredits: z.number().optional().describe('What the clip provider reported billing for finished tasks'),
    unconfirmedCredits: z.number().optional().describe('Quotes of submissions whose answer was lost; possibly billed'),
    tokens: z.number().optional().describe('Tokens billed by token-billed providers (Gemini)'),
    reusedSteps: z.number().optional().describe('Outputs (script, narrations, clips) the step cache answered: paid nothing in this run'),
    savedCredits: z.number().optional().describe('What those outputs cost the run that made them'),
  }),
  retries: z.array(videoRetrySchema).optional().describe('Steps of a running video that failed and are being retried'),
  stale: z
    .literal(true)
    .optional()
    .describe(
      'No worker answered: status and stage are what Temporal knows (the VideoStage search attribute), progress is where that stage starts, scenes and spend are not known',
    ),
  result: z.object({ videoUrl: z.string(), durationSec: z.number(), bytes: z.number() }).optional(),
  error: z.object({ type: z.string(), message: z.string(), stage: z.enum(STAGES) }).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  webUiUrl: z.string(),
  tenant: z.string().optional().describe('The tenant that owns the video (absent for runs started before tenants existed)'),
  retryOf: z.string().optional().describe('The failed or cancelled video this run retries, taking over what it had finished'),
  revisionOf: z.string().optional().describe('The video whose script this run edits (POST /api/videos/:id/revisions)'),
  reviewDeadline: z.string().optional().describe('While awaiting review: when the run ends unless the script is approved'),
});
export type VideoStatusBody = z.infer<typeof videoStatusSchema>;

export const subtitlesQuerySchema = z
  .object({ format: z.enum(['srt', 'vtt']).default('srt').describe('SubRip (the stored file) or WebVTT (for a browser <track>)') })
  .strict();

export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

export const videoListSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      title: z.string().nullable().describe("A text source's title; a PubMed paper's once the run has fetched it, null before then"),
      status: z.enum(RUN_STATUSES),
      stage: z.enum(STAGES),
      createdAt: z.string(),
      closedAt: z.string().optional(),
      statusUrl: z.string(),
      webUiUrl: z.string(),
      progress: z
        .number()
        .min(0)
        .max(100)
        .describe("Where the video's current stage starts (100 once completed); the status has the exact figure"),
      thumbnailUrl: z.string().optional().describe('The poster JPEG, once completed'),
      tenant: z.string().optional().describe('The tenant that owns the video (absent for runs started before tenants existed)'),
      retryOf: z.string().optional().describe('The video this run retries'),
    }),
  ),
  nextCursor: z.string().nullable(),
});

/** `GET /health`, open to anyone: whether the service can run videos, and what is missing. */
export const healthSummarySchema = z.object({
  ok: z.boolean(),
  temporal: z.enum(['reachable', 'unreachable']),
  problems: z.array(z.string()),
});

/** `GET /api/health`, behind the API key: the summary plus each task queue's pollers. */
export const healthReportSchema = healthSummarySchema.extend({
  taskQueues: z.array(z.object({ name: z.string(), kind: z.enum(['workflow', 'activity']), pollers: z.number().int() })),
  checkedAt: z.string().describe('When Temporal was asked; reports are reused for HEALTH_CACHE_SEC'),
});
