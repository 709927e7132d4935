/**
 * The deployment's media retention schedule, kept by every workflow worker at start: created
 * when missing, brought to the current settings when present, so a fleet of workers starting at
 * once all succeed and the last configuration wins. An operator's pause in the Web UI is kept.
 */
import { ScheduleAlreadyRunning, ScheduleNotFoundError, type Client, type ScheduleOptions } from '@temporalio/client';
import type { Config } from '../config';
import { logger } from '../shared-node/logger';
import { MEDIA_RETENTION_WORKFLOW_TYPE, mediaRetentionScheduleId, type MediaRetentionPolicy } from '../shared/media-retention';

export type RetentionScheduleConfig = Pick<Config, 'retention' | 'artifacts'> & { temporal: Pick<Config['temporal'], 'taskQueue'> };

/** What worker start did to the schedule. */
export type RetentionScheduleOutcome = 'created' | 'updated' | 'removed' | 'off';

const MIN_INTERVAL_MS = 1000;
const MIN_CATCHUP_MS = 60_000;

/** The rules the schedule's sweeps apply, from the configuration. */
export function mediaRetentionPolicy(config: RetentionScheduleConfig): MediaRetentionPolicy {
  return {
    completedDays: config.retention.completedDays,
    failedDays: config.retention.failedDays,
    keepIntermediateFiles: config.artifacts.keepIntermediateFiles,
  };
}

const describeDays = (days: number) => (days === 0 ? 'kept forever' : `${days} day${days === 1 ? '' : 's'}`);

/** The schedule's note in the Web UI: the settings in words. */
export function mediaRetentionNote(config: RetentionScheduleConfig): string {
  const policy = mediaRetentionPolicy(config);
  return [
    `Media retention every ${config.retention.sweepMinutes} min:`,
    `completed runs ${describeDays(policy.completedDays)},`,
    `failed/cancelled runs ${describeDays(policy.failedDays)},`,
    `completed runs keep ${policy.keepIntermediateFiles ? 'every file' : 'only what they serve'}`,
    '(MEDIA_RETENTION_DAYS, MEDIA_RETENTION_FAILED_DAYS, MEDIA_RETENTION_SWEEP_MINUTES, KEEP_INTERMEDIATE_FILES).',
  ].join(' ');
}

function scheduleSettings(config: RetentionScheduleConfig) {
  const everyMs = Math.max(MIN_INTERVAL_MS, Math.round(config.retention.sweepMinutes * 60_000));
  const scheduleId = mediaRetentionScheduleId(config.temporal.taskQueue);
  return {
    spec: { intervals: [{ every: everyMs }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: MEDIA_RETENTION_WORKFLOW_TYPE,
      args: [mediaRetentionPolicy(config)],
      taskQueue: config.temporal.taskQueue,
      // The server appends each action's time, so every sweep is a run of its own.
      workflowId: scheduleId,
    },
    policies: {
      // A sweep still running when the next is due makes that one pointless.
      overlap: 'SKIP' as const,
      // After an outage one sweep catches up, not one per missed interval.
      catchupWindow: Math.max(MIN_CATCHUP_MS, everyMs),
      pauseOnFailure: false,
    },
  } satisfies Pick<ScheduleOptions, 'spec' | 'action' | 'policies'>;
}

/**
 * Creates or updates the schedule to match `config`; removes it when MEDIA_RETENTION_SWEEP_MINUTES
 * is 0. Safe to call from many workers at once.
 */
export async function ensureMediaRetentionSchedule(client: Client, config: RetentionScheduleConfig): Promise<RetentionScheduleOutcome> {
  const scheduleId = mediaRetentionScheduleId(config.temporal.taskQueue);
  const handle = client.schedule.getHandle(scheduleId);
  if (config.retention.sweepMinutes === 0) {
    try {
      await handle.delete();
      return 'removed';
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) return 'off';
      throw err;
    }
  }
  const settings = scheduleSettings(config);
  const note = mediaRetentionNote(config);
  try {
    await client.schedule.create({
      scheduleId,
      ...settings,
      memo: {
        description: `Deletes expired media of the videos on task queue ${config.temporal.taskQueue}; see docs/production.md, Retention.`,
      },
      state: { note },
    });
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  await handle.update((current) => ({
    ...current,
    ...settings,
    // A pause set by an operator stays, with the operator's note saying why.
    state: { ...current.state, note: current.state.paused ? current.state.note : note },
  }));
  return 'updated';
}

/**
 * Worker start's part: keeps the schedule when this worker runs workflows, and logs what it did.
 * A failure is logged, not thrown: videos must not stop for want of a cleanup schedule.
 */
export async function keepMediaRetentionSchedule(client: Client, config: RetentionScheduleConfig & Pick<Config, 'workerRoles'>) {
  if (config.workerRoles && !config.workerRoles.includes('workflows')) return;
  const scheduleId = mediaRetentionScheduleId(config.temporal.taskQueue);
  try {
    const outcome = await ensureMediaRetentionSchedule(client, config);
    logger.info('media retention schedule', { scheduleId, outcome, ...config.retention });
  } catch (err) {
    logger.error('media retention schedule not kept', { scheduleId, error: (err as Error).message });
  }
}
