/**
 * The share of the progress bar a video has reached when each stage starts. The workflow raises
 * its progress to these marks; the API reports them as the least a video has reached when only
 * its stage is known (no worker to ask).
 */
import type { VideoStage } from './video';

export const STAGE_PROGRESS: Record<VideoStage, number> = {
  queued: 0,
  fetching_source: 1,
  writing_script: 5,
  awaiting_review: 15,
  narrating: 15,
  generating_clips: 15,
  rendering: 85,
  done: 100,
};
