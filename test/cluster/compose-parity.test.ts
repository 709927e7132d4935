/**
 * docker-compose.temporal.yml and `npm run cluster` run the same cluster: the same Temporal
 * version, PostgreSQL major, SQL plugin, visibility store, shard count and dynamic configuration,
 * and two server nodes. A change to one that forgets the other fails here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { NUM_HISTORY_SHARDS } from '../../src/dev/cluster/node-config';
import { SQL_PLUGIN } from '../../src/dev/cluster/temporal-schema';

const ROOT = path.resolve(__dirname, '../..');

interface Service {
  image?: string;
  environment?: Record<string, string>;
  command?: string[] | string;
}
const compose = load(fs.readFileSync(path.join(ROOT, 'docker-compose.temporal.yml'), 'utf8')) as { services: Record<string, Service> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { GO_TOOLS } = require(path.join(ROOT, 'scripts', 'lib', 'go-tools.cjs')) as { GO_TOOLS: Record<string, { version: string }> };

const servers = Object.entries(compose.services).filter(([, s]) => s.image?.startsWith('temporalio/server:'));

test('compose runs two Temporal server nodes of the version the cluster command builds', () => {
  expect(servers.map(([name]) => name)).toEqual(['temporal', 'temporal-2']);
  for (const [, server] of servers) {
    expect(server.image).toBe(`temporalio/server:\${TEMPORAL_VERSION:-${GO_TOOLS['temporal-server']?.version.replace(/^v/, '')}}`);
  }
});

test('both run PostgreSQL through the same plugin, with SQL visibility and the same shard count and dynamic config', () => {
  for (const [, server] of servers) {
    expect(server.environment).toMatchObject({
      DB: SQL_PLUGIN,
      VISIBILITY_DBNAME: 'temporal_visibility',
      NUM_HISTORY_SHARDS: String(NUM_HISTORY_SHARDS),
      DYNAMIC_CONFIG_FILE_PATH: '/etc/reelflow/temporal/dynamic-config.yaml',
    });
    expect(server.environment).not.toHaveProperty('ENABLE_ES');
  }
  expect(compose.services['temporal-admin-tools']?.environment?.SQL_PLUGIN).toBe(SQL_PLUGIN);
});

test("compose's PostgreSQL is the major Debian ships, which the cluster command runs", () => {
  expect(compose.services.postgresql?.image).toBe('postgres:15');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { postgresBinDir } = require(path.join(ROOT, 'scripts', 'lib', 'postgres-bin.cjs')) as { postgresBinDir: () => string | undefined };
  const local = postgresBinDir();
  if (local) expect(path.basename(path.dirname(local))).toBe('15');
});
