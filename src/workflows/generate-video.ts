/**
 * One video, from source to MP4. Deterministic code only: every side effect is an activity on
 * its stage's task queue, and everything a client may read is kept in a VideoStateTracker.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TimeoutFailure,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import type { ActivitiesByQueue } from '../activities';
import type { NarrateSceneResult } from '../activities/narrate-scene';
import { FailureType } from '../shared/failure-types';
import { activityTaskQueue, TITLE_MEMO_KEY } from '../shared/temporal-names';
import {
  DEFAULT_PAID_STEP_LIMITS,
  type FinishedScene,
  type GenerateVideoInput,
  type Scene,
  type Script,
  type VideoError,
  type VideoState,
} from '../shared/video';
import { ClipChain, OpenTasks } from './clip-chain';
import {
  cleanupOptions,
  clipOptions,
  clipSubmitOptions,
  clipWaitOptions,
  narrationOptions,
  quoteOptions,
  renderOptions,
  scriptOptions,
  sourceOptions,
  uploadCopyOptions,
} from './activity-options';
import { mapBounded, mapSettled, settleAll } from './map-bounded';
import { SpendLedger } from './spend-ledger';
import { FinishedWorkLog } from './finished-work';
import { approveSignal, approveUpdate, editScriptUpdate, finishedWorkQuery, scriptQuery, statusQuery } from './video-messages';
import { VideoStateTracker } from './video-state-tracker';
import { scriptProblems } from '../shared/validate-script';
import { produceSlideshow, slideshowScript } from './slideshow';
import { cacheField } from './cache-field';

/**
 * Runs started before this patch cleaned up as soon as the cancel was requested, while cancelled
 * activities could still be writing into the folder being removed. Newer runs wait until every
 * cancelled activity has stopped, then clean up.
 */
export const WAIT_FOR_CANCELLED_ACTIVITIES_PATCH = 'wait-for-cancelled-activities';

/**
 * Runs started before this patch generated each clip in one activity that checkpointed task ids
 * in heartbeats, ran scenes with Promise.all, quoted before leaving review, and cleaned up on the
 * render queue. Newer runs submit and await each paid step as activities of their own
 * (clip-chain.ts), settle every scene before cleanup, delete open provider tasks on a cancel,
 * clean up on the cleanup queue, and leave review in the same workflow task as the approval.
 */
export const PAID_STEPS_PATCH = 'paid-steps-as-activities';

/**
 * Runs started before this patch kept no title of a PubMed paper where listing reads it. Newer
 * runs write the paper's title into the `title` memo once they have fetched it (a text source's
 * title is in the memo from the start).
 */
export const TITLE_MEMO_PATCH = 'paper-title-memo';

/**
 * Runs started before this patch removed every file of the video when cancelled. Newer runs keep
 * what they finished, so that a retry can take it over; `DELETE /api/videos/:id` and the
 * retention schedule remove it.
 */
export const CANCEL_KEEPS_FILES_PATCH = 'cancel-keeps-finished-files';

function stageActivities() {
  const queue = (name: Parameters<typeof activityTaskQueue>[1]) => activityTaskQueue(workflowInfo().taskQueue, name);
  const cancellation = patched(WAIT_FOR_CANCELLED_ACTIVITIES_PATCH)
    ? { cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED }
    : {};
  return {
    paidSteps: patched(PAID_STEPS_PATCH),
    clipSubmissions: proxyActivities<ActivitiesByQueue['clip-submissions']>({
      ...clipSubmitOptions,
      ...cancellation,
      taskQueue: queue('clip-submissions'),
    }),
    clipWaits: proxyActivities<ActivitiesByQueue['clips']>({ ...clipWaitOptions, ...cancellation, taskQueue: queue('clips') }),
    cleanupQueue: proxyActivities<ActivitiesByQueue['cleanup']>({ ...cleanupOptions, taskQueue: queue('cleanup') }),
    source: proxyActivities<ActivitiesByQueue['source']>({ ...sourceOptions, taskQueue: queue('source') }),
    uploads: proxyActivities<ActivitiesByQueue['source']>({ ...uploadCopyOptions, ...cancellation, taskQueue: queue('source') }),
    script: proxyActivities<ActivitiesByQueue['script']>({ ...scriptOptions, taskQueue: queue('script') }),
    narration: proxyActivities<ActivitiesByQueue['narration']>({ ...narrationOptions, ...cancellation, taskQueue: queue('narration') }),
    clips: proxyActivities<ActivitiesByQueue['clips']>({ ...clipOptions, ...cancellation, taskQueue: queue('clips') }),
    quote: proxyActivities<ActivitiesByQueue['clips']>({ ...quoteOptions, taskQueue: queue('clips') }),
    render: proxyActivities<ActivitiesByQueue['render']>({ ...renderOptions, ...cancellation, taskQueue: queue('render') }),
    cleanup: proxyActivities<ActivitiesByQueue['render']>({ ...cleanupOptions, taskQueue: queue('render') }),
  };
}

