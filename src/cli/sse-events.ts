/**
 * Reads a Server-Sent-Events response into events. The CLI sends the API key as a header, which
 * `EventSource` cannot, so it reads the stream of a plain `fetch` itself.
 */

/** One event of the stream: its `event:` name (`message` when none) and its `data:` lines joined. */
export interface SseEvent {
  event: string;
  data: string;
}

/** Yields each event of `body` as it arrives; comments (`: keep-alive`) and `id:`/`retry:` are skipped. */
export async function* readSseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  // A CR at the end of a chunk may be the first half of a CRLF: it waits for the next chunk.
  let carriageReturn = '';
  for await (const chunk of body) {
    const text = carriageReturn + decoder.decode(chunk, { stream: true });
    carriageReturn = text.endsWith('\r') ? '\r' : '';
    buffer += text.slice(0, text.length - carriageReturn.length).replace(/\r\n?/g, '\n');
    let blank: number;
    while ((blank = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, blank);
      buffer = buffer.slice(blank + 2);
      const event = parseBlock(block);
      if (event) yield event;
    }
  }
}

function parseBlock(block: string): SseEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length ? { event, data: data.join('\n') } : undefined;
}
