/**
 * OpenTelemetry tracing for one process, off unless configured: a tracer provider registered as
 * the global one (with the async-local context that carries a span across awaits), exporting
 * over OTLP/HTTP. The API, the workflow and the activities continue one trace through Temporal's
 * headers (the interceptors in worker-observability.ts and clientInterceptors below).
 */
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Config } from '../config';

export interface Tracing {
  /** Describes this process on every span (`service.name`). */
  resource: Resource;
  /** Where finished spans go; the workflow's spans are handed to it through a sink. */
  spanProcessor: SpanProcessor;
  /** Sends the spans still buffered and stops. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  serviceName: string;
  /** Base URL of an OTLP/HTTP collector (`/v1/traces` is appended). @default http://localhost:4318 */
  endpoint?: string;
  /** Where spans go instead of OTLP (tests pass an in-memory one); exported as they end. */
  processor?: SpanProcessor;
  exporter?: SpanExporter;
}

/** Starts tracing for this process and registers it globally; call once, before spans are made. */
export function startTracing(options: TracingOptions): Tracing {
  const resource = new Resource({ 'service.name': options.serviceName });
  const exporter = options.exporter ?? new OTLPTraceExporter(options.endpoint ? { url: `${options.endpoint}/v1/traces` } : {});
  const spanProcessor = options.processor ?? new BatchSpanProcessor(exporter);
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return { resource, spanProcessor, shutdown: () => provider.shutdown() };
}

/** Tracing as the configuration asks for it (`TRACING`, `OTEL_EXPORTER_OTLP_ENDPOINT`), or none. */
export function startConfiguredTracing(config: Config, defaultServiceName: string): Tracing | undefined {
  const { tracing } = config.observability;
  if (!tracing.enabled) return undefined;
  return startTracing({ serviceName: tracing.serviceName ?? defaultServiceName, endpoint: tracing.endpoint });
}

/** Client interceptors that put the current trace into workflow starts, signals, updates and queries. */
export function tracingClientInterceptors(tracing: Tracing | undefined): { workflow: WorkflowClientInterceptor[] } | undefined {
  return tracing ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
}