/** Turns whatever ended the run into the `error` a client sees. */
function describeFailure(err: unknown, stage: VideoState['stage']): VideoError {
  let cause: unknown = err;
  while (cause instanceof ActivityFailure && cause.cause) cause = cause.cause;
  if (cause instanceof ApplicationFailure) {
    return { type: cause.type ?? 'ApplicationFailure', message: cause.message, stage };
  }
  if (cause instanceof TimeoutFailure) {
    return { type: `Timeout.${cause.timeoutType}`, message: cause.message, stage };
  }
  return { type: 'InternalError', message: err instanceof Error ? err.message : String(err), stage };
}

export type StageActivities = ReturnType<typeof stageActivities>;
type ProducedScene = { index: number; audioFile: string; durationSec: number; clipFile: string };

export async function generateVideo(input: GenerateVideoInput): Promise<VideoState> {
  const { videoId, options } = input;
  const acts = stageActivities();
  const tracker = new VideoStateTracker(videoId);
  const openTasks = new OpenTasks();
  let script: Script | undefined;
  let approved = !options.review;
  let finished = new FinishedWorkLog();

  setHandler(statusQuery, () => tracker.state);
  setHandler(scriptQuery, () => script);
  setHandler(finishedWorkQuery, () => ({ source: input.source, options, script, approved, scenes: finished.list() }));
  const approve = () => {
    approved = true;
  };
  setHandler(approveSignal, approve);
  setHandler(approveUpdate, approve, {
    validator: () => {
      if (approved || tracker.state.stage !== 'awaiting_review') {
        throw ApplicationFailure.nonRetryable('Only a video awaiting review can be approved', FailureType.NotAwaitingReview);
      }
    },
  });
  setHandler(
    editScriptUpdate,
    (edited) => {
      script = edited;
      tracker.setScript(edited);
      return edited;
    },
    {
      validator: (edited) => {
        // Once approved, the script is frozen, even before the stage moves on.
        if (approved || tracker.state.stage !== 'awaiting_review') {
          throw ApplicationFailure.nonRetryable(
            'The script can only be edited while the video awaits review',
            FailureType.NotAwaitingReview,
          );
        }
        const problems = scriptProblems(edited);
        if (problems.length > 0) throw ApplicationFailure.nonRetryable(`Invalid script: ${problems.join('; ')}`, FailureType.InvalidScript);
      },
    },
  );

  try {
    if (input.source.type === 'slideshow') {
      // A source type of its own: no run recorded before it takes this branch, so it needs no patch.
      script = slideshowScript(input.source);
      const result = await produceSlideshow(acts, tracker, input, input.source, script);
      tracker.finish('completed', { result });
      return tracker.state;
    }
    if (input.reuse) {
      // A retry: the earlier run's script, and copies of its finished files, instead of paying again.
      const { fromVideoId } = input.reuse;
      tracker.setStage('fetching_source');
      const { copied } = await acts.source.copyFinishedFiles.executeWithOptions({ summary: `take over the work of ${fromVideoId}` }, [
        { fromVideoId, videoId, names: finishedFileNames(input.reuse.scenes) },
      ]);
      finished = FinishedWorkLog.adopting(input.reuse, copied);
      script = input.reuse.script;
      tracker.setScript(script);
      if (input.reuse.approved) approved = true;
    } else {
      tracker.setStage('fetching_source');
      const document = await acts.source.fetchSource(input.source);
      if (input.source.type === 'pubmed' && patched(TITLE_MEMO_PATCH)) upsertMemo({ [TITLE_MEMO_KEY]: document.title });

      tracker.setStage('writing_script');
      // Activity summaries name each call in the Web UI; they are metadata, which replay does not compare.
      const written = await acts.script.writeScript.executeWithOptions({ summary: 'write script' }, [
        { videoId, document, maxScenes: options.maxScenes, ...cacheField(input) },
      ]);
      script = written.script;
      tracker.addSpend(written.spend);
      tracker.noteReused(written.reused);
      tracker.setScript(script);
    }

    // Not `approved`: an approve signal sent before review must still pass through it, as it always has.
    if (options.review && !input.reuse?.approved) {
      // Workflow time, so the same on replay; a query reads it and no command carries it.
      tracker.state.reviewDeadline = new Date(Date.now() + options.reviewTimeoutSec * 1000).toISOString();
      tracker.setStage('awaiting_review');
      if (!(await condition(() => approved, `${options.reviewTimeoutSec}s`))) {
        throw ApplicationFailure.create({
          type: FailureType.ReviewTimedOut,
          message: `The script was not approved within ${options.reviewTimeoutSec} seconds`,
          nonRetryable: true,
        });
      }
    }

    const produced = acts.paidSteps
      ? await produceScenes(acts, tracker, openTasks, finished, input, script)
      : await produceScenesInOneActivity(acts, tracker, finished, input, script);

    tracker.setStage('rendering');
    const result = await acts.render.renderVideo.executeWithOptions({ summary: `render ${produced.length} scenes` }, [
      {
        videoId,
        script,
        scenes: produced,
        ...(options.burnCaptions ? { burnCaptions: true } : {}),
        ...(options.preset ? { preset: options.preset } : {}),
      },
    ]);
    tracker.finish('completed', { result });
    return tracker.state;
  } catch (err) {
    if (isCancellation(err)) {
      if (!acts.paidSteps) {
        tracker.finish('cancelled');
        await CancellationScope.nonCancellable(() => acts.cleanup.discardVideoFiles({ videoId }));
        throw err;
      }
      // Every scene has settled (mapSettled): nothing writes into the folder any more.
      await CancellationScope.nonCancellable(async () => {
        const taskIds = openTasks.list();
        if (taskIds.length > 0) await acts.cleanupQueue.cancelClipTasks({ taskIds });
        if (!patched(CANCEL_KEEPS_FILES_PATCH)) await acts.cleanupQueue.discardVideoFiles({ videoId });
      });
      tracker.finish('cancelled');
      throw err;
    }
    const error = describeFailure(err, tracker.state.stage);
    log.warn('Video failed', { videoId, type: error.type, stage: error.stage });
    tracker.finish('failed', { error });
    throw ApplicationFailure.create({ type: error.type, message: error.message, nonRetryable: true, details: [tracker.state] });
  }
}

