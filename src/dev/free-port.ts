import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import net from 'node:net';

/**
 * Where ports are drawn from: below the kernel's ephemeral range. A port from that range (what
 * `listen(0)` hands out) may be given to any outgoing connection of any process in the moment
 * between this check and the server's own bind, which on a busy machine does happen; a port below
 * it is only ever taken by someone binding it on purpose.
 */
async function quietRange(): Promise<{ low: number; high: number } | undefined> {
  const text = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '');
  const ephemeralLow = Number(text.trim().split(/\s+/)[0]);
  if (!Number.isInteger(ephemeralLow) || ephemeralLow <= 12_000) return undefined;
  return { low: 10_000, high: ephemeralLow - 1 };
}

/** The port bound on 127.0.0.1 (0: any), released again; undefined when it is taken. */
function tryPort(port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EADDRINUSE' || err.code === 'EACCES' ? resolve(undefined) : reject(err),
    );
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A TCP port that was free on 127.0.0.1 a moment ago, for servers that must be told their port
 * up front (the Temporal dev server cannot report a port it picked itself).
 */
export async function freePort(): Promise<number> {
  const range = await quietRange();
  for (let attempt = 0; range && attempt < 50; attempt++) {
    const port = await tryPort(randomInt(range.low, range.high + 1));
    if (port) return port;
  }
  const any = await tryPort(0);
  if (!any) throw new Error('no port assigned');
  return any;
}
