/**
 * A small HTTP server for a worker's own metrics (`GET /metrics`). The SDK's metrics are served by
 * the Rust core on a listener of its own, so the worker has two scrape targets (see
 * docs/observability.md for why they are not merged).
 */
import http from 'node:http';
import type { Registry } from 'prom-client';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Splits `host:port`, `[::1]:port` or `:port` (all interfaces). */
export function parseHostPort(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new Error(`Invalid metrics address "${address}": expected host:port`);
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

/** Serves `registry` on `address` until closed. */
export async function serveMetrics(address: string, registry: Registry): Promise<MetricsServer> {
  const { host, port } = parseHostPort(address);
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: metrics are at /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = server.address();
  const boundPort = typeof bound === 'object' && bound ? bound.port : port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${boundPort}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
