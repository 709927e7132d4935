/**
 * `npm start`: the local stack (Temporal dev server with Web UI, workers, API) until Ctrl-C.
 */
import path from 'node:path';
import { loadConfig } from '../src/config';
import { startLocalStack } from '../src/dev/local-stack';

const log = (line: string) => console.log(`start: ${line}`);

async function main(): Promise<void> {
  const config = loadConfig();
  const stack = await startLocalStack(config, { dataDir: path.resolve(__dirname, '..', '.temporal'), log });
  log(`ready: POST ${stack.api.url}/api/videos, Web UI ${config.temporal.uiUrl}. Ctrl-C stops.`);
  const stop = (signal: string) => {
    log(`${signal}: stopping`);
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
