import { EtaEstimator, formatDuration } from '../../src/cli/follow-video';
import { readSseEvents } from '../../src/cli/sse-events';
import type { VideoStatusBody } from '../../src/api/schemas';

/** A body that arrives in the given chunks, as a network stream may cut it anywhere. */
function body(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    },
  });
}

async function collect(chunks: string[]) {
  const events = [];
  for await (const e of readSseEvents(body(chunks))) events.push(e);
  return events;
}

test('events are read whole whatever the chunks, with comments, ids and CRLF line ends skipped or understood', async () => {
  const stream =
    'id: 1\nevent: status\ndata: {"a":1}\n\n: keep-alive\n\nid: 2\r\nevent: end\r\ndata: {"b":\r\ndata: 2}\r\n\r\nretry: 1000\nevent: reconnect\ndata: {}\n\n';
  const expected = [
    { event: 'status', data: '{"a":1}' },
    { event: 'end', data: '{"b":\n2}' },
    { event: 'reconnect', data: '{}' },
  ];
  expect(await collect([stream])).toEqual(expected);
  expect(await collect(stream.split(''))).toEqual(expected);
});

test('an event cut off by the end of the stream is not reported', async () => {
  expect(await collect(['event: status\ndata: {"a":1}\n\nevent: status\ndata: {"a"'])).toEqual([{ event: 'status', data: '{"a":1}' }]);
});

const status = (over: Partial<VideoStatusBody>): VideoStatusBody => ({
  id: 'video-1',
  status: 'running',
  stage: 'narrating',
  progress: 50,
  scenes: [],
  spend: { credits: 0 },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:01:00.000Z',
  webUiUrl: 'http://ui',
  ...over,
});

test('the ETA is elapsed time over progress, and after a review it counts from the approval only', () => {
  const eta = new EtaEstimator();
  expect(eta.secondsLeft(status({ progress: 50 }))).toBe(60);
  expect(eta.secondsLeft(status({ progress: 100, status: 'completed' }))).toBeUndefined();

  const reviewed = new EtaEstimator();
  expect(reviewed.secondsLeft(status({ stage: 'awaiting_review', progress: 15 }))).toBeUndefined();
  // Approved an hour later: the hour of review says nothing about the rest.
  expect(reviewed.secondsLeft(status({ progress: 20, updatedAt: '2026-01-01T01:00:00.000Z' }))).toBeUndefined();
  expect(reviewed.secondsLeft(status({ progress: 60, updatedAt: '2026-01-01T01:00:40.000Z' }))).toBe(40);
  expect(formatDuration(40)).toBe('40 s');
  expect(formatDuration(245)).toBe('4m05s');
  expect(formatDuration(4800)).toBe('1h20m');
});
