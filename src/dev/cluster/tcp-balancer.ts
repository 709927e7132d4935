/**
 * One stable address in front of the cluster's frontends, as production puts a load balancer
 * there: Temporal clients take a single address. Each new connection goes to the next frontend in
 * turn; one that refuses the connection is skipped, so a dead node costs a client one reconnect,
 * never an outage. Plain TCP: gRPC's HTTP/2 passes through untouched, TLS included.
 */
import net from 'node:net';

const CONNECT_TIMEOUT_MS = 2_000;

export interface TcpBalancer {
  /** `host:port` clients connect to. */
  address: string;
  /** Stops accepting, ends every proxied connection, and resolves once the listener is closed. */
  close(): Promise<void>;
}

export interface TcpBalancerOptions {
  /** `host:port` of each backend. */
  backends: readonly string[];
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. */
  port: number;
}

function splitAddress(address: string): { host: string; port: number } {
  const separator = address.lastIndexOf(':');
  return { host: address.slice(0, separator), port: Number(address.slice(separator + 1)) };
}

/** Connects to the first backend, from `order`, that accepts; undefined when none does. */
function connectToAny(order: readonly string[]): Promise<net.Socket | undefined> {
  const [first, ...rest] = order;
  if (first === undefined) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const upstream = net.connect({ ...splitAddress(first), timeout: CONNECT_TIMEOUT_MS });
    const giveUp = (): void => {
      upstream.destroy();
      void connectToAny(rest).then(resolve);
    };
    upstream.once('error', giveUp);
    upstream.once('timeout', giveUp);
    upstream.once('connect', () => {
      upstream.removeListener('error', giveUp);
      upstream.removeListener('timeout', giveUp);
      upstream.setTimeout(0);
      resolve(upstream);
    });
  });
}

/** Starts listening and resolves once clients can connect. */
export async function startTcpBalancer(options: TcpBalancerOptions): Promise<TcpBalancer> {
  const sockets = new Set<net.Socket>();
  let next = 0;
  const server = net.createServer((client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const start = next++ % options.backends.length;
    const order = [...options.backends.slice(start), ...options.backends.slice(0, start)];
    void connectToAny(order).then((upstream) => {
      if (!upstream) return void client.destroy();
      if (client.destroyed) return void upstream.destroy();
      sockets.add(upstream);
      upstream.once('close', () => {
        sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => upstream.destroy());
      client.once('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound ? bound.port : options.port;
  return {
    address: `${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
