/**
 * Videos this API process has deleted. Temporal deletes a run's history and visibility record
 * asynchronously (about half a minute on a dev server), so until it has, the API answers for a
 * deleted video as if it were already gone: 404 on every route, and absent from lists. Another
 * API process learns of it when Temporal's deletion completes.
 */
export class DeletedVideos {
  private readonly ids = new Map<string, number>();

  constructor(
    /** Longer than Temporal takes to delete a run; past it, Temporal's own answer is used. */
    private readonly keepMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  add(videoId: string): void {
    this.prune();
    this.ids.set(videoId, this.now() + this.keepMs);
  }

  has(videoId: string): boolean {
    const until = this.ids.get(videoId);
    return until !== undefined && until > this.now();
  }

  private prune(): void {
    const now = this.now();
    for (const [id, until] of this.ids) if (until <= now) this.ids.delete(id);
  }
}
