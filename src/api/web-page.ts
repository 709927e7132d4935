/**
 * The web page at `/`: static files from src/web, served by the API itself so that the page and
 * the API share an origin and its keys. The shell is open (it holds no data); every data call the
 * page makes carries the key. A strict Content-Security-Policy allows only this origin's script,
 * style, media and connections, and blob: media for pages that fetch files with a key.
 */
import path from 'node:path';
import express, { Router } from 'express';

/** Where the page's files are: src/web beside src/api, and dist/src/web once built. */
export const WEB_ROOT = path.resolve(__dirname, '..', 'web');

const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of every file of the page: revalidated on each load (ETag), never framed or sniffed. */
function pageHeaders(res: express.Response): void {
  res.set({
    'Cache-Control': 'no-cache',
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
}

export function webPage(root = WEB_ROOT): Router {
  const router = Router();
  const files = express.static(root, { index: false, setHeaders: pageHeaders, fallthrough: true });
  router.get('/', (_req, res, next) => {
    pageHeaders(res);
    res.sendFile(path.join(root, 'index.html'), (err) => err && next(err));
  });
  router.use('/assets', files);
  return router;
}
