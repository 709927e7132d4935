/**
 * Per-tenant quotas, enforced when a video starts: how many videos a tenant may have running at
 * once (TENANT_MAX_RUNNING) and how many credits its videos may spend over any 24 hours
 * (TENANT_CREDITS_PER_DAY), with per-tenant overrides in TENANT_QUOTAS.
 *
 * Both are counted from Temporal visibility, scoped by the `VideoTenant` search attribute, so
 * every API process sees the same totals. A running video counts its budget (`maxCredits`, which
 * the workflow never passes); an ended one counts what it spent (`VideoCredits`), or its budget
 * when it ended without saying (terminated, or ended before that attribute existed). Within one
 * process, starts of one tenant are admitted one at a time, and videos it started in the last few
 * seconds are read directly (describe), so they count even before visibility lists them.
 */
import { WorkflowNotFoundError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import type { Config, TenantQuota } from '../config';
import { VIDEO_CREDITS_KEY, VIDEO_TENANT_KEY, WORKFLOW_TYPE } from '../shared/temporal-names';
import { HttpError } from './http-error';
import { visibilityString as quoted } from './visibility-query';

const DAY_MS = 24 * 3600_000;
/** How long a start counts from this process's memory, covering visibility's indexing delay. */
const VISIBILITY_LAG_MS = 10_000;
/** Retry-After for a tenant at its running limit: about how long a short video takes. */
const RUNNING_RETRY_AFTER_SEC = 30;

export interface Admission {
  /** The budget the video starts with: the one asked for, or the default one under a credit quota. */
  maxCredits: number | undefined;
}

interface RecentStart {
  at: number;
  /** Counted when the run cannot be described. */
  budget: number;
}

/** What the quotas read of a run, from a visibility listing or a describe. */
type RunInfo = Pick<WorkflowExecutionInfo, 'memo' | 'status' | 'typedSearchAttributes'>;

export class TenantQuotas {
  /** Per tenant, the admission in progress; the next one waits for it. */
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Per tenant, videos this process started recently, by id. */
  private readonly recent = new Map<string, Map<string, RecentStart>>();

  constructor(
    private readonly client: Client,
    private readonly config: Pick<Config, 'api' | 'runway' | 'defaults' | 'temporal'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The quota that applies to a tenant: its override where TENANT_QUOTAS has one. */
  quotaOf(tenant: string): { maxRunning: number; creditsPerDay: number | undefined } {
    const { maxRunning, creditsPerDay, perTenant } = this.config.api.quotas;
    const own: TenantQuota | undefined = perTenant[tenant];
    return {
      maxRunning: own?.maxRunning ?? maxRunning,
      creditsPerDay: own?.creditsPerDay === null ? undefined : (own?.creditsPerDay ?? creditsPerDay),
    };
  }

  /**
   * The most a video of `maxScenes` scenes may be quoted at the configured Runway prices, plus one
   * clip of headroom for a resubmission. The API cannot know which clip provider the workers use,
   * so it budgets for the paid one; a video drawn locally spends 0 and counts 0 once it ends.
   */
  defaultBudget(maxScenes: number): number {
    const { imageCredits, durationSec, videoCreditsPerSecond } = this.config.runway;
    return (maxScenes + 1) * (imageCredits + durationSec * videoCreditsPerSecond);
  }

  /**
   * Runs `start` once the tenant's quotas allow another video, one admission per tenant at a time
   * in this process. Throws 429 `too_many_running` or 402 `credit_quota_exceeded` otherwise.
   */
  async admit<T extends { videoId: string; created: boolean }>(
    tenant: string,
    request: { maxCredits?: number; maxScenes: number },
    start: (admission: Admission) => Promise<T>,
  ): Promise<T> {
    const previous = this.queues.get(tenant) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.admitNow(tenant, request, start));
    this.queues.set(tenant, run);
    try {
      return await run;
    } finally {
      if (this.queues.get(tenant) === run) this.queues.delete(tenant);
    }
  }

  private async admitNow<T extends { videoId: string; created: boolean }>(
    tenant: string,
    request: { maxCredits?: number; maxScenes: number },
    start: (admission: Admission) => Promise<T>,
  ): Promise<T> {
    const quota = this.quotaOf(tenant);
    const recent = this.recentStarts(tenant);
    if (quota.maxRunning > 0) await this.checkRunning(tenant, quota.maxRunning, recent);
    let maxCredits = request.maxCredits;
    if (quota.creditsPerDay !== undefined) {
      maxCredits ??= this.defaultBudget(request.maxScenes);
      await this.checkCredits(tenant, quota.creditsPerDay, maxCredits, recent);
    }
    const outcome = await start({ maxCredits });
    if (outcome.created) recent.set(outcome.videoId, { at: this.now(), budget: maxCredits ?? 0 });
    return outcome;
  }

  private recentStarts(tenant: string): Map<string, RecentStart> {
    let recent = this.recent.get(tenant);
    if (!recent) {
      recent = new Map();
      this.recent.set(tenant, recent);
    }
    const t = this.now();
    // One map per tenant that ever started a video here: bounded by the configured keys.
    for (const [id, start] of recent) if (t - start.at > VISIBILITY_LAG_MS) recent.delete(id);
    return recent;
  }

  private base(tenant: string): string {
    return [
      `WorkflowType = ${quoted(WORKFLOW_TYPE)}`,
      `TaskQueue = ${quoted(this.config.temporal.taskQueue)}`,
      `VideoTenant = ${quoted(tenant)}`,
    ].join(' AND ');
  }

  /** A recent start visibility has not listed yet, read where it is always current. */
  private async describeRecent(videoId: string): Promise<RunInfo | undefined> {
    try {
      return await this.client.workflow.getHandle(videoId).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return undefined;
      throw err;
    }
  }

  private async checkRunning(tenant: string, maxRunning: number, recent: Map<string, RecentStart>): Promise<void> {
    const running = new Set<string>();
    // Reads at most one page past the limit: enough to know the limit is reached.
    const query = `${this.base(tenant)} AND ExecutionStatus = 'Running'`;
    for await (const info of this.client.workflow.list({ query, pageSize: maxRunning + 1 })) {
      running.add(info.workflowId);
      if (running.size >= maxRunning) break;
    }
    for (const id of recent.keys()) {
      if (running.size >= maxRunning || running.has(id)) continue;
      if ((await this.describeRecent(id))?.status.name === 'RUNNING') running.add(id);
    }
    if (running.size < maxRunning) return;
    throw new HttpError(
      429,
      'too_many_running',
      `This tenant already has ${maxRunning} videos running, its limit; start more once some have ended`,
      { maxRunning },
      { 'Retry-After': String(RUNNING_RETRY_AFTER_SEC) },
    );
  }

  private async checkCredits(tenant: string, creditsPerDay: number, budget: number, recent: Map<string, RecentStart>): Promise<void> {
    const since = this.now() - DAY_MS;
    const counted = new Map<string, { startedAt: number; credits: number }>();
    const query = `${this.base(tenant)} AND StartTime >= '${new Date(since).toISOString()}'`;
    for await (const info of this.client.workflow.list({ query, pageSize: 1000 })) {
      counted.set(info.workflowId, { startedAt: info.startTime.getTime(), credits: creditsOf(info) });
    }
    for (const [id, start] of recent) {
      if (counted.has(id)) continue;
      const info = await this.describeRecent(id);
      counted.set(id, { startedAt: start.at, credits: info ? creditsOf(info) : start.budget });
    }
    let used = 0;
    for (const c of counted.values()) used += c.credits;
    used = Math.round(used * 100) / 100;
    if (used + budget <= creditsPerDay) return;
    // Credits come back as the oldest counted video leaves the 24-hour window.
    const oldest = Math.min(...[...counted.values()].filter((c) => c.credits > 0).map((c) => c.startedAt));
    const retryAfterSec = Number.isFinite(oldest) ? Math.max(1, Math.ceil((oldest + DAY_MS - this.now()) / 1000)) : 3600;
    const remaining = Math.max(0, creditsPerDay - used);
    throw new HttpError(
      402,
      'credit_quota_exceeded',
      `This video's budget of ${budget} credits would pass the tenant's ${creditsPerDay} credits per 24 hours ` +
        `(${used} used or reserved, ${remaining} left); pass options.maxCredits of at most ${remaining}, or retry later`,
      { creditsPerDay, used, remaining, budget },
      { 'Retry-After': String(retryAfterSec) },
    );
  }
}

/** What one video counts against its tenant's daily credits. */
function creditsOf(info: RunInfo): number {
  const budget = typeof info.memo?.maxCredits === 'number' ? info.memo.maxCredits : 0;
  if (info.status.name === 'RUNNING') return budget;
  const spent = info.typedSearchAttributes.get(VIDEO_CREDITS_KEY);
  return typeof spent === 'number' ? spent : budget;
}

/** The tenant a run belongs to; undefined for runs started before tenants existed. */
export const tenantOf = (info: Pick<WorkflowExecutionInfo, 'typedSearchAttributes'>): string | undefined =>
  info.typedSearchAttributes.get(VIDEO_TENANT_KEY);
