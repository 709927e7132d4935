import { Writable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { withLogContext } from '../../src/shared-node/log-context';
import { createLogger, hideSecrets } from '../../src/shared-node/logger';

/** A logger writing into an array, one parsed JSON object per line. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger(stream, 'debug') };
}

test('a line is one JSON object with level, ISO time, message and the fields given', () => {
  const { lines, log } = capture();
  log.info('worker started', { taskQueue: 'reelflow', count: 2n });
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ level: 'info', message: 'worker started', taskQueue: 'reelflow', count: 2 });
  expect(new Date(String(lines[0]!.time)).toISOString()).toBe(lines[0]!.time);
});

test('the written text keeps the `"message":"…"` shape that process supervisors and tests look for', () => {
  const chunks: string[] = [];
  const log = createLogger(new Writable({ write: (chunk: Buffer, _e, done) => (chunks.push(chunk.toString()), done()) }));
  log.info('worker started');
  expect(chunks.join('')).toContain('"message":"worker started"');
});

test('errors are written with their message, class and stack, and a Temporal failure with its type', () => {
  const { lines, log } = capture();
  const failure = ApplicationFailure.create({ type: 'SourceNotFound', message: 'PMID 31000003 has no abstract' });
  log.warn('Activity failed', { error: failure });
  log.error('request failed', { err: new TypeError('boom') });
  expect(lines[0]!.error).toMatchObject({
    type: 'ApplicationFailure',
    failureType: 'SourceNotFound',
    message: 'PMID 31000003 has no abstract',
  });
  expect(lines[1]!.err).toMatchObject({ type: 'TypeError', message: 'boom' });
  expect(String((lines[1]!.err as { stack: string }).stack)).toContain('logger.test.ts');
});

test('credentials are removed by field name: authorization headers, API keys, secrets', () => {
  const { lines, log } = capture();
  log.info('call', {
    headers: { authorization: 'Bearer abc', 'x-api-key': 'k', accept: 'json' },
    req: { headers: { authorization: 'Bearer def', cookie: 'sid=1' } },
    apiKey: 'a',
    config: { secrets: { geminiApiKey: 'g' }, api: { apiKeys: ['k1'] } },
  });
  expect(lines[0]).toMatchObject({
    headers: { authorization: '[redacted]', 'x-api-key': '[redacted]', accept: 'json' },
    req: { headers: { authorization: '[redacted]', cookie: '[redacted]' } },
    apiKey: '[redacted]',
    config: { secrets: '[redacted]', api: { apiKeys: '[redacted]' } },
  });
});

test('a registered secret value is removed wherever it appears, even inside a message', () => {
  const { lines, log } = capture();
  hideSecrets(['sk-live-0123456789', 'abc']);
  log.error('request to https://x.test/?key=sk-live-0123456789 failed', { detail: { url: 'sk-live-0123456789' }, word: 'abc' });
  expect(JSON.stringify(lines[0])).not.toContain('sk-live-0123456789');
  expect(lines[0]!.message).toBe('request to https://x.test/?key=[redacted] failed');
  // Values too short to be keys are left alone, or ordinary words would vanish.
  expect(lines[0]!.word).toBe('abc');
});

test('lines written inside a log context carry its fields, also after an await', async () => {
  const { lines, log } = capture();
  await withLogContext({ requestId: 'req-1' }, async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    log.info('video started', { videoId: 'video-1' });
  });
  log.info('outside');
  expect(lines[0]).toMatchObject({ requestId: 'req-1', videoId: 'video-1' });
  expect(lines[1]!.requestId).toBeUndefined();
});

test('levels below the threshold are not written', () => {
  const chunks: string[] = [];
  const log = createLogger(new Writable({ write: (chunk: Buffer, _e, done) => (chunks.push(chunk.toString()), done()) }), 'warn');
  log.info('quiet');
  log.warn('loud');
  expect(chunks).toHaveLength(1);
});
