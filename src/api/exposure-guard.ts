/**
 * Refuses to serve the API beyond this machine with no API keys: an open deployment would let
 * anyone who reaches the port start paid videos. Listening on loopback stays open for local use;
 * ALLOW_UNAUTHENTICATED_API=true is the explicit opt-out (behind an authenticating proxy, say).
 */
import type { Config } from '../config';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
}

/** Throws, with what to change, when the API would be open to the network. */
export function assertSafeExposure(config: Pick<Config, 'api'>): void {
  const { host, apiKeys, allowUnauthenticated } = config.api;
  if (isLoopbackHost(host) || apiKeys.length > 0 || allowUnauthenticated) return;
  throw new Error(
    `Refusing to listen on ${host} without API keys: set API_KEYS (comma-separated keys), ` +
      'listen on HOST=127.0.0.1, or set ALLOW_UNAUTHENTICATED_API=true to accept anyone who can reach the port',
  );
}
