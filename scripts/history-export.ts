/**
 * `npm run history:export -- <videoId> [name] [--out <dir>]`: saves a video's workflow history as
 * test/replay/histories/<name or videoId>.json (or into `--out`), in the JSON form `temporal workflow show
 * --output json` prints, so the replay suite proves every later workflow change still replays it.
 * Works for running, completed, failed and cancelled runs alike (the latest run of the id). With
 * PAYLOAD_ENCRYPTION_KEYS set, payloads are written decrypted; `--encrypted` keeps them as stored.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { historyToJSON, type History } from '@temporalio/common/lib/proto-utils';
import { payloadCodecFor } from '../src/codec/data-converter';
import { decodeHistoryPayloads } from '../src/codec/decode-history';
import { loadConfig } from '../src/config';
import { connectClient } from '../src/temporal-connection/connect';

/** Where the replay suite looks for histories. */
export const HISTORIES_DIR = path.resolve(__dirname, '..', 'test', 'replay', 'histories');

/**
 * Machine-specific prefixes replaced in exported text (stack traces, tool error messages), longest
 * first so the project folder wins over the home folder that contains it. Replay never reads them.
 */
export function machinePaths(): [string, string][] {
  const pairs: [string, string][] = [
    [path.resolve(__dirname, '..'), '<project>'],
    [os.homedir(), '<home>'],
    [os.tmpdir(), '<tmp>'],
  ];
  return pairs.filter(([prefix]) => prefix.length > 1).sort((a, b) => b[0].length - a[0].length);
}

/** Proto map fields of a history (payload metadata, headers, memos, search attributes). */
const MAP_FIELDS = new Set(['metadata', 'fields', 'indexedFields']);

/**
 * Walks the proto JSON: rewrites machine paths in every string (payloads are base64, so they are
 * decoded first) and sorts the keys of map fields, as the CLI's Go encoder does.
 */
function normalize(value: unknown, replace: (text: string) => string, isMap = false): unknown {
  if (typeof value === 'string') return replace(value);
  if (Array.isArray(value)) return value.map((v) => normalize(v, replace));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([key, v]) => {
      const isPayloadData = key === 'data' && typeof v === 'string' && 'metadata' in value;
      if (!isPayloadData) return [key, normalize(v, replace, MAP_FIELDS.has(key))];
      const decoded = Buffer.from(v, 'base64').toString('utf8');
      const replaced = replace(decoded);
      return [key, replaced === decoded ? v : Buffer.from(replaced, 'utf8').toString('base64')];
    });
    if (isMap) entries.sort(([a], [b]) => (String(a) < String(b) ? -1 : 1));
    return Object.fromEntries(entries);
  }
  return value;
}

/**
 * Turns a history into the text of a history file: proto3 JSON (camelCase fields, enum names),
 * indented like the CLI's output, with machine paths replaced by `<project>`, `<home>`, `<tmp>`.
 */
export function historyFileText(history: History): string {
  const prefixes = machinePaths();
  const replace = (text: string) => prefixes.reduce((t, [prefix, label]) => t.split(prefix).join(label), text);
  const json = normalize(JSON.parse(historyToJSON(history)), replace);
  return `${JSON.stringify(json, null, 2)}\n`;
}

/**
 * Fetches the history of the latest run of `workflowId` and writes it to `<dir>/<name>.json`. With
 * a `codec`, encrypted payloads are written decrypted, so the replay suite needs no production key.
 */
export async function exportHistory(
  client: Client,
  workflowId: string,
  name = workflowId,
  dir = HISTORIES_DIR,
  codec?: PayloadCodec,
): Promise<string> {
  if (!/^[\w.-]+$/.test(name)) throw new Error(`History name must be letters, digits, ".", "_" or "-", got "${name}"`);
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  if (codec) await decodeHistoryPayloads(history, codec);
  const file = path.join(dir, `${name}.json`);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(file, historyFileText(history));
  return file;
}

async function main(args: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string' }, encrypted: { type: 'boolean' } },
  });
  const [videoId, name] = positionals;
  if (!videoId || positionals.length > 2) {
    throw new Error('Usage: npm run history:export -- <videoId> [name] [--out <dir>] [--encrypted]');
  }
  const config = loadConfig();
  const connection = await connectClient(config);
  try {
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const out = values.out ? path.resolve(values.out) : undefined;
    const file = await exportHistory(client, videoId, name, out, values.encrypted ? undefined : payloadCodecFor(config));
    console.log(`history of ${videoId} written to ${path.relative(process.cwd(), file)}`);
  } finally {
    await connection.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(`history:export: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
