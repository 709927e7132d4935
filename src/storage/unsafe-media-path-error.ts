/** Thrown when a video id or file name could reach outside MEDIA_ROOT or the bucket's prefix. */
export class UnsafeMediaPathError extends Error {
  constructor(what: string) {
    super(`Unsafe media path segment: ${JSON.stringify(what)}`);
    this.name = 'UnsafeMediaPathError';
  }
}
