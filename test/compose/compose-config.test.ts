/**
 * docker-compose.temporal.yml is safe by default and passes every setting: each variable
 * src/config.ts reads reaches the worker and the API from .env, .env.example documents each one,
 * nothing is published beyond this host unless asked, and no password has a default. With a
 * Compose binary at hand (DOCKER_COMPOSE, e.g. one built from its Go module) the file is also
 * checked by `docker compose config`; there is no Docker engine here to run it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { assertSafeExposure } from '../../src/api/exposure-guard';
import { CONFIG_VARIABLES, loadConfig } from '../../src/config';

const ROOT = path.resolve(__dirname, '../..');
const COMPOSE_FILE = path.join(ROOT, 'docker-compose.temporal.yml');

interface Service {
  environment?: Record<string, unknown>;
  ports?: string[];
}
const compose = load(fs.readFileSync(COMPOSE_FILE, 'utf8')) as { services: Record<string, Service> };
const envExample = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');
const exampleKeys = new Set([...envExample.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));

test.each(['worker', 'api'])('the %s container receives every variable src/config.ts reads', (name) => {
  const environment = Object.keys(compose.services[name]?.environment ?? {});
  expect([...environment].sort()).toEqual([...CONFIG_VARIABLES].sort());
});

test('.env.example lists every variable a deployment may set', () => {
  const fixedByCompose = ['MEDIA_ROOT', 'HOST', 'PORT', 'WORKER_HEALTH_FILE'];
  const settable = CONFIG_VARIABLES.filter((v) => !fixedByCompose.includes(v));
  expect(settable.filter((v) => !exampleKeys.has(v))).toEqual([]);
  expect(exampleKeys.has('POSTGRES_PASSWORD')).toBe(true);
});

test('an empty value from .env means the default, so `${VAR:-}` in compose is harmless', () => {
  const config = loadConfig({ SCENE_CONCURRENCY: '', RUNWAY_RATE_PER_SEC: '', LOG_LEVEL: '' });
  expect(config.defaults.sceneConcurrency).toBe(4);
  expect(config.runway.ratePerSec).toBe(5);
  expect(config.logLevel).toBe('info');
});

test('every published port binds to 127.0.0.1 unless an address is given', () => {
  const published = Object.entries(compose.services).flatMap(([name, s]) => (s.ports ?? []).map((p) => ({ name, p })));
  expect(published.map((x) => x.name).sort()).toEqual(['api', 'temporal', 'temporal-ui']);
  for (const { p } of published) expect(p).toMatch(/^\$\{[A-Z_]+_PUBLISH_ADDRESS:-127\.0\.0\.1\}:\d+:\d+$/);
});

test('no password has a default: the database password must come from .env', () => {
  const text = fs.readFileSync(COMPOSE_FILE, 'utf8');
  expect(text).not.toMatch(/PASSWORD:-/);
  expect(text.match(/\$\{POSTGRES_PASSWORD:\?[^}]+\}/g)?.length).toBeGreaterThanOrEqual(3);
});

test('the API refuses to listen beyond loopback without API keys, unless told to', () => {
  const api = (env: Record<string, string>) => ({ api: loadConfig(env).api });
  expect(() => assertSafeExposure(api({ HOST: '0.0.0.0' }))).toThrow(/API_KEYS.*ALLOW_UNAUTHENTICATED_API=true/);
  expect(() => assertSafeExposure(api({ HOST: '0.0.0.0', API_KEYS: 'k1' }))).not.toThrow();
  expect(() => assertSafeExposure(api({ HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED_API: 'true' }))).not.toThrow();
  expect(() => assertSafeExposure(api({ HOST: '127.0.0.1' }))).not.toThrow();
});

const composeBinary = process.env.DOCKER_COMPOSE;
(composeBinary ? describe : describe.skip)('docker compose config (DOCKER_COMPOSE is set)', () => {
  const run = (env: Record<string, string>) =>
    spawnSync(composeBinary!, ['-f', COMPOSE_FILE, '--env-file', '/dev/null', 'config', '-q'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
    });

  test('accepts the file with a password set', () => {
    const result = run({ POSTGRES_PASSWORD: 'a-long-secret' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('refuses to start without a database password, saying which variable', () => {
    const result = run({});
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('POSTGRES_PASSWORD');
  });
});
