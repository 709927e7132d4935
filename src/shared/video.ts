/**
 * Workflow-safe types that describe a video: its input, its script and its observable state.
 * Imported by workflows, activities and the API alike, so nothing here may touch Node APIs.
 */
import type { PresetName } from './presets';

/** Where the video's content comes from. */
export type VideoSource = { type: 'pubmed'; pmid: string } | { type: 'text'; title: string; text: string } | SlideshowSource;

/** A video made of the user's own images (from `POST /api/uploads`), as the API hands it to the workflow. */
export interface SlideshowSource {
  type: 'slideshow';
  title: string;
  /** In order of appearance; a caption is narrated (without a soundtrack) and shown as subtitles. */
  images: { upload: string; caption?: string }[];
  /** An audio upload played under the whole video instead of narration. */
  audio?: string;
  /** Time each image is on screen, unless its narration needs longer. */
  secondsPerImage: number;
  transition: 'fade' | 'none';
  /** `letterbox` shows the whole image over a blurred copy of itself; `crop` fills the frame. */
  fit: 'letterbox' | 'crop';
}

/** Per-video choices. Every field has a default filled in by the API before the run starts. */
export interface VideoOptions {
  /** Stop at `awaiting_review` after the script is written, until approved. */
  review: boolean;
  /** How long a review may wait before the run ends, in seconds. */
  reviewTimeoutSec: number;
  /** Upper bound of scenes written for the video (title scene included). */
  maxScenes: number;
  /** Narration voice name; its meaning depends on the narration provider. */
  voice: string;
  /** Scenes narrated and drawn at the same time, at most. */
  sceneConcurrency: number;
  /** Spend ceiling in provider credits; a submission that would pass it is refused. */
  maxCredits?: number;
  /** Draws the captions into the picture too; every MP4 carries them as a soft track anyway. */
  burnCaptions?: boolean;
  /** The output format (src/shared/presets.ts); 720p when absent. */
  preset?: PresetName;
}

/** How far the workflow goes in submitting a paid step again; deployment configuration, not a user's choice. */
export interface PaidStepLimits {
  /** Submissions made again after one whose answer was lost, each counted as possibly billed. */
  unconfirmedResubmits: number;
  /** Submissions made again after a provider task failed for a transient reason. */
  transientResubmits: number;
}

export const DEFAULT_PAID_STEP_LIMITS: PaidStepLimits = { unconfirmedResubmits: 1, transientResubmits: 2 };

/** The argument of the `generateVideo` workflow. */
export interface GenerateVideoInput {
  videoId: string;
  source: VideoSource;
  options: VideoOptions;
  /** Absent in runs started before it existed; DEFAULT_PAID_STEP_LIMITS then apply. */
  paidSteps?: PaidStepLimits;
  /** Set on a retry: what an earlier run of the video finished, which this run takes over. */
  reuse?: ReusedWork;
  /**
   * Who shares cached provider outputs with this run (src/cache): `shared` or `tenant:<name>`.
   * Absent: nothing is looked up or stored, as in runs started before the cache existed.
   */
  cacheScope?: CacheScope;
}

/** See GenerateVideoInput.cacheScope. */
export type CacheScope = 'shared' | `tenant:${string}`;

/** An activity's word that its output came from the cache, and what making it cost at first. */
export interface Reused {
  reused?: { credits: number; tokens?: number };
}

/**
 * One scene's finished work in a run. Files are names in that run's folder; `stepOutputs` are
 * what clip steps before the last handed on (a provider's output URL), by step name.
 */
export interface FinishedScene {
  index: number;
  narration?: { audioFile: string; durationSec: number };
  clipFile?: string;
  stepOutputs?: Record<string, string>;
}

/** What a retry takes over from the run it retries, instead of paying for it again. */
export interface ReusedWork {
  /** The retried video; its files are copied into the new video's folder before anything else. */
  fromVideoId: string;
  script: Script;
  /** The script was approved (or needed no review), so the new run does not stop for review. */
  approved: boolean;
  scenes: FinishedScene[];
}

/** What a run has finished so far, as the `finishedWork` query answers: enough to retry it. */
export interface FinishedWork {
  source: VideoSource;
  options: VideoOptions;
  script?: Script;
  approved: boolean;
  scenes: FinishedScene[];
}

/** A paper or text, reduced to what a script writer needs. */
export interface SourceDocument {
  title: string;
  sections: { label?: string; text: string }[];
  authors: string[];
  journal?: string;
  year?: number;
  doi?: string;
  pmid?: string;
}

/** One scene of the script: a short on-screen title and what the narrator says. */
export interface Scene {
  index: number;
  title: string;
  narration: string;
  /** A visual description for clip generators; falls back to the title. */
  visual?: string;
}

export interface Script {
  title: string;
  scenes: Scene[];
}

export const STAGES = [
  'queued',
  'fetching_source',
  'writing_script',
  'awaiting_review',
  'narrating',
  'generating_clips',
  'rendering',
  'done',
] as const;
export type VideoStage = (typeof STAGES)[number];

export const RUN_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

export interface SceneState {
  index: number;
  title: string;
  narration: StepState;
  clip: StepState;
  /** Narration length in seconds, once narrated. */
  durationSec?: number;
  /** Steps whose output came from the cache: made by an earlier run, paid nothing in this one. */
  reused?: ('narration' | 'clip')[];
}

export interface VideoResult {
  /** Path of the MP4 relative to the video's media folder. */
  file: string;
  durationSec: number;
  bytes: number;
}

export interface VideoError {
  type: string;
  message: string;
  stage: VideoStage;
}

/** What a run has cost, in provider credits. */
export interface VideoSpend {
  /**
   * Everything counted against `maxCredits`: the bill of finished tasks, the quote of tasks still
   * running, and the quote of submissions whose answer was lost.
   */
  credits: number;
  /** What providers reported billing for finished tasks. */
  billedCredits?: number;
  /** The part of `credits` from submissions whose answer was lost: possibly billed, never confirmed. */
  unconfirmedCredits?: number;
  /** Tokens billed by providers that bill by token (Gemini script and narration), as they report them. */
  tokens?: number;
  /** Steps whose output came from the cache (the script, narrations, clips): paid nothing in this run. */
  reusedSteps?: number;
  /** What those outputs cost the run that made them, in credits: what the cache saved. */
  savedCredits?: number;
}

/** What the workflow knows about itself; the API adds ids, URLs and timestamps around it. */
export interface VideoState {
  videoId: string;
  status: RunStatus;
  stage: VideoStage;
  /** 0–100, never decreasing. */
  progress: number;
  title?: string;
  scenes: SceneState[];
  spend: VideoSpend;
  result?: VideoResult;
  error?: VideoError;
  /** Workflow time of the last change, ISO 8601. */
  updatedAt: string;
  /** While awaiting review: when the run gives up waiting for an approval, ISO 8601. */
  reviewDeadline?: string;
}
