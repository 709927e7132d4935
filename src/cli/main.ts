/**
 * Entry point of the `reelflow` command (bin/reelflow.mjs loads it through tsx). The CLI is a
 * client of the HTTP API, so it reads only its own two variables (`loadCliEnv`), not the
 * service's configuration.
 */
import { loadCliEnv } from '../config';
import { runCli } from './run-cli';

/** Runs the command line of this process and exits with the command's status. */
export function main(): void {
  runCli(process.argv.slice(2), loadCliEnv(), { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`reelflow: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}

if (require.main === module) main();
