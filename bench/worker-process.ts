/**
 * A benchmark worker as a process of its own: `node --import tsx bench/worker-process.ts '<json>'`
 * with a WorkerProcessConfig as the only argument. It prints one JSON line `{"ready":true,"pid":…}`
 * once its workers poll, and stops gracefully on SIGTERM or SIGINT (the Temporal runtime's default).
 * The crash benchmark kills it with SIGKILL instead.
 */
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { startWorkerSet, type WorkerSetConfig } from './lib/worker-set';

export interface WorkerProcessConfig extends WorkerSetConfig {
  address: string;
  namespace: string;
  /** File holding the bundled workflow code. */
  bundlePath: string;
}

async function main(): Promise<void> {
  const raw = process.argv[2];
  if (!raw) throw new Error('usage: worker-process.ts <json config>');
  const config = JSON.parse(raw) as WorkerProcessConfig;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const connection = await NativeConnection.connect({ address: config.address });
  try {
    const set = await startWorkerSet({
      connection,
      namespace: config.namespace,
      bundle: { codePath: config.bundlePath },
      config,
    });
    process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
    await set.running;
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`worker process failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