/**
 * Narrates one scene and keeps its state; once the last narration is done, the stage moves on to
 * the clips still running. Shared by both scene paths, whose narration is the same.
 */
function sceneNarrator(
  acts: StageActivities,
  tracker: VideoStateTracker,
  finished: FinishedWorkLog,
  input: GenerateVideoInput,
  sceneCount: number,
) {
  let narrationsLeft = sceneCount;
  return async (scene: Scene): Promise<NarrateSceneResult> => {
    const takenOver = finished.get(scene.index)?.narration;
    let narrated: NarrateSceneResult;
    if (takenOver) {
      narrated = { ...takenOver, spend: { credits: 0 } };
    } else {
      tracker.setStep(scene.index, 'narration', 'running');
      narrated = await settledStep(tracker, scene.index, 'narration', () =>
        acts.narration.narrateScene.executeWithOptions({ summary: `narrate scene ${scene.index}` }, [
          { videoId: input.videoId, scene, voice: input.options.voice, ...cacheField(input) },
        ]),
      );
      tracker.addSpend(narrated.spend);
      tracker.noteReused(narrated.reused, { index: scene.index, name: 'narration' });
      finished.narrated(scene.index, narrated);
    }
    tracker.setStep(scene.index, 'narration', 'done', narrated.durationSec);
    if (--narrationsLeft === 0) tracker.setStage('generating_clips');
    return narrated;
  };
}

/**
 * Runs one scene's step and, when it ends without a result, marks it `failed` (its own failure)
 * or `cancelled` (stopped by a cancel, or by another scene's failure). State only: no command.
 */
