/**
 * Payload encryption: what the server stores is ciphertext tagged with a key id; keys rotate by
 * id; tampering and unknown keys fail loudly; configuration errors never quote a key.
 */
import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { loadConfig } from '../../src/config';
import { dataConverterFor } from '../../src/codec/data-converter';
import { EncryptionCodec, isEncryptedPayload, PayloadDecryptionError } from '../../src/codec/encryption-codec';
import { parseEncryptionKeys } from '../../src/codec/encryption-keys';

const key = () => randomBytes(32);
const payloadOf = (value: unknown): Payload => defaultPayloadConverter.toPayload(value);
const valueOf = (payload: Payload | undefined): unknown => defaultPayloadConverter.fromPayload(payload as Payload);

test('an encoded payload holds no plaintext, names its key id, and decodes to the original', async () => {
  const codec = new EncryptionCodec([{ id: 'k1', key: key() }]);
  const original = payloadOf({ title: 'How bees find flowers' });
  const [sealed] = await codec.encode([original]);
  expect(sealed && isEncryptedPayload(sealed)).toBe(true);
  expect(Buffer.from(sealed?.metadata?.['encryption-key-id'] ?? []).toString()).toBe('k1');
  expect(Buffer.from(sealed?.data ?? []).toString('latin1')).not.toContain('bees');
  expect(Object.keys(sealed?.metadata ?? {})).not.toContain('json/plain');
  const [opened] = await codec.decode([sealed as Payload]);
  expect(valueOf(opened)).toEqual({ title: 'How bees find flowers' });
});

test('the same value encrypts differently each time (a fresh IV per payload)', async () => {
  const codec = new EncryptionCodec([{ id: 'k1', key: key() }]);
  const [a, b] = await codec.encode([payloadOf('same'), payloadOf('same')]);
  expect(Buffer.from(a?.data ?? []).equals(Buffer.from(b?.data ?? []))).toBe(false);
});

test('after rotation new payloads use the new key and old ones still decode', async () => {
  const oldKey = { id: '2024', key: key() };
  const newKey = { id: '2025', key: key() };
  const [old] = await new EncryptionCodec([oldKey]).encode([payloadOf('written last year')]);
  const rotated = new EncryptionCodec([newKey, oldKey]);
  const [fresh] = await rotated.encode([payloadOf('written today')]);
  expect(Buffer.from(fresh?.metadata?.['encryption-key-id'] ?? []).toString()).toBe('2025');
  const decoded = await rotated.decode([old as Payload, fresh as Payload]);
  expect(decoded.map(valueOf)).toEqual(['written last year', 'written today']);
});

test('an unknown key id or a tampered payload is refused', async () => {
  const [sealed] = await new EncryptionCodec([{ id: 'gone', key: key() }]).encode([payloadOf('secret')]);
  const codec = new EncryptionCodec([{ id: 'k1', key: key() }]);
  await expect(codec.decode([sealed as Payload])).rejects.toThrow(PayloadDecryptionError);
  await expect(codec.decode([sealed as Payload])).rejects.toThrow(/key id "gone"/);

  const [mine] = await codec.encode([payloadOf('secret')]);
  const data = Buffer.from(mine?.data ?? []);
  data[20] = (data[20] ?? 0) ^ 1;
  await expect(codec.decode([{ ...mine, data }])).rejects.toThrow(/failed authentication/);
});

test('payloads written before encryption was turned on pass through decode', async () => {
  const codec = new EncryptionCodec([{ id: 'k1', key: key() }]);
  const [plain] = await codec.decode([payloadOf('from an older run')]);
  expect(valueOf(plain)).toBe('from an older run');
});

test('PAYLOAD_ENCRYPTION_KEYS is parsed in order, and mistakes are named without the key', () => {
  const a = key().toString('base64');
  const b = key().toString('base64');
  expect(parseEncryptionKeys(` new:${a} , old:${b}`).map((k) => k.id)).toEqual(['new', 'old']);
  expect(parseEncryptionKeys(undefined)).toEqual([]);

  const short = randomBytes(16).toString('base64');
  const problems = [`k1:${short}`, `k1:${a},k1:${b}`, a, `bad id:${a}`].map((value) => {
    try {
      parseEncryptionKeys(value);
      return '';
    } catch (err) {
      return (err as Error).message;
    }
  });
  expect(problems[0]).toMatch(/PAYLOAD_ENCRYPTION_KEYS key "k1" must be 32 random bytes/);
  expect(problems[1]).toMatch(/names key id "k1" twice/);
  expect(problems[2]).toMatch(/entry 1 must be id:base64key/);
  expect(problems[3]).toMatch(/entry 1 has an invalid key id/);
  for (const problem of problems) {
    for (const material of [a, b, short]) expect(problem).not.toContain(material);
  }
});

test('the configuration keeps keys in its secrets and builds a data converter only when keys are set', () => {
  const material = key().toString('base64');
  const config = loadConfig({ PAYLOAD_ENCRYPTION_KEYS: `k1:${material}` });
  expect(config.codec.encryptionKeyIds).toEqual(['k1']);
  const { secrets, ...rest } = config;
  expect(JSON.stringify(rest)).not.toContain(material);
  expect(secrets.payloadEncryptionKeys[0]?.key.toString('base64')).toBe(material);
  expect(dataConverterFor(config)?.payloadCodecs).toHaveLength(1);
  expect(dataConverterFor(loadConfig({}))).toBeUndefined();
});
