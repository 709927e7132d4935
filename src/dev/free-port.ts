import net from 'node:net';

/**
 * A TCP port that was free on 127.0.0.1 a moment ago, for servers that must be told their port
 * up front (the Temporal dev server cannot report a port it picked itself).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}
