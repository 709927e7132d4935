/**
 * The TypeScript face of scripts/lib/temporal-cli.cjs, so that tests, the demo and `npm setup`
 * share one lookup of the Temporal CLI ($TEMPORAL_CLI, PATH, `.tools/`).
 */
import fs from 'node:fs';
import path from 'node:path';

interface TemporalCliLib {
  TEMPORAL_CLI_VERSION: string;
  findTemporalCli(projectRoot: string, env?: NodeJS.ProcessEnv): string | undefined;
  installTemporalCli(projectRoot: string, log?: (line: string) => void): string;
}

/** The project folder, found by walking up so that it also works from compiled output. */
export function projectRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'scripts', 'lib', 'temporal-cli.cjs'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No project root above ${__dirname}`);
  }
}

function loadLib(): TemporalCliLib {
  // A plain require: the .cjs must stay loadable by Node before `npm install` has run.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(path.join(projectRoot(), 'scripts', 'lib', 'temporal-cli.cjs')) as TemporalCliLib;
}

/**
 * Path of a working Temporal CLI. Throws, naming the fix, when none is installed; it never
 * downloads anything itself, so a test run cannot stall on the network.
 */
export function temporalCliPath(): string {
  const found = loadLib().findTemporalCli(projectRoot());
  if (found) return found;
  throw new Error(
    'The Temporal CLI is not installed. Run `npm run setup` (it installs the pinned CLI into ' +
      '.tools/), or set TEMPORAL_CLI to the path of a `temporal` binary.',
  );
}
