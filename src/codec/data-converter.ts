/**
 * The data converter every client and worker of a deployment shares: the default payload
 * converter, plus the encryption codec when PAYLOAD_ENCRYPTION_KEYS is set. Codecs run outside
 * the workflow sandbox, so the workflow bundle needs nothing of this.
 */
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec';
import type { EncryptionKey } from './encryption-keys';

/** The part of the service configuration that holds the keys. */
export interface CodecConfig {
  secrets: { payloadEncryptionKeys: readonly EncryptionKey[] };
}

/** The payload codec of this configuration, or undefined when encryption is off. */
export function payloadCodecFor(config: CodecConfig): EncryptionCodec | undefined {
  const keys = config.secrets.payloadEncryptionKeys;
  return keys.length > 0 ? new EncryptionCodec(keys) : undefined;
}

/**
 * For `new Client({ dataConverter })`, `Worker.create({ dataConverter })` and
 * `Worker.runReplayHistory({ dataConverter })`; undefined (the SDK's default) when encryption is off.
 */
export function dataConverterFor(config: CodecConfig): DataConverter | undefined {
  const codec = payloadCodecFor(config);
  return codec ? { payloadCodecs: [codec] } : undefined;
}
