/**
 * Test support for API tests that need the app object itself (its broadcaster) or a config of
 * their own: serves an app on 127.0.0.1, a free port, and reads Server-Sent Events.
 */
export { serveApp, type ServedApp } from '../helpers/serve-app';

export interface SseEvent {
  event: string;
  data: any;
}

/**
 * Reads an event stream until the server closes it, calling `onEvent` for each event as it
 * arrives. Resolves with every event and the comment lines seen.
 */
export async function readEventStream(
  url: string,
  options: {
    headers?: Record<string, string>;
    onEvent?: (e: SseEvent) => void;
    onComment?: (line: string) => void;
    signal?: AbortSignal;
  } = {},
): Promise<{ status: number; contentType: string | null; events: SseEvent[]; comments: string[] }> {
  const res = await fetch(url, { headers: options.headers, signal: options.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  if (!res.body || !res.headers.get('content-type')?.startsWith('text/event-stream')) {
    await res.text();
    return { status: res.status, contentType: res.headers.get('content-type'), events, comments };
  }
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let split: number;
    while ((split = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, split);
      buffer = buffer.slice(split + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          comments.push(line);
          options.onComment?.(line);
        } else if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) {
        const e = { event, data: JSON.parse(data.join('\n')) };
        events.push(e);
        options.onEvent?.(e);
      }
    }
  }
  return { status: res.status, contentType: res.headers.get('content-type'), events, comments };
}
