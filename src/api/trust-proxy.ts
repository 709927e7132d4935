/**
 * TRUST_PROXY: which proxies may tell the API a client's address through `X-Forwarded-For`.
 * Rate limits and stream caps of callers without an API key are keyed by that address, so a
 * setting that trusts too much lets any client pick a fresh address per request. `true` (trust
 * every hop) is refused for that reason: name the proxies, or count them.
 */
import { isIP } from 'node:net';

/** Express's `trust proxy` value: off, a hop count, or the addresses and subnets of the proxies. */
export type TrustProxy = false | number | string[];

/** Names Express (proxy-addr) knows for reserved ranges. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isAddressOrSubnet(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const version = isIP(address ?? '');
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

/** Parses TRUST_PROXY; unset, empty, `false` and `0` all mean the socket's address is the client's. */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'false' || text === '0') return false;
  if (text === 'true') {
    throw new Error(
      'Invalid configuration: TRUST_PROXY=true would believe any X-Forwarded-For a client sends; give the number of proxies in front of the API, or their addresses',
    );
  }
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  const bad = entries.filter((e) => !isAddressOrSubnet(e));
  if (bad.length > 0) {
    throw new Error(
      `Invalid configuration: TRUST_PROXY has entries that are neither an address, a CIDR subnet nor loopback/linklocal/uniquelocal: ${bad.join(', ')}`,
    );
  }
  return entries;
}
