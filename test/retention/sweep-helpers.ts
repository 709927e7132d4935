/** What the retention tests share: a narrator that fails a run on cue, and one sweep through the schedule. */
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../src/config';
import type { NarrateRequest, Narrator } from '../../src/providers/contracts';
import { ProviderRejectedError } from '../../src/providers/errors';
import { EspeakNarrator } from '../../src/providers/local/espeak-narrator';
import { ensureMediaRetentionSchedule } from '../../src/retention/media-retention-schedule';
import { mediaRetentionScheduleId, type MediaSweepResult } from '../../src/shared/media-retention';
import { WORKFLOW_TYPE } from '../../src/shared/temporal-names';
import type { generateVideo } from '../../src/workflows';
import { pollUntil } from '../helpers/poll';
import { shortVideoInput } from '../helpers/short-video';

/** A text holding this makes RefusingNarrator fail the run for good. */
export const REFUSED = 'Refused-for-the-test';
/** A text of two scenes whose second is refused, so the first leaves files behind. */
export const FAILING_TEXT = `Bees dance to tell others where flowers are.\n\n${REFUSED}: the angle of the dance points at the food.`;

export const DAY_MS = 86_400_000;
/** A retention of `s` seconds, in days. */
export const seconds = (s: number) => s / 86_400;

/** Speaks every text but one holding REFUSED, which fails the run for good. */
export class RefusingNarrator implements Narrator {
  private readonly inner = new EspeakNarrator({ fallbackVoice: 'en-us' });
  async narrate(request: NarrateRequest) {
    if (request.text.includes(REFUSED)) throw new ProviderRejectedError('The speech service refused this text (test)');
    return this.inner.narrate(request);
  }
}

/** Resolves once `ms` have passed since `since`, so a retention of that length has run out. */
export const passed = (since: number, ms: number) =>
  pollUntil(
    async () => Date.now(),
    (t) => t > since + ms,
    ms + 10_000,
    50,
  );

/** Starts a short video on `taskQueue`; `text` replaces its source text. */
export function startVideo(client: Client, taskQueue: string, options: Parameters<typeof shortVideoInput>[0] = {}, text?: string) {
  const input = shortVideoInput(options);
  if (text) input.source = { type: 'text', title: 'How bees find flowers', text };
  return client.workflow.start<typeof generateVideo>(WORKFLOW_TYPE, { taskQueue, workflowId: input.videoId, args: [input] });
}

/** Brings the schedule to these settings (as a worker start does) and runs one sweep through it. */
export async function sweepWith(
  client: Client,
  taskQueue: string,
  settings: { completedDays: number; failedDays: number },
): Promise<MediaSweepResult> {
  const config = loadConfig({
    TASK_QUEUE: taskQueue,
    MEDIA_RETENTION_DAYS: String(settings.completedDays),
    MEDIA_RETENTION_FAILED_DAYS: String(settings.failedDays),
  });
  await ensureMediaRetentionSchedule(client, config);
  const schedule = client.schedule.getHandle(mediaRetentionScheduleId(taskQueue));
  const taken = (await schedule.describe()).info.recentActions.length;
  await schedule.trigger('ALLOW_ALL');
  const described = await pollUntil(
    () => schedule.describe(),
    (d) => d.info.recentActions.length > taken,
    30_000,
  );
  const action = described.info.recentActions.at(-1)?.action;
  if (!action) throw new Error('The schedule took no action');
  return client.workflow.getHandle(action.workflow.workflowId, action.workflow.firstExecutionRunId).result() as Promise<MediaSweepResult>;
}
