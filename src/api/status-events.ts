/**
 * `GET /api/videos/:id/events`: a Server-Sent-Events stream of status snapshots. Snapshots come
 * from the shared StatusBroadcaster; a comment line every 15 s keeps proxies from closing it. When
 * the API stops, the broadcaster closes and every stream ends, so no stream holds the server open.
 */
import type { Request, Response } from 'express';
import type { StatusBroadcaster } from './status-broadcaster';
import type { VideoStatusBody } from './schemas';
import { isTerminal, type StatusContext } from './status-body';

/**
 * Streams `videoId`'s status to one client until the run ends or the client leaves. Snapshots are
 * shared by every watcher, so links in them are rebased on this request's `apiBaseUrl`.
 */
export function streamStatusEvents(
  req: Request,
  res: Response,
  broadcaster: StatusBroadcaster,
  videoId: string,
  context: StatusContext,
  keepAliveMs: number,
): void {
  res.status(200).set({
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  let sequence = 0;
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
  const end = () => {
    clearInterval(keepAlive);
    unsubscribe();
    res.end();
  };
  const unsubscribe = broadcaster.subscribe(
    videoId,
    (shared) => {
      const status: VideoStatusBody = shared.result
        ? { ...shared, result: { ...shared.result, videoUrl: `${context.apiBaseUrl}/api/videos/${encodeURIComponent(videoId)}/video` } }
        : shared;
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
  req.on('close', () => {
    clearInterval(keepAlive);
    unsubscribe();
  });
}
