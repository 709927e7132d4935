/**
 * Raised when ffmpeg, ffprobe or espeak-ng exits with a failure. The tail of stderr is kept in
 * the message because that is where these tools say what went wrong, and it is what an operator
 * reads in the Temporal Web UI.
 */
export class MediaToolError extends Error {
  constructor(
    /** The command that failed, e.g. `ffmpeg`. */
    readonly tool: string,
    /** Exit code, or null when the process was ended by a signal or never started. */
    readonly exitCode: number | null,
    /** The last ~2 KB of the tool's stderr. */
    readonly stderrTail: string,
    detail?: string,
  ) {
    const what = detail ?? (exitCode === null ? 'was terminated' : `exited with code ${exitCode}`);
    const tail = stderrTail.trim();
    super(tail ? `${tool} ${what}: ${tail}` : `${tool} ${what}`);
    this.name = new.target.name;
  }
}
