/**
 * The one place that opens connections to Temporal: the client `Connection` (API, scripts) and
 * the worker `NativeConnection` are built from the same configuration, so TLS, API keys and
 * profiles behave alike everywhere. Each connection is checked against the namespace before it is
 * handed out, and fails within seconds with a `TemporalUnreachableError` that says what to do.
 */
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { TemporalConnectionSecrets, TemporalConnectionSettings } from './connection-settings';
import { explainConnectFailure, TemporalUnreachableError } from './temporal-unreachable-error';

/** Long enough for a TLS handshake across regions, short enough that a wrong address is obvious. */
export const CONNECT_TIMEOUT_MS = 5_000;

/** The parts of the service configuration a connection needs. */
export interface ConnectionConfig {
  temporal: TemporalConnectionSettings;
  secrets: { temporal: TemporalConnectionSecrets };
}

/** Options shared by both connection classes: address, TLS, API key and gRPC headers. */
export function connectionOptions(config: ConnectionConfig): NativeConnectionOptions & ConnectionOptions {
  const { tls } = config.temporal;
  const { apiKey, clientKey, grpcMetadata } = config.secrets.temporal;
  return {
    address: config.temporal.address,
    tls: tls && {
      serverNameOverride: tls.serverName,
      serverRootCACertificate: tls.serverRootCACertificate,
      clientCertPair: tls.clientCertificate && clientKey ? { crt: tls.clientCertificate, key: clientKey } : undefined,
    },
    apiKey,
    metadata: grpcMetadata,
  };
}

type Closeable = { close(): Promise<void> };

/** Rejects after `ms`, closing the connection if it arrives later, so nothing is left open. */
function withTimeout<T extends Closeable>(connecting: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      void connecting.then((c) => c.close()).catch(() => undefined);
      reject(new Error(`no answer within ${ms / 1000} s`));
    }, ms);
  });
  return Promise.race([connecting, timeout]).finally(() => clearTimeout(timer));
}

async function openChecked<T extends Closeable & Pick<Connection, 'withDeadline'> & { workflowService: Connection['workflowService'] }>(
  config: ConnectionConfig,
  open: () => Promise<T>,
): Promise<T> {
  const { address, namespace } = config.temporal;
  let connection: T | undefined;
  try {
    connection = await withTimeout(open(), CONNECT_TIMEOUT_MS);
    const conn = connection;
    // A wrong namespace or credential would otherwise surface only at the first workflow call.
    await conn.withDeadline(Date.now() + CONNECT_TIMEOUT_MS, () => conn.workflowService.describeNamespace({ namespace }));
    return conn;
  } catch (err) {
    await connection?.close().catch(() => undefined);
    if (err instanceof TemporalUnreachableError) throw err;
    const { tls } = connectionOptions(config);
    throw await explainConnectFailure(address, namespace, typeof tls === 'object' && tls ? tls : undefined, err);
  }
}

/** A client connection for the API and scripts, verified against the configured namespace. */
export function connectClient(config: ConnectionConfig): Promise<Connection> {
  return openChecked(config, () => Connection.connect({ ...connectionOptions(config), connectTimeout: CONNECT_TIMEOUT_MS }));
}

/** A worker connection, verified against the configured namespace. */
export function connectWorker(config: ConnectionConfig): Promise<NativeConnection> {
  return openChecked(config, () => NativeConnection.connect(connectionOptions(config)));
}
