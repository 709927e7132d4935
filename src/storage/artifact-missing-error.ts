/** Thrown by `fetch` and `read` when the artifact is not stored (never made, or removed since). */
export class ArtifactMissingError extends Error {
  constructor(
    readonly videoId: string,
    readonly artifact: string,
  ) {
    super(`Artifact ${artifact} of video ${videoId} is not stored`);
    this.name = 'ArtifactMissingError';
  }
}
