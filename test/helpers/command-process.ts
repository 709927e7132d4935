/**
 * One of the project's commands as a process manager runs it: in a process group of its own, its
 * output collected, and every process it leaves behind findable afterwards, whether it stayed in
 * that group or not (a marker variable in the environment is inherited by every descendant).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');

export interface CommandExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** `Date.now()` when the process exited. */
  at: number;
}

export interface CommandProcess {
  /** Its pid, which is also its process group id. */
  pid: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<CommandExit>;
  /** Resolves once the output matches `pattern`; rejects if the process exits or `timeoutMs` passes first. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** SIGKILLs the group and every marked process; for cleanup after a failed test. */
  killAll(): void;
}

export interface LeftProcess {
  pid: number;
  pgid: number;
  command: string;
}

/** Starts `command args` detached (its own process group), with `marker` set in its environment. */
export function startCommand(command: string, args: string[], env: NodeJS.ProcessEnv, marker: string): CommandProcess {
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    env: { ...env, REELFLOW_TEST_PROCESS: marker },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${command} could not be started`);
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const collect = (into: 'out' | 'err') => (chunk: Buffer) => {
    if (into === 'out') stdout += chunk.toString('utf8');
    else stderr += chunk.toString('utf8');
    for (const check of waiters) check();
  };
  child.stdout.on('data', collect('out'));
  child.stderr.on('data', collect('err'));
  const exited = new Promise<CommandExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  const killAll = () => {
    for (const left of processesLeft(pid, marker)) {
      try {
        process.kill(left.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  return {
    pid,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    killAll,
    waitForOutput: (pattern, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const done = (error?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve();
        };
        const check = () => {
          if (pattern.test(stdout) || pattern.test(stderr)) done();
        };
        const timer = setTimeout(() => done(new Error(`No ${pattern} within ${timeoutMs} ms. Output:\n${stdout}\n${stderr}`)), timeoutMs);
        waiters.add(check);
        check();
        void exited.then((exit) =>
          done(new Error(`Exited (${exit.code ?? exit.signal}) before ${pattern}. Output:\n${stdout}\n${stderr}`)),
        );
      }),
  };
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'latin1');
  } catch {
    return '';
  }
}

/**
 * Live processes of process group `pgid`, or carrying `marker` in their environment (so also the
 * ones that moved to a group of their own, like the Temporal dev server). Zombies are dead already:
 * reaping them is the job of PID 1, which in a container without an init may never do it.
 */
export function processesLeft(pgid: number, marker: string): LeftProcess[] {
  const left: LeftProcess[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readOrEmpty(`/proc/${entry}/stat`);
    // `pid (comm) state ppid pgrp …`; comm may hold spaces and parentheses, so split after the last `)`.
    const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (!state || state === 'Z' || state === 'X') continue;
    const marked = readOrEmpty(`/proc/${entry}/environ`).split('\0').includes(`REELFLOW_TEST_PROCESS=${marker}`);
    if (Number(group) !== pgid && !marked) continue;
    left.push({ pid: Number(entry), pgid: Number(group), command: readOrEmpty(`/proc/${entry}/cmdline`).split('\0').join(' ').trim() });
  }
  return left;
}
