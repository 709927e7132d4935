/**
 * The API of a running stack as the load benchmark drives it: plain calls with the tenant's key,
 * the videos it reads, its SSE gauges, and what its own /metrics say about a load run.
 */
import { sampleSum, scrape } from '../../test/helpers/prometheus-text';
import type { LoadRun } from './http-load';
import type { InspectorHeap } from './inspector-heap';
import type { StartProcess } from './start-process';

export interface ApiUnderTest {
  stack: StartProcess;
  /** The bearer key's header, sent with every /api request. */
  headers: Record<string, string>;
  heap: InspectorHeap;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function callApi(api: ApiUnderTest, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${api.stack.url}${path}`, {
    method,
    headers: { ...api.headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/**
 * Starts `count` text videos that stop for review and waits until each awaits it: running videos
 * that cost nothing and stay running for `reviewTimeoutSec`.
 */
export async function startWaitingVideos(api: ApiUnderTest, count: number, reviewTimeoutSec: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { status, json } = await callApi(api, 'POST', '/api/videos', {
      source: { type: 'text', title: `Load benchmark video ${i + 1}`, text: 'A short text for a video that waits for review.' },
      options: { review: true, reviewTimeoutSec },
    });
    const id = (json as { id?: string }).id;
    if (status !== 202 || !id) throw new Error(`POST /api/videos answered ${status}: ${JSON.stringify(json)}`);
    ids.push(id);
  }
  const deadline = Date.now() + 120_000;
  for (const id of ids) {
    for (;;) {
      const { json } = await callApi(api, 'GET', `/api/videos/${id}`);
      if ((json as { stage?: string }).stage === 'awaiting_review') break;
      if (Date.now() > deadline) throw new Error(`video ${id} did not reach awaiting_review: ${JSON.stringify(json)}`);
      await sleep(200);
    }
  }
  return ids;
}

/** Cancels every video; returns how many the API accepted to cancel. */
export async function cancelAll(api: ApiUnderTest, ids: readonly string[]): Promise<number> {
  let cancelled = 0;
  for (const id of ids) {
    const { status } = await callApi(api, 'POST', `/api/videos/${id}/cancel`).catch(() => ({ status: 0 }));
    if (status === 202) cancelled += 1;
  }
  return cancelled;
}

export interface SseGauges {
  clients: number;
  pollers: number;
  /** nodejs_heap_size_used_bytes, MiB: the heap at this moment, garbage included. */
  heapUsedMiB: number;
}

export async function sseGauges(api: ApiUnderTest): Promise<SseGauges> {
  const text = await scrape(`${api.stack.url}/metrics`);
  return {
    clients: sampleSum(text, 'reelflow_sse_clients') ?? Number.NaN,
    pollers: sampleSum(text, 'reelflow_sse_status_pollers') ?? Number.NaN,
    heapUsedMiB: (sampleSum(text, 'nodejs_heap_size_used_bytes') ?? Number.NaN) / 2 ** 20,
  };
}

/** What the API process's own metrics say about a load run: its longest event-loop stall and its GC time. */
export interface ProbedRun extends LoadRun {
  /** nodejs_eventloop_lag_max_seconds over the run (prom-client resets it at every scrape), ms. */
  lagMaxMs: number;
  /** Growth of nodejs_gc_duration_seconds_sum over the run, ms. */
  gcMs: number;
}

export async function probed(api: ApiUnderTest, drive: () => Promise<LoadRun>): Promise<ProbedRun> {
  const gcSum = (text: string) => sampleSum(text, 'nodejs_gc_duration_seconds_sum') ?? Number.NaN;
  // This scrape also resets the event-loop lag histogram, so the next one covers the run alone.
  const before = await scrape(`${api.stack.url}/metrics`);
  const run = await drive();
  const after = await scrape(`${api.stack.url}/metrics`);
  const lagMax = sampleSum(after, 'nodejs_eventloop_lag_max_seconds') ?? Number.NaN;
  return { ...run, lagMaxMs: lagMax * 1000, gcMs: (gcSum(after) - gcSum(before)) * 1000 };
}
