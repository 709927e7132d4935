/**
 * How an entry point logs the error that stopped it: a configuration mistake or an unreachable
 * Temporal server is the operator's to fix, so it is one line that says what to change; anything
 * else is a bug and keeps its stack.
 */
import { ArtifactStoreUnavailableError } from '../storage/artifact-store-unavailable-error';
import { MissingSearchAttributesError } from '../temporal-connection/search-attributes';
import { TemporalUnreachableError } from '../temporal-connection/temporal-unreachable-error';

/** True for errors whose message is the whole story (`Invalid configuration: …`, no Temporal, no bucket). */
export function isStartupProblem(err: unknown): err is Error {
  return (
    err instanceof TemporalUnreachableError ||
    err instanceof MissingSearchAttributesError ||
    err instanceof ArtifactStoreUnavailableError ||
    (err instanceof Error && err.message.startsWith('Invalid configuration:'))
  );
}

/** Log fields for the error: its message alone for a start-up problem, the error itself otherwise. */
export function startupFailureFields(err: unknown): Record<string, unknown> {
  return isStartupProblem(err) ? { error: err.message } : { err };
}
