/**
 * A real Temporal dev server for tests, started from the CLI that `npm run setup` installed
 * (the SDK's own download cannot work without internet), with the same single-partition task
 * queues as `npm run temporal`, so rate limits in tests hold as configured.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { singlePartitionArgs } from '../../src/dev/single-partition-args';
import { temporalCliPath } from '../../src/dev/temporal-cli';
import { SEARCH_ATTRIBUTE_KEYS } from '../../src/shared/temporal-names';

export async function startTestEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      ip: '127.0.0.1',
      searchAttributes: [...SEARCH_ATTRIBUTE_KEYS],
      log: { format: 'pretty', level: 'error' },
      extraArgs: singlePartitionArgs(),
    },
  });
}
