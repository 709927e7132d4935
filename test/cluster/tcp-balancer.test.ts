/**
 * The balancer in front of the cluster's frontends: connections are spread over the backends,
 * one that is down is skipped, bytes pass both ways untouched, and with every backend down a
 * client is refused rather than left hanging.
 */
import net from 'node:net';
import { freePort } from '../../src/dev/free-port';
import { startTcpBalancer, type TcpBalancer } from '../../src/dev/cluster/tcp-balancer';

/** A backend that answers each line with its own name and the line. */
async function namedEchoServer(name: string): Promise<{ address: string; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('data', (chunk) => socket.write(`${name}:${chunk.toString('utf8')}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Sends `message` through the balancer and resolves with the reply, or 'closed' if the connection ends first. */
function ask(address: string, message: string): Promise<string> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port: Number(port) });
    socket.once('error', reject);
    socket.once('data', (chunk) => {
      socket.destroy();
      resolve(chunk.toString('utf8'));
    });
    socket.once('close', () => resolve('closed'));
    socket.write(message);
  });
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function balancerOver(backends: string[]): Promise<TcpBalancer> {
  const balancer = await startTcpBalancer({ backends, port: 0 });
  closers.push(() => balancer.close());
  return balancer;
}

test('spreads connections over the backends and passes bytes both ways', async () => {
  const a = await namedEchoServer('a');
  const b = await namedEchoServer('b');
  closers.push(a.close, b.close);
  const balancer = await balancerOver([a.address, b.address]);
  const replies = [];
  for (let i = 0; i < 4; i++) replies.push(await ask(balancer.address, `hello ${i}`));
  expect(replies).toEqual(['a:hello 0', 'b:hello 1', 'a:hello 2', 'b:hello 3']);
});

test('skips a backend that refuses connections', async () => {
  const a = await namedEchoServer('a');
  closers.push(a.close);
  const dead = `127.0.0.1:${await freePort()}`;
  const balancer = await balancerOver([dead, a.address]);
  const replies = [];
  for (let i = 0; i < 3; i++) replies.push(await ask(balancer.address, 'x'));
  expect(replies).toEqual(['a:x', 'a:x', 'a:x']);
});

test('closes the client connection when every backend is down', async () => {
  const balancer = await balancerOver([`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`]);
  await expect(ask(balancer.address, 'anyone?')).resolves.toBe('closed');
});
