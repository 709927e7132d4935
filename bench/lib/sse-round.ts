/**
 * One round of many event-stream clients: open them all at once, hold them while status reads run,
 * disconnect them, and wait until the API has let go of them; with the API process's memory and
 * descriptors read before, during and after, and its live heap after a forced GC.
 */
import { type ApiUnderTest, probed, type ProbedRun, type SseGauges, sseGauges } from './api-under-test';
import { type LoadOptions, runAtRate } from './http-load';
import { type ProcessSample, sampleProcess } from './process-stats';
import { openSseClients } from './sse-clients';

export interface SseRound {
  before: ProcessSample;
  /** Once every stream had its first event. */
  opened: ProcessSample;
  /** After the status reads, the streams still open. */
  during: ProcessSample;
  after: ProcessSample;
  /** After a forced full GC that followed `after`. */
  afterGc: ProcessSample;
  gaugesDuring: SseGauges;
  gaugesAfter: SseGauges;
  /** Main-thread V8 heap in use after a forced full GC, once the streams closed. */
  liveHeapAfterMiB: number;
  /** Each client's time to its first event, ms. */
  firstEventMs: number[];
  /** From the first request to the last client's first event, ms. */
  allFirstEventsMs: number;
  /** Clients whose first event was their video's status snapshot. */
  snapshots: number;
  /** Clients answered 200 text/event-stream. */
  okResponses: number;
  /** Streams neither ended nor failed once the status reads were done. */
  openAfterHold: number;
  statusDuring: ProbedRun;
  /** From the disconnect until both SSE gauges read 0, ms. */
  drainMs: number;
}

export interface SseRoundOptions {
  /** One client per entry, so a video may be watched by several. */
  videoIds: readonly string[];
  /** Status reads run while the streams are open. */
  statusLoad: LoadOptions & { rate: number };
  firstEventTimeoutMs: number;
  /** How long, after the disconnect, to wait for both gauges to read 0 and the open fds to fall back to the round's starting count. */
  drainTimeoutMs: number;
  /** Pause before the final readings. */
  settleMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function sseRound(api: ApiUnderTest, options: SseRoundOptions): Promise<SseRound> {
  const pid = api.stack.pid;
  const before = sampleProcess(pid);
  const began = performance.now();
  const sse = openSseClients(api.stack.url, options.videoIds, api.headers);
  try {
    await sse.firstEvents(options.firstEventTimeoutMs);
  } catch (err) {
    sse.disconnect();
    throw err;
  }
  const allFirstEventsMs = performance.now() - began;
  const opened = sampleProcess(pid);
  const gaugesDuring = await sseGauges(api);
  const statusDuring = await probed(api, () => runAtRate(options.statusLoad));
  const during = sampleProcess(pid);
  const { clients } = sse;
  const openAfterHold = clients.filter((c) => !c.ended && !c.error).length;

  const disconnectedAt = performance.now();
  const waiting = () => performance.now() - disconnectedAt < options.drainTimeoutMs;
  sse.disconnect();
  let gaugesAfter = await sseGauges(api);
  while ((gaugesAfter.clients > 0 || gaugesAfter.pollers > 0) && waiting()) {
    await sleep(50);
    gaugesAfter = await sseGauges(api);
  }
  const drainMs = performance.now() - disconnectedAt;
  // The server closes its side of each socket once it saw the client leave; give the last ones a moment.
  while (sampleProcess(pid).fds > before.fds && waiting()) await sleep(100);
  await sleep(options.settleMs);
  const after = sampleProcess(pid);
  gaugesAfter = await sseGauges(api);
  const liveHeapAfterMiB = await api.heap.liveHeapMiB();
  return {
    before,
    opened,
    during,
    after,
    afterGc: sampleProcess(pid),
    gaugesDuring,
    gaugesAfter,
    liveHeapAfterMiB,
    firstEventMs: clients.flatMap((c) => (c.firstEventMs === undefined ? [] : [c.firstEventMs])),
    allFirstEventsMs,
    snapshots: clients.filter((c) => c.gotSnapshot).length,
    okResponses: clients.filter((c) => c.statusCode === 200 && c.contentType?.startsWith('text/event-stream')).length,
    openAfterHold,
    statusDuring,
    drainMs,
  };
}
