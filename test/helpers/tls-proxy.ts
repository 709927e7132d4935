/**
 * A TLS front for a plaintext Temporal dev server (`temporal server start-dev` has no TLS
 * options): it terminates TLS, and mTLS when asked, and pipes the HTTP/2 stream through, as a
 * load balancer in front of a real cluster would.
 */
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { TestCertificates } from './test-certificates';

export interface TlsProxy {
  /** `127.0.0.1:<port>` to connect to with TLS. */
  address: string;
  close(): Promise<void>;
}

export async function startTlsProxy(upstream: string, certs: TestCertificates, options: { requireClientCert: boolean }): Promise<TlsProxy> {
  const separator = upstream.lastIndexOf(':');
  const target = { host: upstream.slice(0, separator), port: Number(upstream.slice(separator + 1)) };
  const sockets = new Set<net.Socket>();
  const server = tls.createServer(
    {
      key: fs.readFileSync(certs.serverKeyPath),
      cert: fs.readFileSync(certs.serverCertPath),
      ca: fs.readFileSync(certs.caCertPath),
      requestCert: options.requireClientCert,
      rejectUnauthorized: options.requireClientCert,
      ALPNProtocols: ['h2'],
    },
    (socket) => {
      const backend = net.connect(target);
      for (const s of [socket, backend]) {
        sockets.add(s);
        s.once('close', () => sockets.delete(s));
        s.on('error', () => {
          socket.destroy();
          backend.destroy();
        });
      }
      socket.pipe(backend).pipe(socket);
    },
  );
  // Handshake failures (a client without a certificate) are the point of some tests, not errors.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
