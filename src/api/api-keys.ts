/**
 * API keys and the tenants they belong to. `API_KEYS` and `ADMIN_API_KEYS` are comma-separated
 * entries, each `name:key` (a named tenant; several keys may share a name, for rotation) or a bare
 * `key` (a tenant of its own, named by the key's digest). A tenant sees only its own videos; an
 * admin key sees every tenant's and is not held to quotas.
 */
import { createHash } from 'node:crypto';

export interface ApiKey {
  /** The tenant the key's videos belong to: its name, or `key:<digest>` for a bare key. */
  tenant: string;
  key: string;
  admin: boolean;
}

/** Who is calling, as every `/api` route sees it. */
export interface Caller {
  tenant: string;
  /** Sees and acts on every tenant's videos: admin keys, and everyone when no keys are set. */
  seesAll: boolean;
  /** Not held to the tenant quotas: admin keys. */
  quotaExempt: boolean;
}

/** The one tenant of a deployment without API keys (loopback or ALLOW_UNAUTHENTICATED_API). */
export const OPEN_CALLER: Caller = Object.freeze({ tenant: 'anonymous', seesAll: true, quotaExempt: false });

const TENANT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** Any tenant id: a name, or `key:<digest>` of a bare key; what WEBHOOK_TENANT and `?tenant=` take. */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$/;
/** Names the API uses itself; a key may not take them. */
const RESERVED_NAMES = new Set(['anonymous', 'webhook']);

/**
 * A stable, non-secret tenant name for a bare key. It is the principal bare keys have always had,
 * so idempotency keys sent before tenants existed still find their videos.
 */
export const bareKeyTenant = (key: string) => `key:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;

/** Parses one of the two variables; throws a configuration error that never quotes a key. */
export function parseApiKeys(value: string | undefined, admin: boolean, variable: string): ApiKey[] {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    const name = colon > 0 ? entry.slice(0, colon) : undefined;
    if (name === undefined || !TENANT_NAME.test(name)) return { tenant: bareKeyTenant(entry), key: entry, admin };
    const key = entry.slice(colon + 1);
    if (key.length === 0) throw new Error(`Invalid configuration: ${variable}: entry ${i + 1} (${name}) has no key after the colon`);
    if (RESERVED_NAMES.has(name))
      throw new Error(`Invalid configuration: ${variable}: the tenant name ${name} is reserved; choose another`);
    return { tenant: name, key, admin };
  });
}

/** Both lists together, refusing a key given twice (it would be ambiguous whose videos it sees). */
export function combineApiKeys(tenants: ApiKey[], admins: ApiKey[]): ApiKey[] {
  const all = [...tenants, ...admins];
  const seen = new Set<string>();
  for (const [i, { key }] of all.entries()) {
    if (seen.has(key)) throw new Error(`Invalid configuration: API_KEYS/ADMIN_API_KEYS: key number ${i + 1} is listed twice`);
    seen.add(key);
  }
  return all;
}
