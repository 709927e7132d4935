/**
 * The codec endpoint without a running server: locked when the deployment has no API keys, and
 * strict about the protocol's body.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { HttpError } from '../../src/api/http-error';
import { codecRoutes } from '../../src/codec/codec-routes';
import { EncryptionCodec } from '../../src/codec/encryption-codec';

const codec = new EncryptionCodec([{ id: 'k1', key: randomBytes(32) }]);

async function serve(apiKeys: string[]): Promise<{ url: string; close: () => Promise<void> }> {
  const app = express();
  app.use('/codec', codecRoutes({ codec, apiKeys, corsOrigins: ['http://localhost:8233'] }));
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const error = err instanceof HttpError ? err : new HttpError(500, 'internal', 'Internal error');
    res.status(error.status).json({ error: { code: error.code, message: error.message } });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/codec`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const post = (url: string, body: unknown, key?: string) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });

test('without API_KEYS the endpoint refuses everyone, since anyone could decrypt', async () => {
  const app = await serve([]);
  try {
    const res = await post(`${app.url}/decode`, { payloads: [] }, 'any-key-at-all');
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('codec_locked');
  } finally {
    await app.close();
  }
});

test('a body that is not `{ payloads: [...] }` with base64 fields is a 400 naming the field', async () => {
  const app = await serve(['key-0123456789']);
  try {
    const res = await post(`${app.url}/decode`, { payloads: [{ data: 'not base64!' }] }, 'key-0123456789');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^body\.payloads\.0\.data: /);
    expect((await post(`${app.url}/encode`, { nope: true }, 'key-0123456789')).status).toBe(400);
  } finally {
    await app.close();
  }
});
