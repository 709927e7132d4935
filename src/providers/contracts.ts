/**
 * The interfaces every provider adapter implements. A stage's local adapter and its paid
 * adapter pass the same conformance suite (test/providers/conformance), so the pipeline never
 * needs to know which one it is talking to.
 */
import type { Scene, Script, SourceDocument } from '../shared/video';

/** What a paid call reported costing; local adapters report 0. */
export interface Spend {
  credits: number;
}

/** Fetches a paper by PMID. Throws SourceNotFoundError for unknown ids or papers without abstract. */
export interface SourceProvider {
  fetchPubmed(pmid: string, signal: AbortSignal): Promise<SourceDocument>;
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
  narrate(request: NarrateRequest): Promise<{ spend: Spend }>;
}

/** How far a clip job got; stored in heartbeat details so a retry resumes instead of paying again. */
export interface ClipCheckpoint {
  /** The provider's task id, once the paid task was submitted. */
  taskId?: string;
  /** Upstream image task, for two-step (text→image→video) providers. */
  imageTaskId?: string;
  /** Credits already committed by the submitted tasks. */
  credits?: number;
}

export interface GenerateClipRequest {
  scene: Scene;
  /** Absolute path of the MP4 file to write. */
  outPath: string;
  signal: AbortSignal;
  /** Checkpoint from an earlier attempt of the same activity. */
  resume?: ClipCheckpoint;
  /**
   * Must be awaited right before each paid submission. It clears the way for the checkpoint
   * that follows to reach Temporal at once (heartbeats are otherwise throttled), which closes
   * the window in which a crash could lose a task id and pay for the clip twice.
   */
  beforeSubmit?: () => Promise<void>;
  /** Must be called as soon as a paid task exists, before waiting on it. */
  onCheckpoint: (checkpoint: ClipCheckpoint) => void;
  /** Progress of the provider's job, 0–1. */
  onProgress: (fraction: number) => void;
}

/** Produces a short video clip for a scene at `outPath`. */
export interface ClipGenerator {
  /** Credits a new submission for one scene would cost, checked against a video's budget. */
  estimateCredits(scene: Scene): number;
  generateClip(request: GenerateClipRequest): Promise<{ spend: Spend }>;
}
