/**
 * The error a process start-up gets when Temporal cannot be used: one sentence that names the
 * address, what went wrong and what to do next, instead of gRPC's "Failed to connect before the
 * deadline" or a raw `tonic::transport::Error`.
 */
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import { probeEndpoint } from './probe-endpoint';

/** gRPC status codes that say the server answered and refused us. */
const UNAUTHENTICATED = 16;
const PERMISSION_DENIED = 7;
const NOT_FOUND = 5;

const START_ONE =
  'is the server running? `npm run temporal` starts one; for Temporal Cloud set TEMPORAL_ADDRESS to ' +
  '<namespace>.<account>.tmprl.cloud:7233, TEMPORAL_NAMESPACE and TEMPORAL_API_KEY (or TEMPORAL_TLS_CLIENT_CERT_PATH ' +
  'and TEMPORAL_TLS_CLIENT_KEY_PATH)';
const CHECK_TLS =
  'check the TLS settings: TEMPORAL_TLS=false for a server without TLS, TEMPORAL_TLS_SERVER_CA_CERT_PATH and ' +
  'TEMPORAL_TLS_SERVER_NAME for a private CA, TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH for mTLS';

export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
  constructor(
    readonly address: string,
    reason: string,
    nextStep: string,
  ) {
    super(`Cannot use Temporal at ${address}: ${reason}; ${nextStep}`);
  }
}

function grpcCode(err: unknown): number | undefined {
  for (let e: unknown = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

function messageOf(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e; e = e instanceof Error ? e.cause : undefined) {
    parts.push(e instanceof Error ? e.message : typeof e === 'string' ? e : JSON.stringify(e));
  }
  return parts.join(': ');
}

/**
 * Turns a failed connection or namespace check into a `TemporalUnreachableError`. A refusal by the
 * server speaks for itself; otherwise the address is probed (DNS, TCP, then TLS with `tlsConfig`,
 * undefined for plaintext), because neither SDK says why a connection failed in a way a reader can act on.
 */
export async function explainConnectFailure(
  address: string,
  namespace: string,
  tlsConfig: TLSConfig | undefined,
  err: unknown,
): Promise<TemporalUnreachableError> {
  const code = grpcCode(err);
  const text = messageOf(err);
  if (code === UNAUTHENTICATED || code === PERMISSION_DENIED || /unauthenticated|permission denied/i.test(text)) {
    return new TemporalUnreachableError(
      address,
      `the server refused the credentials for namespace ${namespace}`,
      'check TEMPORAL_API_KEY (or the client certificate) and TEMPORAL_NAMESPACE',
    );
  }
  if (code === NOT_FOUND || /namespace .*not found/i.test(text)) {
    return new TemporalUnreachableError(
      address,
      `namespace ${namespace} does not exist there`,
      'set TEMPORAL_NAMESPACE to an existing namespace (on Temporal Cloud: <namespace>.<account>)',
    );
  }
  const probe = await probeEndpoint(address, tlsConfig);
  switch (probe.kind) {
    case 'unreachable':
      return new TemporalUnreachableError(address, probe.reason, START_ONE);
    case 'tls':
      return new TemporalUnreachableError(address, `the TLS handshake failed (${probe.reason})`, CHECK_TLS);
    case 'needs-tls':
      return new TemporalUnreachableError(
        address,
        'the server expects TLS but TLS is off',
        'set TEMPORAL_TLS=true, or TEMPORAL_API_KEY or TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH, which turn it on',
      );
    case 'answers':
      return new TemporalUnreachableError(
        address,
        'the port accepts connections but does not answer as a Temporal frontend',
        `${START_ONE}; ${CHECK_TLS}`,
      );
  }
}
