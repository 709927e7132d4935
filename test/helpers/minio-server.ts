/**
 * A real S3 server for tests: the pinned MinIO binary (`npm run setup -- --servers` builds it) on
 * a free 127.0.0.1 port, with a temporary data folder, random root credentials and one bucket.
 * It never calls home: the console and update checks are off.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { projectRoot } from '../../src/dev/temporal-cli';
import { pollUntil } from './poll';

export interface MinioServer {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The environment a worker or API process needs to use this bucket (credentials included). */
  env: Record<string, string>;
  /** A client with the root credentials, for checking the bucket from the test. */
  client: S3Client;
  /** Stops the server and deletes its data. */
  stop(): Promise<void>;
}

function minioBinary(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require(path.join(projectRoot(), 'scripts', 'lib', 'go-tools.cjs')) as {
    findGoTool(root: string, name: string): Record<string, string> | undefined;
  };
  const found = lib.findGoTool(projectRoot(), 'minio')?.minio;
  if (!found)
    throw new Error('MinIO is not built. Run `node scripts/setup.mjs --servers` (it builds the pinned MinIO into .tools/go-bin/).');
  return found;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startMinio(bucket = `reelflow-${crypto.randomBytes(4).toString('hex')}`): Promise<MinioServer> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'reelflow-minio-'));
  const accessKeyId = `test${crypto.randomBytes(8).toString('hex')}`;
  const secretAccessKey = crypto.randomBytes(24).toString('base64url');
  const [port, consolePort] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(
    minioBinary(),
    ['server', path.join(dataDir, 'data'), '--address', `127.0.0.1:${port}`, '--console-address', `127.0.0.1:${consolePort}`, '--quiet'],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dataDir,
        MINIO_ROOT_USER: accessKeyId,
        MINIO_ROOT_PASSWORD: secretAccessKey,
        MINIO_BROWSER: 'off',
        MINIO_UPDATE: 'off',
        MINIO_CALLHOME_ENABLE: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-8000)));
  child.stderr.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-8000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(force);
    await fs.rm(dataDir, { recursive: true, force: true });
  };
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
  try {
    await pollUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`MinIO exited with code ${child.exitCode}:\n${output}`);
        return fetch(`${endpoint}/minio/health/live`).then(
          (r) => r.status,
          () => 0,
        );
      },
      (status) => status === 200,
      60_000,
      100,
    );
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (err) {
    client.destroy();
    await stop();
    throw err;
  }
  return {
    endpoint,
    bucket,
    accessKeyId,
    secretAccessKey,
    client,
    env: {
      ARTIFACT_STORE: 's3',
      S3_BUCKET: bucket,
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      // No instance-metadata lookups if the chain ever got that far.
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    async stop() {
      client.destroy();
      await stop();
    },
  };
}
