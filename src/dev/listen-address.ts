/**
 * Splits TEMPORAL_ADDRESS (`host:port`, an IPv6 host in brackets) into what a local server binds.
 * The dev server and the cluster's balancer bind an IP, so `localhost` (or no host) becomes
 * 127.0.0.1.
 */
export function listenAddress(address: string): { host: string; port: number } {
  const separator = address.lastIndexOf(':');
  const host = address.slice(0, separator).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(separator + 1));
  if (separator < 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`TEMPORAL_ADDRESS must look like host:port, got "${address}"`);
  }
  return { host: host === 'localhost' || host === '' ? '127.0.0.1' : host, port };
}
