/**
 * How every long-running command (`npm run temporal`, `worker`, `api`, `npm start`, `npm run
 * demo`) stops: on the first SIGINT or SIGTERM it runs its stop once, then exits 0. One request
 * to stop often arrives two or three times (a signal to the process group reaches the process and
 * npm, and npm forwards it again), so later signals are absorbed instead of being left to Node's
 * default, which would kill the process halfway through its stop. A stop that hangs is cut off at
 * a deadline with exit code 1, so a process manager never has to escalate to SIGKILL.
 */

/** The signals a command stops on: SIGINT (Ctrl-C) and SIGTERM (process managers, `kill`). */
export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * Time a command may take beyond `WORKER_SHUTDOWN_GRACE_SEC`: cancelled activities react,
 * connections close. A command still running after grace + margin exits 1.
 */
export const STOP_MARGIN_MS = 5_000;

export interface StopOnSignalsOptions {
  /** Milliseconds from the first signal after which the process exits 1, stopped or not. */
  deadlineMs: number;
  /** Writes the final line when the stop failed or passed the deadline (the exit code is then 1). */
  onFailure(message: string): void;
}

export interface StopRequest {
  /** The first stop signal received, once there was one. */
  readonly signal: NodeJS.Signals | undefined;
}

/**
 * Calls `stop` on the first SIGINT or SIGTERM and exits 0 once it resolves. `stop` writes the
 * command's final line itself, as its last act. Installed once per process, by its entry point.
 */
export function stopOnSignals(stop: (signal: NodeJS.Signals) => Promise<void>, options: StopOnSignalsOptions): StopRequest {
  let requested: NodeJS.Signals | undefined;
  const fail = (message: string): never => {
    options.onFailure(message);
    process.exit(1);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (requested) return;
    requested = signal;
    // Not unref'd: a stop waiting on nothing but a lost promise must still end with a line.
    const deadline = setTimeout(
      () => fail(`did not stop within ${Math.round(options.deadlineMs / 1000)} s of ${signal}`),
      options.deadlineMs,
    );
    stop(signal).then(
      () => {
        clearTimeout(deadline);
        process.exit(0);
      },
      (error: unknown) => fail(`stopping failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return {
    get signal() {
      return requested;
    },
  };
}
