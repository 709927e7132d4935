/** Serves an Express app of the project on 127.0.0.1 at a free port, for tests over real HTTP. */
import type { Server } from 'node:http';
import type { createApp } from '../../src/api/create-app';

export interface ServedApp {
  url: string;
  close(): Promise<void>;
}

export async function serveApp(app: ReturnType<typeof createApp>): Promise<ServedApp> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    async close() {
      app.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
