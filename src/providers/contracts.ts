/**
 * The interfaces every provider adapter implements. A stage's local adapter and its paid
 * adapter pass the same conformance suite (test/providers/conformance), so the pipeline never
 * needs to know which one it is talking to.
 */
import type { ClipStep } from '../shared/clip-step';
import type { Scene, Script, SourceDocument } from '../shared/video';
import type { PresetName } from '../shared/presets';

/** What a paid call reported costing; local adapters report 0. */
export interface Spend {
  /** Provider credits (Runway). */
  credits: number;
  /** Tokens billed (prompt and output), for providers that bill by token and report it (Gemini). */
  tokens?: number;
}

/** Fetches a paper by PMID. Throws SourceNotFoundError for unknown ids or papers without abstract. */
/** A saved search: the newest `max` papers matching `term`, added to PubMed within `days` when set. */
export interface PubmedSearch {
  term: string;
  max: number;
  days?: number;
}

export interface SourceProvider {
  fetchPubmed(pmid: string, signal: AbortSignal): Promise<SourceDocument>;
  /** The PMIDs of the newest papers matching a search, newest first. */
  searchPubmed(search: PubmedSearch, signal: AbortSignal): Promise<string[]>;
}

export interface WriteScriptRequest {
  document: SourceDocument;
  maxScenes: number;
  signal: AbortSignal;
}

/**
 * Turns a document into a script: scene 0 is a title scene, every scene's narration stays
 * short enough to be spoken in about 15 seconds (40 words).
 */
export interface ScriptWriter {
  /**
   * The writer and its settings (model, version of its own method), for the step cache
   * (src/cache): two writers with the same identity write the same script from the same document.
   * Absent: its scripts are never cached.
   */
  readonly cacheIdentity?: string;
  writeScript(request: WriteScriptRequest): Promise<{ script: Script; spend: Spend }>;
}

export interface NarrateRequest {
  text: string;
  voice: string;
  /** Absolute path of the WAV file to write. */
  outPath: string;
  signal: AbortSignal;
}

/** Speaks a text into a WAV file at `outPath`. */
export interface Narrator {
  /** The narrator and its settings, for the step cache; absent: never cached. */
  readonly cacheIdentity?: string;
  narrate(request: NarrateRequest): Promise<{ spend: Spend }>;
}

export type { ClipStep } from '../shared/clip-step';

export interface SubmitClipStepRequest {
  scene: Scene;
  step: string;
  /** Outputs of the scene's earlier steps, by step name (the image a video starts from). */
  inputs: Record<string, string>;
  /** The video's format; 720p when absent. */
  preset?: PresetName;
}

export interface AwaitClipStepRequest {
  scene: Scene;
  step: string;
  taskId: string;
  /** Where the last step writes the clip (an MP4); earlier steps hand back an output instead. */
  outPath?: string;
  /** The video's format; 720p when absent. */
  preset?: PresetName;
  signal: AbortSignal;
  /** Progress of the provider's job, 0–1. */
  onProgress: (fraction: number) => void;
}

/** A finished step: what the next step starts from, and what the provider billed for it. */
export interface ClipStepOutcome {
  output?: string;
  spend: Spend;
}

/**
 * Produces a scene's clip as a chain of provider tasks. Submitting and waiting are separate calls
 * so that the orchestrator records a task id durably before it waits on it: a task is submitted
 * once, and every later wait, after a crash, a timeout or a deploy, resumes that same task.
 */
export interface ClipGenerator {
  /**
   * Everything that determines the clip of `scene` in `preset` (provider, models, settings, and the
   * scene fields it reads), for the step cache; undefined: never cached.
   */
  cacheKey?(scene: Scene, preset: PresetName | undefined): unknown;
  /** The steps of a scene's clip, in order, each with its quote. */
  plan(scene: Scene): ClipStep[];
  /**
   * Submits one step and resolves with the provider's task id. It takes no abort signal on
   * purpose: a request that may already have reached the provider is seen through to its answer,
   * so the task it created is known (and can be resumed or deleted) rather than lost.
   * Throws SubmissionUnconfirmedError when the provider may have created a task whose id never
   * arrived.
   */
  submit(request: SubmitClipStepRequest): Promise<{ taskId: string }>;
  /** Waits for a submitted task; never deletes it, whatever ends the wait. */
  await(request: AwaitClipStepRequest): Promise<ClipStepOutcome>;
  /** Deletes a task that is no longer wanted. Only a user's cancel calls this. */
  cancel(taskId: string): Promise<void>;
}
