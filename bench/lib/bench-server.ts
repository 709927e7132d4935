/**
 * The Temporal side of a benchmark run: a dev server of its own on a free port with a throwaway
 * SQLite file (headless), a client, a worker connection and the workflow bundle, built once and
 * also written to a file so that worker processes load it instead of bundling again.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import { startDevServer, type DevServer } from '../../src/dev/dev-server';
import { freePort } from '../../src/dev/free-port';
import { temporalCliPath } from '../../src/dev/temporal-cli';

export interface BenchServer {
  server: DevServer;
  address: string;
  namespace: string;
  client: Client;
  connection: NativeConnection;
  /** Bundled workflow code, and the file holding it for worker processes. */
  bundle: { code: string; codePath: string };
  /** Scratch folder of this run: the database, media, logs; removed by `stop()`. */
  workDir: string;
  stop(): Promise<void>;
}

const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/**
 * `dbDir` puts the server's SQLite file elsewhere than the scratch folder, e.g. on tmpfs
 * (/dev/shm) to measure Temporal without the disk's fsync latency.
 */
export async function startBenchServer(options: { dbDir?: string } = {}): Promise<BenchServer> {
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-bench-'));
  const dbDir = options.dbDir ? await fs.mkdtemp(path.join(options.dbDir, 'reelflow-bench-db-')) : workDir;
  const namespace = 'default';
  const server = await startDevServer({
    cliPath: temporalCliPath(),
    dbFile: path.join(dbDir, 'temporal.db'),
    port: await freePort(),
    logFile: path.join(workDir, 'temporal.log'),
  });
  const clientConnection = await Connection.connect({ address: server.address });
  const client = new Client({ connection: clientConnection, namespace });
  const connection = await NativeConnection.connect({ address: server.address });
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: silent });
  const codePath = path.join(workDir, 'workflow-bundle.js');
  await fs.writeFile(codePath, code);

  return {
    server,
    address: server.address,
    namespace,
    client,
    connection,
    bundle: { code, codePath },
    workDir,
    async stop() {
      await connection.close().catch(() => undefined);
      await clientConnection.close().catch(() => undefined);
      await server.stop();
      await fs.rm(workDir, { recursive: true, force: true });
      if (dbDir !== workDir) await fs.rm(dbDir, { recursive: true, force: true });
    },
  };
}
