/**
 * Narrators that misbehave on purpose, for retry and cancellation tests: each records when it was
 * called, so a test can read the backoff between attempts.
 */
import path from 'node:path';
import type { NarrateRequest, Narrator, Spend } from '../../src/providers/contracts';
import { ProviderUnavailableError, type ProviderError } from '../../src/providers/errors';
import { artifactOfWorkingCopy } from '../../src/storage/artifact-names';

/** The artifact a narration writes: each attempt writes its own working copy of it. */
const artifactPath = (outPath: string) => path.join(path.dirname(outPath), artifactOfWorkingCopy(path.basename(outPath)));

/**
 * Fails the first `failures` calls for each output file with `makeError()`, then hands the call
 * to `inner`. `failures: Infinity` makes a narrator that never works.
 */
export class FlakyNarrator implements Narrator {
  /** Every call, in order: which stored file it was for and when it started (ms since epoch). */
  readonly calls: { outPath: string; at: number }[] = [];

  constructor(
    private readonly inner: Narrator,
    private readonly failures: number,
    private readonly makeError: () => ProviderError = () => new ProviderUnavailableError('The speech service is unavailable (test)'),
  ) {}

  async narrate(request: NarrateRequest): Promise<{ spend: Spend }> {
    const outPath = artifactPath(request.outPath);
    this.calls.push({ outPath, at: Date.now() });
    const earlier = this.calls.filter((c) => c.outPath === outPath).length - 1;
    if (earlier < this.failures) throw this.makeError();
    return this.inner.narrate(request);
  }

  /** Start times of the calls made for one stored file (e.g. `store.path(videoId, 'scene-00.wav')`). */
  callTimes(outPath: string): number[] {
    return this.calls.filter((c) => c.outPath === outPath).map((c) => c.at);
  }
}

/** Never finishes on its own (after its first `narrated` calls): it waits until its activity is cancelled, like a stuck TTS call. */
export class WaitingNarrator implements Narrator {
  private calls = 0;

  /** With `inner`, the first `narrated` calls go to it, and only later ones wait. */
  constructor(
    private readonly inner?: Narrator,
    private readonly narrated = 0,
  ) {}

  async narrate(request: NarrateRequest): Promise<{ spend: Spend }> {
    if (this.inner && this.calls++ < this.narrated) return this.inner.narrate(request);
    return new Promise((_resolve, reject) => {
      const abort = () => reject(request.signal.reason instanceof Error ? request.signal.reason : new Error('aborted'));
      if (request.signal.aborted) abort();
      else request.signal.addEventListener('abort', abort, { once: true });
    });
  }
}
