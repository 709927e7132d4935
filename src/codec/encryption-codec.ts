/**
 * A payload codec that encrypts every payload with AES-256-GCM before it leaves the process, so
 * the Temporal server (and whoever reads its database or a history export) stores only
 * ciphertext. The whole payload, metadata included, is sealed; the outer payload says only that it
 * is encrypted and with which key id. Payloads that are not encrypted pass through `decode`
 * unchanged, so runs started before encryption was turned on keep working.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { EncryptionKey } from './encryption-keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const utf8 = (text: string) => Buffer.from(text, 'utf8');
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/** A payload that cannot be decrypted: an unknown key id, or data that fails authentication. */
export class PayloadDecryptionError extends Error {
  override readonly name = 'PayloadDecryptionError';
}

/** True when the payload was sealed by this codec. */
export function isEncryptedPayload(payload: Payload): boolean {
  return text(payload.metadata?.encoding) === ENCRYPTED_ENCODING;
}

export class EncryptionCodec implements PayloadCodec {
  private readonly active: EncryptionKey;
  private readonly byId: Map<string, Buffer>;

  /** `keys[0]` encrypts; every key decrypts. */
  constructor(keys: readonly EncryptionKey[]) {
    const [active] = keys;
    if (!active) throw new Error('EncryptionCodec needs at least one key');
    this.active = active;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
  }

  // Async so that a payload that cannot be opened rejects the promise instead of throwing.
  async encode(payloads: Payload[]): Promise<Payload[]> {
    await Promise.resolve();
    return payloads.map((payload) => this.seal(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    await Promise.resolve();
    return payloads.map((payload) => (isEncryptedPayload(payload) ? this.open(payload) : payload));
  }

  private seal(payload: Payload): Payload {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, this.active.key, iv);
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return { metadata: { encoding: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(this.active.id) }, data: sealed };
  }

  private open(payload: Payload): Payload {
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]) ?? '';
    const key = this.byId.get(keyId);
    if (!key) throw new PayloadDecryptionError(`Payload was encrypted with key id "${keyId}", which PAYLOAD_ENCRYPTION_KEYS does not hold`);
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError('Encrypted payload is too short');
    const decipher = createDecipheriv(CIPHER, key, data.subarray(0, IV_BYTES));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new PayloadDecryptionError(`Encrypted payload failed authentication with key id "${keyId}"`);
    }
    return temporal.api.common.v1.Payload.decode(plain);
  }
}
