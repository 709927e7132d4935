/**
 * The configured bucket cannot be used (unreachable, missing, or refused to these credentials).
 * A start-up problem for the operator: reported in one line naming the bucket and endpoint.
 */
export class ArtifactStoreUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArtifactStoreUnavailableError';
  }
}
