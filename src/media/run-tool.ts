/**
 * Runs a media tool as a child process with an argument array, never through a shell, so that
 * titles and paths from users cannot inject commands. The child never outlives the call: it is
 * killed on abort and on timeout, and the promise settles only once the child has exited. It runs
 * in a process group of its own, so Ctrl-C or a `kill -TERM -<pgid>` meant for the worker does not
 * kill it mid-render: the stopping worker lets the activity finish within its grace time, or
 * cancels it (and so kills the tool) after. If the worker dies outright, the kernel kills the tool.
 */
import { spawn } from 'node:child_process';
import { killedWithParent } from '../shared-node/parent-death-signal';
import { MediaToolError } from './media-tool-error';

/** How much of stderr is kept: enough for ffmpeg's closing error lines, bounded for long renders. */
export const STDERR_TAIL_BYTES = 2048;
/** Time a tool gets to exit after SIGTERM (ffmpeg finalises files on it) before SIGKILL. */
const KILL_GRACE_MS = 1000;
/**
 * A signal sent to the worker's process group in the instant between a tool's fork and its
 * `setsid` still reaches the tool (measured: a group signal sent during a burst of spawns killed
 * one of them in about half of the tries).
 * A tool that dies of one of these, silent, this soon after its start, and not by our hand, never
 * ran: it is started once more.
 */
const STRAY_SIGNALS: ReadonlySet<NodeJS.Signals> = new Set(['SIGINT', 'SIGTERM', 'SIGHUP']);
const STRAY_SIGNAL_WINDOW_MS = 1000;

export interface RunToolOptions {
  signal?: AbortSignal;
  cwd?: string;
  /** Called with every complete line of stdout, as it arrives. */
  onStdoutLine?: (line: string) => void;
  /** Kills the tool and rejects with MediaToolError after this many milliseconds. */
  timeoutMs?: number;
  /** Written to the tool's stdin, which is then closed. stdin is closed and empty otherwise. */
  input?: string;
  /** What the tool is run for (`joining the scenes`), named first in a failure's message. */
  step?: string;
}

function abortError(signal: AbortSignal): Error {
  if (signal.reason instanceof Error) return signal.reason;
  const err = new Error(typeof signal.reason === 'string' ? signal.reason : 'The operation was aborted');
  err.name = 'AbortError';
  return err;
}

function keepTail(text: string, max: number): string {
  return text.length > max ? text.slice(text.length - max) : text;
}

/** Runs `command args…` and resolves with its output once it exits with code 0. */
export function runTool(command: string, args: string[], options: RunToolOptions = {}): Promise<{ stdout: string; stderr: string }> {
  return runOnce(command, args, options, true);
}

function runOnce(command: string, args: string[], options: RunToolOptions, firstTry: boolean): Promise<{ stdout: string; stderr: string }> {
  const { signal, cwd, onStdoutLine, timeoutMs, input, step } = options;
  if (signal?.aborted) return Promise.reject(abortError(signal));

  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    let sawOutput = false;
    const launch = killedWithParent(command, args);
    const child = spawn(launch.command, launch.args, {
      cwd,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    // stdout is only kept whole when nobody streams it: progress output can be long.
    let stdout = '';
    let stdoutPartial = '';
    let stderr = '';
    let failure: Error | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let timeoutTimer: NodeJS.Timeout | undefined;

    const stop = (reason: Error): void => {
      if (failure) return;
      failure = reason;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    const onAbort = (): void => stop(abortError(signal as AbortSignal));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) {
      timeoutTimer = setTimeout(() => stop(new MediaToolError(command, null, stderr, `timed out after ${timeoutMs} ms`, step)), timeoutMs);
    }

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      sawOutput = true;
      if (!onStdoutLine) {
        stdout += chunk;
        return;
      }
      const lines = (stdoutPartial + chunk).split(/\r?\n/);
      stdoutPartial = lines.pop() ?? '';
      for (const line of lines) onStdoutLine(line);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      sawOutput = true;
      stderr = keepTail(stderr + chunk, STDERR_TAIL_BYTES);
    });
    // A tool that exits before reading its input would otherwise raise EPIPE here.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? '');

    child.on('error', (err) => {
      // Spawn failures (ENOENT) never produce 'exit', only 'close'; keep the first cause.
      failure ??= new MediaToolError(command, null, stderr, `could not be started (${err.message})`, step);
    });
    child.on('exit', () => {
      // After a kill, a grandchild could still hold the pipes open and delay 'close'.
      if (failure) {
        child.stdout.destroy();
        child.stderr.destroy();
      }
    });
    child.on('close', (code, exitSignal) => {
      clearTimeout(killTimer);
      clearTimeout(timeoutTimer);
      signal?.removeEventListener('abort', onAbort);
      const strayDeath = exitSignal !== null && STRAY_SIGNALS.has(exitSignal) && !sawOutput;
      if (!failure && firstTry && strayDeath && Date.now() - startedAt < STRAY_SIGNAL_WINDOW_MS) {
        resolve(runOnce(command, args, options, false));
        return;
      }
      if (onStdoutLine && stdoutPartial) onStdoutLine(stdoutPartial);
      if (failure) reject(failure);
      else if (code !== 0) reject(new MediaToolError(command, code, stderr, undefined, step));
      else resolve({ stdout, stderr });
    });
  });
}
