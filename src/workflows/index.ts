/** The workflow bundle's entry point: every workflow type the worker registers. */
export { generateVideo } from './generate-video';
export { mediaRetention } from './media-retention';
export { videoBatch } from './video-batch';
export { scheduledStart } from './scheduled-start';
export { stepClaim } from './step-claim';
