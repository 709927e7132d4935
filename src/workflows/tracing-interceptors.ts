/**
 * Workflow interceptors that continue the caller's OpenTelemetry trace inside the workflow: a
 * span for the run, one for each activity it schedules, whose context travels to the activity in
 * its headers. Not a workflow; the worker adds this module to the bundle only when tracing is on
 * (`interceptors.workflowModules`, see src/observability/worker-observability.ts). Spans leave
 * the sandbox through the `exporter` sink.
 */
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type { WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [new OpenTelemetryInboundInterceptor()],
  outbound: [new OpenTelemetryOutboundInterceptor()],
  internals: [new OpenTelemetryInternalsInterceptor()],
});
