/**
 * The worker of the in-flight benchmark: src/worker.ts's own runWorker, as `npm run worker` runs
 * it, except that with IN_FLIGHT_RENDER_STUB_MS set the ffmpeg render is replaced by a stub of that
 * latency (bench/providers/stub-render-interceptor.ts). Two cores cannot render a thousand videos
 * in a benchmark's time; the render's own cost is what `npm run bench -- render` measures.
 */
import { loadConfig } from '../src/config';
import { logger } from '../src/shared-node/logger';
import { STOP_MARGIN_MS, stopOnSignals } from '../src/shared-node/stop-on-signals';
import { runWorker } from '../src/worker';
import { ExecutionLog } from './providers/execution-log';
import { stubRenderInterceptor } from './providers/stub-render-interceptor';

const stubMs = Number(process.env.IN_FLIGHT_RENDER_STUB_MS ?? 0);
const common =
  stubMs > 0 ? { interceptors: { activity: [stubRenderInterceptor({ latencyMs: stubMs, log: new ExecutionLog(undefined) })] } } : undefined;

const config = loadConfig();
const stop = new AbortController();
const running = runWorker(config, stop.signal, common);
stopOnSignals(
  async (signal) => {
    stop.abort(signal);
    await running;
  },
  { deadlineMs: config.shutdownGraceMs + STOP_MARGIN_MS, onFailure: (message) => logger.error('worker stop failed', { error: message }) },
);
running.then(
  () => process.exit(0),
  (err: unknown) => {
    if (stop.signal.aborted) return;
    logger.error('worker failed', { error: String(err) });
    process.exit(1);
  },
);
