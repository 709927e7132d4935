/**
 * Fake media tools for a worker process: a shell script named like the tool, put first on the
 * worker's PATH, runs some shell code and then the real tool. Lets a test slow a tool down or make
 * it hang without any test-only switch in the source.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes `<binDir>/<tool>`: it runs `shellCode` (which may `exit` or `exec` on its own), then the
 * real tool, found on PATH after `binDir`.
 */
export async function writeToolWrapper(binDir: string, tool: string, shellCode: string): Promise<string> {
  await fs.mkdir(binDir, { recursive: true });
  const file = path.join(binDir, tool);
  const script = [
    '#!/bin/sh',
    shellCode,
    // Drop our own folder from PATH so that the exec finds the real tool, not this script.
    `PATH=$(printf '%s' "$PATH" | tr ':' '\\n' | grep -vx '${binDir}' | paste -sd: -)`,
    `exec ${tool} "$@"`,
    '',
  ].join('\n');
  await fs.writeFile(file, script, { mode: 0o755 });
  return file;
}
