/**
 * `npm start`: the local stack (Temporal dev server with Web UI, workers, API) until Ctrl-C or
 * SIGTERM, which stop the API, the workers, then the dev server, and exit 0 after one final line.
 */
import { loadConfig } from '../src/config';
import { devDataDir } from '../src/dev/dev-data-dir';
import { startLocalStack } from '../src/dev/local-stack';
import { STOP_MARGIN_MS, stopOnSignals } from '../src/shared-node/stop-on-signals';

const log = (line: string) => console.log(`start: ${line}`);

async function main(): Promise<void> {
  const config = loadConfig();
  const starting = startLocalStack(config, { dataDir: devDataDir(), log });
  // Handled from the start: a signal while the stack starts waits for it, then stops it.
  const request = stopOnSignals(
    async (signal) => {
      const started = Date.now();
      log(`${signal}: stopping the API, the workers, then the Temporal dev server`);
      await (await starting.catch(() => undefined))?.stop();
      log(`stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    },
    { deadlineMs: config.shutdownGraceMs + STOP_MARGIN_MS, onFailure: (message) => console.error(`start: ${message}`) },
  );
  const stack = await starting;
  if (!request.signal) log(`ready: POST ${stack.api.url}/api/videos, Web UI ${config.temporal.uiUrl}. Ctrl-C stops.`);
}

main().catch((err: unknown) => {
  console.error(`start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