async function settledStep<T>(tracker: VideoStateTracker, index: number, step: 'narration' | 'clip', run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    tracker.setStep(index, step, isCancellation(err) ? 'cancelled' : 'failed');
    throw err;
  }
}

/** The files a retry copies from the run it retries: finished narrations and clips. */
function finishedFileNames(scenes: FinishedScene[]): string[] {
  return scenes.flatMap((s) => [s.narration?.audioFile, s.clipFile].filter((name): name is string => name !== undefined));
}

/**
 * Narration and clip of every scene, at most `sceneConcurrency` scenes at once. Each paid clip
 * step is submitted and awaited as activities of its own (clip-chain.ts); a failure or a cancel
 * stops the other scenes and returns only once all of them have ended.
 */
async function produceScenes(
  acts: StageActivities,
  tracker: VideoStateTracker,
  openTasks: OpenTasks,
  finished: FinishedWorkLog,
  input: GenerateVideoInput,
  script: Script,
): Promise<ProducedScene[]> {
  const { videoId, options } = input;
  tracker.setStage('narrating');
  const plans = await acts.clipWaits.planClips(script.scenes);
  const ledger = new SpendLedger(tracker.state.spend, options.maxCredits, () => tracker.touch());
  const chain = new ClipChain(
    { submit: acts.clipSubmissions, clips: acts.clipWaits },
    ledger,
    openTasks,
    input.paidSteps ?? DEFAULT_PAID_STEP_LIMITS,
    videoId,
    finished,
    options.preset,
    input.cacheScope,
    (index, reused) => tracker.noteReused(reused, { index, name: 'clip' }),
  );
  const narrate = sceneNarrator(acts, tracker, finished, input, script.scenes.length);
  return mapSettled(script.scenes, options.sceneConcurrency, async (scene: Scene) => {
    const draw = async () => {
      let clipFile = finished.get(scene.index)?.clipFile;
      if (!clipFile) {
        tracker.setStep(scene.index, 'clip', 'running');
        clipFile = await settledStep(tracker, scene.index, 'clip', () => chain.produce(scene, plans[scene.index] ?? []));
        finished.clipped(scene.index, clipFile);
      }
      tracker.setStep(scene.index, 'clip', 'done');
      return clipFile;
    };
    const [narrated, clipFile] = (await settleAll<unknown>([narrate(scene), draw()])) as [NarrateSceneResult, string];
    return { index: scene.index, audioFile: narrated.audioFile, durationSec: narrated.durationSec, clipFile };
  });
}

/** The scenes stage of runs started before PAID_STEPS_PATCH; unchanged so that they replay. */
async function produceScenesInOneActivity(
  acts: StageActivities,
  tracker: VideoStateTracker,
  finished: FinishedWorkLog,
  input: GenerateVideoInput,
  script: Script,
): Promise<ProducedScene[]> {
  const { videoId, options } = input;
  const scenes = script.scenes;
  const quotes = options.maxCredits === undefined ? undefined : await acts.quote.quoteClips(scenes);
  let reserved = 0;

  tracker.setStage('narrating');
  const narrate = sceneNarrator(acts, tracker, finished, input, scenes.length);
  return mapBounded(scenes, options.sceneConcurrency, async (scene: Scene) => {
    const draw = async () => {
      const quote = quotes?.[scene.index] ?? 0;
      if (options.maxCredits !== undefined && tracker.state.spend.credits + reserved + quote > options.maxCredits) {
        throw ApplicationFailure.create({
          type: FailureType.BudgetExceeded,
          message: `Scene ${scene.index} would cost ${quote} credits, passing the budget of ${options.maxCredits}`,
          nonRetryable: true,
        });
      }
      reserved += quote;
      tracker.setStep(scene.index, 'clip', 'running');
      const clip = await acts.clips.generateClip({ videoId, scene });
      reserved -= quote;
      tracker.addSpend(clip.spend);
      tracker.setStep(scene.index, 'clip', 'done');
      return clip;
    };
    const [narrated, clip] = await Promise.all([narrate(scene), draw()]);
    return { index: scene.index, audioFile: narrated.audioFile, durationSec: narrated.durationSec, clipFile: clip.clipFile };
  });
}
