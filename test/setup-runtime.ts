/**
 * Quiets the Temporal SDK's own logging in tests (worker state changes on every start and stop);
 * warnings and errors still show.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed by an earlier test file in this jest worker process.
}
