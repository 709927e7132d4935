/**
 * Reads how to reach Temporal through the SDK's environment configuration
 * (`@temporalio/envconfig`): the same TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TEMPORAL_TLS_*, TEMPORAL_PROFILE variables and TOML profiles the `temporal` CLI understands, so
 * one set of settings serves the CLI, the API and the workers. Certificates are read here, once,
 * so a missing file fails at start-up with the variable's name; the API key and client key go to
 * the secrets half, which is never logged.
 */
import fs from 'node:fs';
import { loadClientConfigProfile, type ClientConfigProfile, type ConfigDataSource } from '@temporalio/envconfig';
import { addressProblem } from './temporal-address';

/** Where `npm run temporal` serves, used when neither a variable nor a profile names an address. */
export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';

export interface TemporalTlsSettings {
  /** Overrides the name checked against the server's certificate (and sent as SNI). */
  serverName?: string;
  /** PEM of the CA that signed the server's certificate; the system's roots otherwise. */
  serverRootCACertificate?: Buffer;
  /** PEM of this client's certificate, for mTLS (its key is in the secrets). */
  clientCertificate?: Buffer;
}

/** What may be logged: where the server is and how TLS is set up. */
export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  /** The TOML profile chosen with TEMPORAL_PROFILE, if any (`default` is used otherwise, when present). */
  profile?: string;
  /** `false` for plaintext gRPC; TLS is on by default with an API key or any TLS setting. */
  tls: false | TemporalTlsSettings;
}

/** What may not: credentials sent to the server. */
export interface TemporalConnectionSecrets {
  apiKey?: string;
  clientKey?: Buffer;
  /** gRPC headers from TEMPORAL_GRPC_META_* (they may carry credentials). */
  grpcMetadata?: Record<string, string>;
}

const invalid = (problem: string) => new Error(`Invalid configuration: ${problem}`);

/** The variable and profile key a TLS file setting comes from, for error messages. */
const TLS_SOURCES = {
  serverCACert: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH (or tls.server_ca_cert_path in the profile)',
  clientCert: 'TEMPORAL_TLS_CLIENT_CERT_PATH (or tls.client_cert_path in the profile)',
  clientKey: 'TEMPORAL_TLS_CLIENT_KEY_PATH (or tls.client_key_path in the profile)',
} as const;

function readSource(source: ConfigDataSource | undefined, name: keyof typeof TLS_SOURCES): Buffer | undefined {
  if (!source) return undefined;
  if ('data' in source) return Buffer.from(source.data);
  try {
    return fs.readFileSync(source.path);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    throw invalid(`${TLS_SOURCES[name]} cannot be read: ${source.path} (${reason})`);
  }
}

function loadProfile(env: Record<string, string>): ClientConfigProfile {
  try {
    return loadClientConfigProfile({ overrideEnvVars: env });
  } catch (err) {
    // A TOML parse error quotes the file around the mistake, which may be an api_key line: keep
    // only its first line and the position.
    const { line, column } = err as { line?: number; column?: number };
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.trim() ?? '';
    const message = line === undefined ? first : `${first} (line ${line}, column ${column ?? '?'})`;
    const file = env.TEMPORAL_CONFIG_FILE ? ` (TEMPORAL_CONFIG_FILE=${env.TEMPORAL_CONFIG_FILE})` : '';
    throw invalid(`Temporal client configuration${file}: ${message}`);
  }
}

function tlsSettings(profile: ClientConfigProfile): false | TemporalTlsSettings {
  const tls = profile.tls;
  if (tls?.disabled) return false;
  if (!tls && profile.apiKey === undefined) return false;
  if (Boolean(tls?.clientCert) !== Boolean(tls?.clientKey)) {
    throw invalid('mTLS needs both TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (or their _DATA forms)');
  }
  return {
    serverName: tls?.serverName || undefined,
    serverRootCACertificate: readSource(tls?.serverCACert, 'serverCACert'),
    clientCertificate: readSource(tls?.clientCert, 'clientCert'),
  };
}

/**
 * Resolves the Temporal connection from an environment (variables override the profile named by
 * TEMPORAL_PROFILE, or `default`, of TEMPORAL_CONFIG_FILE or ~/.config/temporalio/temporal.toml).
 * Throws `Invalid configuration: …` naming the variable at fault.
 */
export function loadConnectionSettings(env: NodeJS.ProcessEnv): {
  settings: TemporalConnectionSettings;
  secrets: TemporalConnectionSecrets;
} {
  // `VAR=` means unset here too (compose passes `${VAR:-}`); an empty API key would turn TLS on.
  const defined = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
  if (defined.TEMPORAL_TLS_DISABLE_HOST_VERIFICATION) {
    throw invalid(
      "TEMPORAL_TLS_DISABLE_HOST_VERIFICATION is not supported by Temporal's TypeScript SDK; " +
        "set TEMPORAL_TLS_SERVER_NAME to the name in the server's certificate instead",
    );
  }
  const profile = loadProfile(defined);
  const address = profile.address || DEFAULT_TEMPORAL_ADDRESS;
  const addressSource = defined.TEMPORAL_ADDRESS !== undefined ? 'TEMPORAL_ADDRESS' : 'the address of the Temporal profile';
  const problem = addressProblem(address, addressSource);
  if (problem) throw invalid(problem);
  const tls = tlsSettings(profile);
  return {
    settings: {
      address,
      namespace: profile.namespace || 'default',
      profile: defined.TEMPORAL_PROFILE,
      tls,
    },
    secrets: {
      apiKey: profile.apiKey,
      clientKey: tls ? readSource(profile.tls?.clientKey, 'clientKey') : undefined,
      grpcMetadata: profile.grpcMeta && Object.keys(profile.grpcMeta).length > 0 ? profile.grpcMeta : undefined,
    },
  };
}
