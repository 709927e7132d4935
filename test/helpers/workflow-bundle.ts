import path from 'node:path';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { TRACING_WORKFLOW_MODULE } from '../../src/observability/worker-observability';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Bundles the workflows once per test file; bundling takes seconds, replaying takes milliseconds. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: path.resolve(__dirname, '../../src/workflows'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  return bundle;
}

let tracedBundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflows with the tracing interceptors, as `npm run build` bundles them for production. */
export function tracedWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  tracedBundle ??= bundleWorkflowCode({
    workflowsPath: path.resolve(__dirname, '../../src/workflows'),
    workflowInterceptorModules: [TRACING_WORKFLOW_MODULE],
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  return tracedBundle;
}
