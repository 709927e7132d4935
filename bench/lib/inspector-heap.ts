/**
 * The live heap of another Node process: a full garbage collection forced through its inspector
 * (started with --inspect), then the V8 heap in use. Unlike RSS or a heap figure read at a random
 * moment, this does not depend on when V8 last chose to collect, so growth from one reading to the
 * next is memory still referenced: a leak, or a cache.
 */
export interface InspectorHeap {
  /** Main-thread V8 heap in use after a forced full GC, MiB. */
  liveHeapMiB(): Promise<number>;
  close(): void;
}

const CALL_TIMEOUT_MS = 30_000;

export async function connectInspector(webSocketUrl: string): Promise<InspectorHeap> {
  const socket = new WebSocket(webSocketUrl);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error(`cannot reach the inspector at ${webSocketUrl}`)), { once: true });
  });
  let nextId = 0;
  const pending = new Map<number, { resolve: (result: unknown) => void; reject: (err: Error) => void }>();
  socket.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
    const waiter = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id!);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  });
  const call = (method: string) =>
    new Promise<unknown>((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => reject(new Error(`${method} got no answer`)), CALL_TIMEOUT_MS);
      pending.set(id, {
        resolve: (result) => (clearTimeout(timer), resolve(result)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      });
      socket.send(JSON.stringify({ id, method }));
    });
  return {
    async liveHeapMiB() {
      await call('HeapProfiler.collectGarbage');
      const { usedSize } = (await call('Runtime.getHeapUsage')) as { usedSize: number };
      return usedSize / 2 ** 20;
    },
    close: () => socket.close(),
  };
}
