/**
 * `GET /api/videos/:id/events`: a Server-Sent-Events stream of status snapshots. Snapshots come
 * from the shared StatusBroadcaster; a comment line every 15 s keeps proxies from closing it.
 */
import type { Request, Response } from 'express';
import type { StatusBroadcaster } from './status-broadcaster';
import { isTerminal } from './status-body';

const KEEP_ALIVE_MS = 15_000;

export function streamStatusEvents(req: Request, res: Response, broadcaster: StatusBroadcaster, videoId: string): void {
  res.status(200).set({
    'Content-Type': 'text/event-stream',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  let sequence = 0;
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  const end = () => {
    clearInterval(keepAlive);
    unsubscribe();
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
  );
  req.on('close', () => {
    clearInterval(keepAlive);
    unsubscribe();
  });
}
