/**
 * Decrypts every payload of a fetched history in place (inputs, results, heartbeats, memos, query
 * and update payloads, failure details), so an exported history replays without the production
 * keys. Payloads that are not encrypted are left as they are.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { History } from '@temporalio/common/lib/proto-utils';
import { isEncryptedPayload } from './encryption-codec';

function isPayload(value: object): value is Payload {
  const candidate = value as { metadata?: unknown; data?: unknown };
  return candidate.data instanceof Uint8Array && typeof candidate.metadata === 'object' && candidate.metadata !== null;
}

function collectEncrypted(value: unknown, into: Payload[]): void {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return;
  if (isPayload(value)) {
    if (isEncryptedPayload(value)) into.push(value);
    return;
  }
  for (const child of Array.isArray(value) ? value : Object.values(value)) collectEncrypted(child, into);
}

/** Replaces each encrypted payload of `history` by its plaintext; returns how many there were. */
export async function decodeHistoryPayloads(history: History, codec: PayloadCodec): Promise<number> {
  const encrypted: Payload[] = [];
  collectEncrypted(history, encrypted);
  const decoded = await codec.decode(encrypted);
  encrypted.forEach((payload, i) => {
    payload.metadata = decoded[i]?.metadata;
    payload.data = decoded[i]?.data;
  });
  return encrypted.length;
}
