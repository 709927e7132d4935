/**
 * Quiets the Temporal SDK's own logging and the project's info lines in tests (worker state
 * changes on every start and stop, a line per request); warnings and errors still show.
 */
import { setLogLevel } from '../src/shared-node/logger';
import { installSdkLogging } from '../src/worker-runtime/install-sdk-logging';

// The API's line per request and the workers' line per video would bury test output.
setLogLevel('warn');

try {
  // Forwarded core lines would keep a test file that never uses Temporal from exiting.
  installSdkLogging('WARN', { forwardCoreLogs: false });
} catch {
  // Already installed by an earlier test file in this jest worker process.
}
