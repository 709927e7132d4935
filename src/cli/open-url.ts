/**
 * Opens a link in the user's browser with the desktop's own opener (`open` on macOS, `xdg-open`
 * elsewhere) when it is installed; the caller prints the link either way, so a server without a
 * desktop loses nothing.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { executableSearchPath } from '../config';

function findOnPath(command: string, dirs: string[]): string | undefined {
  for (const dir of dirs) {
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder.
    }
  }
  return undefined;
}

/** Starts the opener on `url` without waiting for it; resolves whether an opener was started. */
export function openUrl(url: string, dirs = executableSearchPath()): Promise<boolean> {
  const opener = findOnPath(process.platform === 'darwin' ? 'open' : 'xdg-open', dirs);
  if (!opener) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(opener, [url], { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
  });
}
