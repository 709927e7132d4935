/**
 * Finds the workflow bundle that `npm run build` wrote beside the compiled code, so a production
 * worker starts polling without running webpack over the workflows on every start of every
 * replica (as temporalio/samples-typescript's `production/` sample does). Only compiled code
 * looks: under tsx the workflows are bundled at start from the sources being edited, so a stale
 * build can never run in development.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The bundle's file name in the build's output folder (dist/workflow-bundle.js). */
export const WORKFLOW_BUNDLE_FILE = 'workflow-bundle.js';

/** The bundle in a build output folder holding `src/` and the bundle, or undefined when absent. */
export function findWorkflowBundle(outDir: string): { codePath: string } | undefined {
  const codePath = path.join(outDir, WORKFLOW_BUNDLE_FILE);
  return fs.existsSync(codePath) ? { codePath } : undefined;
}

/**
 * The bundle prebuilt for this compiled worker, or undefined when running from the TypeScript
 * sources or from a build without one: the worker then bundles the workflows at start.
 */
export function prebuiltWorkflowBundle(): { codePath: string } | undefined {
  // Compiled, this file is <outDir>/src/worker-runtime/prebuilt-workflow-bundle.js.
  if (!__filename.endsWith('.js')) return undefined;
  return findWorkflowBundle(path.resolve(__dirname, '..', '..'));
}
