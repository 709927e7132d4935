/**
 * Entry point of the `reelflow` command (bin/reelflow.mjs loads it through tsx). The CLI is a
 * client of the HTTP API, so it reads its own two variables, REELFLOW_API_URL and
 * REELFLOW_API_KEY, here rather than the service's configuration in src/config.ts.
 */
import { runCli } from './run-cli';

/** Runs the command line of this process and exits with the command's status. */
export function main(): void {
  const env = { REELFLOW_API_URL: process.env.REELFLOW_API_URL, REELFLOW_API_KEY: process.env.REELFLOW_API_KEY };
  runCli(process.argv.slice(2), env, { stdout: process.stdout, stderr: process.stderr }).then(
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
