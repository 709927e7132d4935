/**
 * Checks at start-up that the namespace has every search attribute the workflows and the API use.
 * Without them a start is refused, and a run could not record its end, looping on its last
 * workflow task; so a worker or API with a missing one refuses to start and says how to add it.
 */
import type { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../shared/temporal-names';
import { logger } from '../shared-node/logger';

type OperatorService = {
  listSearchAttributes(
    request: temporal.api.operatorservice.v1.IListSearchAttributesRequest,
  ): Promise<temporal.api.operatorservice.v1.IListSearchAttributesResponse>;
};

/** The namespace lacks search attributes; an operator's fix, reported in one line. */
export class MissingSearchAttributesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingSearchAttributesError';
  }
}

/** Throws naming the missing attributes and the commands that add them. */
export async function assertSearchAttributes(operatorService: OperatorService, namespace: string): Promise<void> {
  let registered: Set<string>;
  try {
    const response = await operatorService.listSearchAttributes({ namespace });
    registered = new Set(Object.keys(response.customAttributes ?? {}));
  } catch (err) {
    // Some deployments (Temporal Cloud with a namespace-scoped key) may not allow the operator
    // call; then the check is skipped, not the start.
    logger.warn('could not list the namespace search attributes; not checked', {
      namespace,
      error: err instanceof Error ? err.message : String(err),
    });
    return;
  }
  const missing = SEARCH_ATTRIBUTES.filter((a) => !registered.has(a.name));
  if (missing.length === 0) return;
  const commands = missing
    .map((a) => `temporal operator search-attribute create --namespace ${namespace} --name ${a.name} --type ${a.type}`)
    .join('; ');
  throw new MissingSearchAttributesError(
    `The namespace ${namespace} lacks the search attribute${missing.length > 1 ? 's' : ''} ` +
      `${missing.map((a) => a.name).join(', ')}; add ${missing.length > 1 ? 'them' : 'it'} with: ${commands}`,
  );
}
