/**
 * Many Server-Sent-Events clients, each on a socket of its own as separate browsers would be:
 * a raw `http.get` that reads `text/event-stream` and records when its first event arrived and
 * whether it was the status snapshot of the video it asked for.
 */
import http from 'node:http';

export interface SseClient {
  videoId: string;
  /** ms from the request to the first complete event; undefined until it arrived. */
  firstEventMs?: number;
  /** The first event was `event: status` with the requested video's status body. */
  gotSnapshot: boolean;
  /** `event:` names received, in order (keep-alive comments are not events). */
  events: string[];
  /** The HTTP status of the response, once its headers arrived. */
  statusCode?: number;
  contentType?: string;
  /** The stream ended or failed while it was meant to stay open. */
  ended: boolean;
  error?: string;
}

export interface SseClients {
  clients: SseClient[];
  /** Resolves once every client has its first event, ended or failed; rejects after `timeoutMs`. */
  firstEvents(timeoutMs: number): Promise<void>;
  /** Closes every socket from the client side. */
  disconnect(): void;
}

/** Opens one stream per entry of `videoIds` at once. */
export function openSseClients(baseUrl: string, videoIds: readonly string[], headers: Record<string, string>): SseClients {
  const requests: http.ClientRequest[] = [];
  const settled: Promise<void>[] = [];
  let closing = false;
  const clients = videoIds.map((videoId) => {
    const client: SseClient = { videoId, gotSnapshot: false, events: [], ended: false };
    const began = performance.now();
    let settle!: () => void;
    settled.push(new Promise<void>((resolve) => (settle = resolve)));
    const req = http.get(
      `${baseUrl}/api/videos/${encodeURIComponent(videoId)}/events`,
      { agent: false, headers: { ...headers, Accept: 'text/event-stream' } },
      (res) => {
        client.statusCode = res.statusCode;
        client.contentType = res.headers['content-type'];
        res.setEncoding('utf8');
        let buffer = '';
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const lines = block.split('\n');
            const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
            if (event === undefined) continue;
            client.events.push(event);
            if (client.firstEventMs !== undefined) continue;
            client.firstEventMs = performance.now() - began;
            const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
            try {
              client.gotSnapshot = event === 'status' && (JSON.parse(data ?? '') as { id?: unknown }).id === videoId;
            } catch {
              client.gotSnapshot = false;
            }
            settle();
          }
        });
        res.on('end', () => {
          if (!closing) client.ended = true;
          settle();
        });
        res.on('error', () => settle());
      },
    );
    req.on('error', (err) => {
      if (!closing) client.error = err.message;
      settle();
    });
    requests.push(req);
    return client;
  });

  return {
    clients,
    async firstEvents(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const waiting = clients.filter((c) => c.firstEventMs === undefined && !c.ended && !c.error).length;
          reject(new Error(`${waiting} of ${clients.length} event streams had no event after ${timeoutMs} ms`));
        }, timeoutMs);
      });
      try {
        await Promise.race([Promise.all(settled), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    disconnect() {
      closing = true;
      for (const req of requests) req.destroy();
    },
  };
}
