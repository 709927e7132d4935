/**
 * The base of every absolute link the API writes (`result.videoUrl`, a list item's `statusUrl`).
 * It comes from configuration only, never from a request's `Host` or `X-Forwarded-*` headers, so a
 * caller cannot make the API hand out links to a host of its choosing.
 */
import type { Config } from '../config';

/** A listener address as a client reaches it: a wildcard means this machine; IPv6 goes in brackets. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/**
 * `PUBLIC_URL` when set; otherwise `http://<HOST>:<PORT>` (HOST `0.0.0.0` read as `127.0.0.1`).
 * With `PORT=0` the system picks the port, so `boundPort` (the port the server actually listens
 * on) stands in for it.
 */
export function publicBaseUrl(config: Config, boundPort?: number): string {
  if (config.api.publicUrl) return config.api.publicUrl;
  const port = config.api.port === 0 ? (boundPort ?? 0) : config.api.port;
  return `http://${reachableHost(config.api.host)}:${port}`;
}
