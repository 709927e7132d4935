/**
 * Parses PAYLOAD_ENCRYPTION_KEYS, `id:base64key[,id:base64key…]`: the first key encrypts new
 * payloads, every key decrypts, so a key is rotated by putting a new one first and dropping the old
 * one once no history that needs it is kept. Messages never quote key material.
 */

export interface EncryptionKey {
  /** Stored in each payload's metadata, so decoding picks the key that encrypted it. */
  id: string;
  /** 32 bytes, for AES-256-GCM. */
  key: Buffer;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
export const KEY_BYTES = 32;

const invalid = (problem: string) => new Error(`Invalid configuration: PAYLOAD_ENCRYPTION_KEYS ${problem}`);

/** The keys in order (active first); an empty list when the variable is unset or blank. */
export function parseEncryptionKeys(value: string | undefined): EncryptionKey[] {
  if (!value?.trim()) return [];
  const keys = value.split(',').map((entry, index) => {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, separator).trim();
    const material = entry.slice(separator + 1).trim();
    const position = `entry ${index + 1}`;
    if (separator < 0) throw invalid(`${position} must be id:base64key`);
    if (!KEY_ID.test(id)) throw invalid(`${position} has an invalid key id (letters, digits, ".", "_", "-", at most 64)`);
    const key = BASE64.test(material)
      ? Buffer.from(material, material.includes('-') || material.includes('_') ? 'base64url' : 'base64')
      : undefined;
    if (key?.length !== KEY_BYTES) {
      throw invalid(`key "${id}" must be ${KEY_BYTES} random bytes in base64 (e.g. \`openssl rand -base64 32\`)`);
    }
    return { id, key };
  });
  const ids = new Set<string>();
  for (const { id } of keys) {
    if (ids.has(id)) throw invalid(`names key id "${id}" twice`);
    ids.add(id);
  }
  return keys;
}
