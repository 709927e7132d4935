/**
 * Quiets the Temporal SDK's own logging in tests (worker state changes on every start and stop);
 * warnings and errors still show.
 */
import { installSdkLogging } from '../src/worker-runtime/install-sdk-logging';

try {
  installSdkLogging('WARN');
} catch {
  // Already installed by an earlier test file in this jest worker process.
}
