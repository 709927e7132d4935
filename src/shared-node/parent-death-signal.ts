/**
 * A child in a process group of its own is out of reach of Ctrl-C and of `kill -TERM -<pgid>`,
 * which is the point: its parent stops it in order (the dev server last; a media tool when its
 * activity ends or is cancelled). But then a parent killed outright (SIGKILL, OOM) would leave it
 * running. On Linux, util-linux's `setpriv --pdeathsig` makes the kernel kill the child when its
 * parent dies, however that happens.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { executableSearchPath } from '../config';

let setprivWorks: boolean | undefined;

/** True when `setpriv --pdeathsig` runs here (Linux with util-linux 2.33 or newer). */
function canSetParentDeathSignal(): boolean {
  if (setprivWorks === undefined) {
    setprivWorks =
      process.platform === 'linux' &&
      spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore', timeout: 5_000 }).status === 0;
  }
  return setprivWorks;
}

/** True when `command` names a file spawn would run: a path, or a name found on PATH. */
function canRun(command: string): boolean {
  const candidates = command.includes(path.sep) ? [command] : executableSearchPath().map((dir) => path.join(dir, command));
  return candidates.some((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The command and arguments that run `command args` and have it killed (SIGKILL) when the
 * calling process dies. Unchanged where `setpriv` is missing, and for a command that cannot run,
 * so that spawn still reports it as ENOENT. `setpriv` execs the command: the child's pid is its own.
 */
export function killedWithParent(command: string, args: string[]): { command: string; args: string[] } {
  if (!canSetParentDeathSignal() || !canRun(command)) return { command, args };
  return { command: 'setpriv', args: ['--pdeathsig', 'KILL', '--', command, ...args] };
}
