/**
 * The Temporal connection comes from the SDK's environment configuration: variables, TOML
 * profiles, TLS files and API keys, with mistakes rejected at start-up naming the variable.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { connectionOptions } from '../../src/temporal-connection/connect';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reelflow-envconfig-'));
  fs.writeFileSync(path.join(dir, 'ca.pem'), 'CA PEM');
  fs.writeFileSync(path.join(dir, 'client.pem'), 'CLIENT PEM');
  fs.writeFileSync(path.join(dir, 'client.key'), 'CLIENT KEY');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Every error loadConfig throws, as the one line a start-up would print. */
const problemOf = (env: NodeJS.ProcessEnv) => {
  try {
    loadConfig(env);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the configuration to be rejected');
};

test('without settings it connects in plaintext to localhost:7233, namespace default', () => {
  const config = loadConfig({});
  expect(config.temporal).toMatchObject({ address: 'localhost:7233', namespace: 'default', tls: false });
  expect(connectionOptions(config)).toMatchObject({ address: 'localhost:7233', tls: false, apiKey: undefined });
});

test('a Temporal Cloud API key turns TLS on and stays in the secrets', () => {
  const config = loadConfig({
    TEMPORAL_ADDRESS: 'reelflow.a1b2c.tmprl.cloud:7233',
    TEMPORAL_NAMESPACE: 'reelflow.a1b2c',
    TEMPORAL_API_KEY: 'cloud-key-123',
  });
  expect(config.temporal).toMatchObject({ address: 'reelflow.a1b2c.tmprl.cloud:7233', namespace: 'reelflow.a1b2c' });
  expect(config.temporal.tls).toEqual({});
  expect(JSON.stringify(config.temporal)).not.toContain('cloud-key-123');
  expect(config.secrets.temporal.apiKey).toBe('cloud-key-123');
  expect(connectionOptions(config)).toMatchObject({ apiKey: 'cloud-key-123', tls: {} });
});

test('mTLS files, server CA and server name are read at start-up and passed to the connection', () => {
  const config = loadConfig({
    TEMPORAL_ADDRESS: '10.0.0.5:7233',
    TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'client.pem'),
    TEMPORAL_TLS_CLIENT_KEY_PATH: path.join(dir, 'client.key'),
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'ca.pem'),
    TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
  });
  const tls = connectionOptions(config).tls;
  expect(tls).toEqual({
    serverNameOverride: 'temporal.internal',
    serverRootCACertificate: Buffer.from('CA PEM'),
    clientCertPair: { crt: Buffer.from('CLIENT PEM'), key: Buffer.from('CLIENT KEY') },
  });
  expect(config.secrets.temporal.clientKey?.toString()).toBe('CLIENT KEY');
  expect(JSON.stringify(config.temporal)).not.toContain('CLIENT KEY');
});

test('a TOML profile chosen by TEMPORAL_PROFILE is used, and variables override it', () => {
  const file = path.join(dir, 'temporal.toml');
  fs.writeFileSync(
    file,
    [
      '[profile.default]',
      'address = "localhost:7233"',
      '[profile.prod]',
      'address = "prod.a1b2c.tmprl.cloud:7233"',
      'namespace = "prod.a1b2c"',
      'api_key = "from-file"',
      '[profile.prod.grpc_meta]',
      'x-tenant = "reelflow"',
    ].join('\n'),
  );
  const fromProfile = loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
  expect(fromProfile.temporal).toMatchObject({ address: 'prod.a1b2c.tmprl.cloud:7233', namespace: 'prod.a1b2c', profile: 'prod' });
  expect(fromProfile.secrets.temporal).toMatchObject({ apiKey: 'from-file', grpcMetadata: { 'x-tenant': 'reelflow' } });

  const overridden = loadConfig({
    TEMPORAL_CONFIG_FILE: file,
    TEMPORAL_PROFILE: 'prod',
    TEMPORAL_NAMESPACE: 'staging.a1b2c',
    TEMPORAL_TLS: 'false',
  });
  expect(overridden.temporal).toMatchObject({ namespace: 'staging.a1b2c', tls: false });

  expect(problemOf({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'nope' })).toMatch(/^Invalid configuration: .*Profile 'nope' not found/);
});

test.each([
  ['localhost', 'no port'],
  ['http://localhost:7233', 'a scheme'],
  ['localhost:abc', 'a port that is not a number'],
  ['localhost:70000', 'a port out of range'],
  ['temporal.example.com:7233/api', 'a path'],
])('TEMPORAL_ADDRESS=%s (%s) is rejected naming the variable', (address) => {
  expect(problemOf({ TEMPORAL_ADDRESS: address })).toMatch(/^Invalid configuration: TEMPORAL_ADDRESS must be host:port/);
});

test('IPv6 and DNS addresses are accepted', () => {
  expect(loadConfig({ TEMPORAL_ADDRESS: '[::1]:7233' }).temporal.address).toBe('[::1]:7233');
  expect(loadConfig({ TEMPORAL_ADDRESS: 'temporal-frontend.temporal.svc:7233' }).temporal.address).toBe(
    'temporal-frontend.temporal.svc:7233',
  );
});

test('a missing certificate file or half an mTLS pair is rejected naming the variable', () => {
  expect(problemOf({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'missing.pem') })).toMatch(
    /TEMPORAL_TLS_SERVER_CA_CERT_PATH .*cannot be read: .*missing\.pem \(ENOENT\)/,
  );
  expect(problemOf({ TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'client.pem') })).toMatch(
    /mTLS needs both TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH/,
  );
});

test('PORT=abc is rejected naming PORT', () => {
  expect(problemOf({ PORT: 'abc' })).toMatch(/^Invalid configuration: PORT: /);
});

test('empty values, as compose passes unset variables, mean the defaults', () => {
  const config = loadConfig({ TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: '', TEMPORAL_API_KEY: '', TEMPORAL_TLS: '' });
  expect(config.temporal).toMatchObject({ address: 'localhost:7233', namespace: 'default', tls: false });
  expect(config.secrets.temporal.apiKey).toBeUndefined();
});

test('TEMPORAL_TLS accepts only true/false/1/0', () => {
  expect(problemOf({ TEMPORAL_TLS: 'yes' })).toMatch(/^Invalid configuration: TEMPORAL_TLS: /);
  expect(loadConfig({ TEMPORAL_TLS: 'true' }).temporal.tls).toEqual({});
});

test('a TOML file that does not parse is named with the position, without quoting its lines', () => {
  const file = path.join(dir, 'broken.toml');
  fs.writeFileSync(file, '[profile.default]\napi_key = "secret-in-a-broken-line\naddress = "x"\n');
  const problem = problemOf({ TEMPORAL_CONFIG_FILE: file });
  expect(problem).toMatch(
    /^Invalid configuration: Temporal client configuration \(TEMPORAL_CONFIG_FILE=.*broken\.toml\): .*\(line 2, column \d+\)$/,
  );
  expect(problem).not.toContain('secret-in-a-broken-line');
});
