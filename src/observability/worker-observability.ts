/**
 * What a worker process adds to its Temporal workers for metrics and tracing: the sinks the
 * workflow reports through, the activity interceptors that continue a trace, and the workflow
 * interceptor module that carries it through the workflow. One place, so that the workers built
 * by src/worker.ts, tests and tools are observed alike.
 */
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  makeWorkflowExporter,
  type OpenTelemetrySinks,
} from '@temporalio/interceptors-opentelemetry';
import type { InjectedSinks, WorkerOptions } from '@temporalio/worker';
import type { ActivityDeps } from '../activities';
import { instrumentProviders, providerNameOf, type ProviderNames } from './instrument-providers';
import type { Tracing } from './tracing';
import type { WorkerMetrics } from './worker-metrics';

export interface WorkerObservability {
  /** Where the worker's `reelflow_…` metrics are counted. @default a registry of its own, not served */
  metrics?: WorkerMetrics;
  /** Tracing of this process; none when tracing is off. */
  tracing?: Tracing;
  /** Provider names for metrics and spans. @default derived from each adapter's class */
  providerNames?: Partial<ProviderNames>;
}

/**
 * The workflow interceptor module that traces runs. A prebuilt bundle must include it
 * (`bundleWorkflowCode({ workflowInterceptorModules })`) for its runs to be traced.
 */
export const TRACING_WORKFLOW_MODULE = require.resolve('../workflows/tracing-interceptors');

// Registered even with tracing off, so a bundle built with tracing never calls a missing sink.
const discardSpans: InjectedSinks<OpenTelemetrySinks> = { exporter: { export: { fn: () => undefined } } };

/** The activity dependencies with each provider call counted and traced. */
export function observedDeps(deps: ActivityDeps, observability: WorkerObservability, metrics: WorkerMetrics): ActivityDeps {
  const names: ProviderNames = {
    source: observability.providerNames?.source ?? providerNameOf(deps.sourceProvider),
    script: observability.providerNames?.script ?? providerNameOf(deps.scriptWriter),
    narration: observability.providerNames?.narration ?? providerNameOf(deps.narrator),
    clip: observability.providerNames?.clip ?? providerNameOf(deps.clipGenerator),
  };
  return instrumentProviders(deps, metrics, names);
}

/** Sinks and interceptors for every worker of the process; `prebuiltBundle` leaves the bundle as it was built. */
export function observedWorkerOptions(
  observability: WorkerObservability,
  metrics: WorkerMetrics,
  prebuiltBundle: boolean,
): Pick<WorkerOptions, 'sinks' | 'interceptors'> {
  const { tracing } = observability;
  const exporter = tracing ? { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) } : discardSpans;
  return {
    sinks: { ...metrics.sinks(), ...exporter },
    interceptors: tracing
      ? {
          activity: [
            (ctx) => ({
              inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
              outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
            }),
          ],
          ...(prebuiltBundle ? {} : { workflowModules: [TRACING_WORKFLOW_MODULE] }),
        }
      : {},
  };
}
