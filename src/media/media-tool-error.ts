/**
 * Raised when ffmpeg, ffprobe or espeak-ng exits with a failure. The message is short and safe to
 * show a client: the step, the tool, and the tool's last meaningful stderr line with paths cut
 * to file names. The whole stderr tail stays on the error (`stderrTail`) for the worker's log.
 */
import { redactPaths } from '../shared/redact-text';

/** ffmpeg's closing lines that say only that something before them failed. */
const GENERIC_LINES = /^(conversion failed!?|exiting normally.*|error while processing the decoded data for stream.*)$/i;

/** The line of a tool's stderr that says what went wrong, without `[mov @ 0x…]` prefixes or paths. */
export function lastMeaningfulLine(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.replace(/^(\[[^\]]*@ 0x[0-9a-f]+\]\s*)+/i, '').trim())
    .filter((line) => line !== '');
  const meaningful = lines.filter((line) => !GENERIC_LINES.test(line));
  return redactPaths(meaningful.at(-1) ?? lines.at(-1) ?? '').slice(0, 300);
}

export class MediaToolError extends Error {
  constructor(
    /** The command that failed, e.g. `ffmpeg`. */
    readonly tool: string,
    /** Exit code, or null when the process was ended by a signal or never started. */
    readonly exitCode: number | null,
    /** The last ~2 KB of the tool's stderr, paths and all: for logs, not for clients. */
    readonly stderrTail: string,
    detail?: string,
    /** What the tool was doing, e.g. `normalising a scene`; starts the message when given. */
    readonly step?: string,
  ) {
    const what = redactPaths(detail ?? (exitCode === null ? 'was terminated' : `exited with code ${exitCode}`));
    const line = lastMeaningfulLine(stderrTail);
    super(`${step ? `${step}: ` : ''}${tool} ${what}${line ? `: ${line}` : ''}`);
    this.name = new.target.name;
  }
}
