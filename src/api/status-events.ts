/**
 * `GET /api/videos/:id/events`: a Server-Sent-Events stream of status snapshots. Snapshots come
 * from the shared StatusBroadcaster; a comment line every 15 s keeps proxies from closing it. When
 * the API stops, the broadcaster closes and every stream ends, so no stream holds the server open.
 * Streams are admitted within the broadcaster's caps and end at their maximum age with
 * `event: reconnect`, so no stream lives as long as a video may wait for review.
 */
import type { Request, Response } from 'express';
import { callerKey } from './rate-limiter';
import type { StatusBroadcaster } from './status-broadcaster';
import { isTerminal } from './status-body';

/** The `retry:` hint sent with `event: reconnect`: EventSource waits this long before reconnecting. */
export const RECONNECT_DELAY_MS = 1000;
/** Streams end between 90 % and 100 % of the maximum age, so streams opened together do not all reconnect together. */
const AGE_JITTER = 0.1;

/**
 * Streams `videoId`'s status to one client until the run ends or the client leaves. Snapshots are
 * shared by every watcher as they are: their links come from configuration, not from a request.
 */
export function streamStatusEvents(
  req: Request,
  res: Response,
  broadcaster: StatusBroadcaster,
  videoId: string,
  keepAliveMs: number,
): void {
  // Throws 429 too_many_streams before anything of the stream is sent.
  const release = broadcaster.streams.acquire(callerKey(req, res));
  res.status(200).set({
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  let sequence = 0;
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
  const { maxAgeMs } = broadcaster.streams.limits;
  const maxAge = setTimeout(
    () => {
      const data = { reason: 'max_age', maxAgeSec: Math.round(maxAgeMs / 1000) };
      res.write(`retry: ${RECONNECT_DELAY_MS}\nevent: reconnect\ndata: ${JSON.stringify(data)}\n\n`);
      end();
    },
    maxAgeMs * (1 - AGE_JITTER * Math.random()),
  );
  // Every way a stream ends (its end event, an error, its age, the API stopping, the client
  // leaving) comes through here at least once; the slot is given back exactly once.
  const finish = () => {
    clearInterval(keepAlive);
    clearTimeout(maxAge);
    unsubscribe();
    release();
  };
  const end = () => {
    finish();
    res.end();
  };
  const unsubscribe = broadcaster.subscribe(
    videoId,
    (status) => {
      const terminal = isTerminal(status.status);
      res.write(`id: ${++sequence}\nevent: ${terminal ? 'end' : 'status'}\ndata: ${JSON.stringify(status)}\n\n`);
      if (terminal) setImmediate(end);
    },
    () => {
      res.write(
        `event: error\ndata: ${JSON.stringify({ error: { code: 'status_unavailable', message: 'The status could not be read' } })}\n\n`,
      );
      setImmediate(end);
    },
    // The API is stopping: the stream ends without an `end` event, so EventSource clients
    // reconnect (to another instance, or to this one once it is back) and get a fresh snapshot.
    end,
  );
  res.on('close', finish);
}
