/**
 * The API's own metrics (`reelflow_…`), served at `GET /metrics`: videos started, HTTP requests
 * and their durations, and Server-Sent-Events clients. Runs' ends are counted by the workers
 * (worker-metrics.ts): the API does not see a run end unless someone asks for it.
 */
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { routeLabel } from './route-label';

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** What the SSE gauges read when scraped. */
export interface SseSource {
  readonly activeListeners: number;
  readonly activePollers: number;
}

export class ApiMetrics {
  readonly registry = new Registry();
  private readonly videosStarted: Counter<'source'>;
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route'>;

  private sse?: SseSource;

  constructor() {
    const registers = [this.registry];
    const sse = () => this.sse;
    this.videosStarted = new Counter({
      name: 'reelflow_videos_started_total',
      help: 'Videos started through the API or a webhook (a repeated idempotent request is not counted), by source type',
      labelNames: ['source'],
      registers,
    });
    this.httpRequests = new Counter({
      name: 'reelflow_http_requests_total',
      help: 'HTTP requests answered, by route template and status code',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'reelflow_http_request_duration_seconds',
      help: 'Time to answer an HTTP request (an event stream lasts until it ends)',
      labelNames: ['method', 'route'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'reelflow_sse_clients',
      help: 'Server-Sent-Events clients watching a video now',
      registers,
      collect() {
        this.set(sse()?.activeListeners ?? 0);
      },
    });
    new Gauge({
      name: 'reelflow_sse_status_pollers',
      help: 'Videos whose status is polled now for SSE clients (one poller serves all watchers of a video)',
      registers,
      collect() {
        this.set(sse()?.activePollers ?? 0);
      },
    });
  }

  /** Where the SSE gauges read their values when scraped. */
  observeSse(source: SseSource): void {
    this.sse = source;
  }

  /** Adds Node's process metrics (CPU, memory, event loop lag); once per process, by its entry point. */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry });
  }

  videoStarted(source: string): void {
    this.videosStarted.inc({ source });
  }

  /** Counts and times every request once its response is finished. */
  measureRequests(): RequestHandler {
    return (req, res, next) => {
      const stop = this.httpDuration.startTimer();
      res.once('close', () => {
        const route = routeLabel(req);
        stop({ method: req.method, route });
        this.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    };
  }
}
