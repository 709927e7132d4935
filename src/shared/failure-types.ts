/**
 * Stable `ApplicationFailure.type` values. Workflows and the API branch on these, never on
 * message text; the retry column says how Temporal treats each.
 */
export const FailureType = {
  /** The request cannot succeed as given (bad PMID format, empty text). Not retried. */
  InvalidInput: 'InvalidInput',
  /** The source does not exist or has nothing to narrate. Not retried. */
  SourceNotFound: 'SourceNotFound',
  /** A provider refused the content on safety grounds. Not retried. */
  SafetyBlocked: 'SafetyBlocked',
  /** A provider answered with something that does not fit its contract. Retried a few times. */
  InvalidProviderReply: 'InvalidProviderReply',
  /** A provider asked us to slow down (429). Retried after its Retry-After. */
  RateLimited: 'RateLimited',
  /** A provider or network error that may pass. Retried. */
  ProviderUnavailable: 'ProviderUnavailable',
  /** The provider rejected our credentials or request permanently. Not retried. */
  ProviderRejected: 'ProviderRejected',
  /** A provider task failed for good on its side. Not retried. */
  ProviderTaskFailed: 'ProviderTaskFailed',
  /**
   * A provider task failed for a reason a new submission may fix. The wait is not retried; the
   * workflow resubmits the step, at most `PAID_STEP_LIMITS.transientResubmits` times.
   */
  TaskFailedTransient: 'TaskFailedTransient',
  /**
   * A paid submission's answer was lost, or its worker was lost before the task id was recorded.
   * The workflow counts the possible charge and submits again at most
   * `PAID_STEP_LIMITS.unconfirmedResubmits` times.
   */
  SubmissionUnconfirmed: 'SubmissionUnconfirmed',
  /**
   * Another run was making this step's output (src/cache/step-claims.ts) and stopped before it
   * stored it. Retried: the retry makes the output itself.
   */
  ClaimReleased: 'ClaimReleased',
  /** The next paid submission would pass `options.maxCredits`. Not retried. */
  BudgetExceeded: 'BudgetExceeded',
  /** ffmpeg, ffprobe or espeak-ng failed. Retried. */
  MediaToolFailed: 'MediaToolFailed',
  /** An edited script breaks the script rules (refused by the editScript update's validator). */
  InvalidScript: 'InvalidScript',
  /** A script edit arrived when the video was not awaiting review. */
  NotAwaitingReview: 'NotAwaitingReview',
  /** An upload a slideshow uses is gone (removed by retention) or is not the kind of file it needs. Not retried. */
  UploadMissing: 'UploadMissing',
  /** A script review waited longer than its timeout. */
  ReviewTimedOut: 'ReviewTimedOut',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];
