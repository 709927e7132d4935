/**
 * Shares one status poller per video among every Server-Sent-Events client watching it, so a
 * thousand viewers of one video cost Temporal the same as one. It also holds the process's stream
 * admission (`streams`), since both end together when the API stops.
 */
import type { VideoStatusBody } from './schemas';
import { isTerminal } from './status-body';
import { StreamSlots, type StreamLimits } from './stream-slots';

type Listener = (status: VideoStatusBody) => void;
type FailListener = (error: unknown) => void;
type CloseListener = () => void;

interface Watch {
  listeners: Set<{ onStatus: Listener; onError: FailListener; onClose?: CloseListener }>;
  last?: string;
  lastStatus?: VideoStatusBody;
  timer?: NodeJS.Timeout;
}

/** Caps when none are given: effectively none, for callers that build a broadcaster alone. */
const UNLIMITED: StreamLimits = { maxStreams: Number.MAX_SAFE_INTEGER, maxPerCaller: Number.MAX_SAFE_INTEGER, maxAgeMs: 2 ** 31 - 1 };

export class StatusBroadcaster {
  private readonly watches = new Map<string, Watch>();
  private closed = false;
  /** Which event streams may open, and how long each may live. */
  readonly streams: StreamSlots;

  constructor(
    private readonly readStatus: (videoId: string) => Promise<VideoStatusBody>,
    private readonly intervalMs = 1000,
    limits: StreamLimits = UNLIMITED,
  ) {
    this.streams = new StreamSlots(limits);
  }

  /**
   * Calls `onStatus` with the current status and on every change; returns an unsubscribe function.
   * `onClose` is called when the broadcaster closes (the API is stopping), at once if it already has.
   */
  subscribe(videoId: string, onStatus: Listener, onError: FailListener, onClose?: CloseListener): () => void {
    if (this.closed) {
      if (onClose) queueMicrotask(onClose);
      return () => undefined;
    }
    let watch = this.watches.get(videoId);
    const entry = { onStatus, onError, onClose };
    if (!watch) {
      watch = { listeners: new Set() };
      this.watches.set(videoId, watch);
      watch.listeners.add(entry);
      void this.poll(videoId, watch);
    } else {
      watch.listeners.add(entry);
      if (watch.lastStatus) onStatus(watch.lastStatus);
    }
    return () => {
      watch.listeners.delete(entry);
      if (watch.listeners.size === 0) this.stop(videoId, watch);
    };
  }

  /** How many videos are being polled; for tests and metrics. */
  get activePollers(): number {
    return this.watches.size;
  }

  /** How many clients are watching, over all videos; for metrics. */
  get activeListeners(): number {
    let count = 0;
    for (const watch of this.watches.values()) count += watch.listeners.size;
    return count;
  }

  /** Stops every poller and tells every watcher, so that no event stream holds the server open. */
  close(): void {
    this.closed = true;
    // Copies: a watcher's onClose unsubscribes, which changes both collections.
    for (const [id, watch] of [...this.watches]) {
      this.stop(id, watch);
      for (const l of [...watch.listeners]) l.onClose?.();
    }
  }

  private stop(videoId: string, watch: Watch): void {
    clearTimeout(watch.timer);
    if (this.watches.get(videoId) === watch) this.watches.delete(videoId);
  }

  private async poll(videoId: string, watch: Watch): Promise<void> {
    if (this.watches.get(videoId) !== watch) return;
    try {
      const status = await this.readStatus(videoId);
      const serialized = JSON.stringify(status);
      if (serialized !== watch.last) {
        watch.last = serialized;
        watch.lastStatus = status;
        for (const l of watch.listeners) l.onStatus(status);
      }
      if (isTerminal(status.status)) return this.stop(videoId, watch);
    } catch (err) {
      for (const l of watch.listeners) l.onError(err);
      return this.stop(videoId, watch);
    }
    if (this.watches.get(videoId) === watch) {
      watch.timer = setTimeout(() => void this.poll(videoId, watch), this.intervalMs);
    }
  }
}
