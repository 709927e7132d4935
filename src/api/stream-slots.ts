/**
 * Admission for Server-Sent-Events streams. Each open stream holds a socket, a file descriptor and
 * a listener for as long as it lives, so one process holds at most `maxStreams` and one caller (a
 * tenant, or a client address) at most `maxPerCaller`. Streams also end at `maxAgeMs`, which is
 * what makes a refused caller's wait finite: the `Retry-After` of a refusal is the time until the
 * oldest stream in its way reaches that age.
 */
import { HttpError } from './http-error';

export interface StreamLimits {
  /** @default 1000 (SSE_MAX_STREAMS) */
  maxStreams: number;
  /** @default 20 (SSE_MAX_STREAMS_PER_TENANT) */
  maxPerCaller: number;
  /** @default 900_000 (SSE_MAX_AGE_SEC) */
  maxAgeMs: number;
}

interface Slot {
  caller: string;
  openedAt: number;
}

export class StreamSlots {
  /** Insertion order is opening order, so the first entry of each set is its oldest stream. */
  private readonly all = new Set<Slot>();
  private readonly byCaller = new Map<string, Set<Slot>>();

  constructor(
    readonly limits: StreamLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes a slot for `caller`, or throws 429 `too_many_streams` with `Retry-After`. The returned
   * function gives the slot back; calling it again does nothing, so every way a stream ends may.
   */
  acquire(caller: string): () => void {
    const mine = this.byCaller.get(caller);
    if (mine && mine.size >= this.limits.maxPerCaller) {
      throw this.refusal(mine, `At most ${this.limits.maxPerCaller} event streams may be open per caller; close one or retry later`);
    }
    if (this.all.size >= this.limits.maxStreams) {
      throw this.refusal(this.all, 'This server has as many event streams open as it allows; retry later');
    }
    const slot: Slot = { caller, openedAt: this.now() };
    this.all.add(slot);
    const set = mine ?? new Set<Slot>();
    set.add(slot);
    this.byCaller.set(caller, set);
    return () => {
      if (!this.all.delete(slot)) return;
      set.delete(slot);
      if (set.size === 0 && this.byCaller.get(caller) === set) this.byCaller.delete(caller);
    };
  }

  /** Streams open in this process. */
  get open(): number {
    return this.all.size;
  }

  /** Streams open for one caller. */
  openFor(caller: string): number {
    return this.byCaller.get(caller)?.size ?? 0;
  }

  /** Callers with at least one open stream; the per-caller map never outgrows the open streams. */
  get callers(): number {
    return this.byCaller.size;
  }

  private refusal(slots: Set<Slot>, message: string): HttpError {
    const oldest = slots.values().next().value;
    const waitMs = oldest ? oldest.openedAt + this.limits.maxAgeMs - this.now() : this.limits.maxAgeMs;
    return new HttpError(429, 'too_many_streams', message, undefined, { 'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))) });
  }
}
