/**
 * The route of a request as metrics and spans name it: the route's template, never the raw path,
 * so that every video id does not become a series of its own.
 */
import type { Request } from 'express';

/** `/api/videos/:id/events` for `/api/videos/video-1234/events`; `unmatched` for paths no route served. */
export function routeLabel(req: Request): string {
  // Express sets req.route on the route that handled the request and keeps it, even on errors.
  if (!req.route) return 'unmatched';
  const path = req.originalUrl.split('?')[0] ?? '';
  return path.replace(/^\/api\/videos\/[^/]+/, '/api/videos/:id');
}
