/**
 * One structured logger for code outside Temporal's sandbox (API, worker, the SDK's own lines,
 * scripts): pino writing a JSON object per line on stderr, so log shippers need no parsing rules.
 * Call sites keep the shape `logger.info(message, fields)`; the lines keep `message`, `level`
 * and `time` as keys. Errors under `err` or `error` are written with their type and stack, and
 * secrets are removed twice over: known fields by name, and every configured secret by value.
 */
import pino, { type DestinationStream, type Logger as PinoLogger } from 'pino';
import { currentLogContext } from './log-context';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
type LogMethod = (message: string, fields?: Record<string, unknown>) => void;

export interface Logger {
  debug: LogMethod;
  info: LogMethod;
  warn: LogMethod;
  error: LogMethod;
  /** The pino logger underneath, for libraries that take one. */
  readonly pino: PinoLogger;
}

const CENSOR = '[redacted]';

/** Fields that hold credentials, wherever they appear at the top level or one level down. */
const SECRET_FIELDS = [
  'authorization',
  'apiKey',
  'apiKeys',
  'api_key',
  'secret',
  'secrets',
  'webhookSecret',
  'password',
  'token',
  'geminiApiKey',
  'runwayApiSecret',
  'GEMINI_API_KEY',
  'RUNWAYML_API_SECRET',
  'NCBI_API_KEY',
  'API_KEYS',
  'WEBHOOK_SECRET',
];
/** Request headers that carry credentials (HTTP header names are lower case in Node). */
const SECRET_HEADERS = ['authorization', 'cookie', '["x-api-key"]', '["x-goog-api-key"]', '["x-reelflow-signature"]'];
const under = (parent: string, key: string) => (key.startsWith('[') ? `${parent}${key}` : `${parent}.${key}`);
const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((k) => under('*', k)),
  ...SECRET_HEADERS.map((h) => under('headers', h)),
  ...SECRET_HEADERS.map((h) => under('*.headers', h)),
  'config.api.apiKeys',
  'config.api.webhookSecret',
];

/** Secret values (API keys, webhook secret) replaced wherever they appear, even inside a message. */
const secretValues = new Set<string>();

/** Never writes these values; the entry points register every configured secret at start. */
export function hideSecrets(values: Iterable<string | undefined>): void {
  for (const value of values) {
    // Very short values would blank out ordinary words; keys are far longer than this.
    if (!value || value.length < 6) continue;
    secretValues.add(value);
    secretValues.add(JSON.stringify(value).slice(1, -1));
  }
}

function withoutSecrets(line: string): string {
  let out = line;
  for (const value of secretValues) if (out.includes(value)) out = out.split(value).join(CENSOR);
  return out;
}

/** pino's error serializer keeps the class name as `type`; a Temporal failure's own `type` is kept as `failureType`. */
function serializeError(value: unknown): unknown {
  const serialized = pino.stdSerializers.err(value as Error) as unknown;
  if (serialized !== value && value && typeof value === 'object' && 'type' in value && typeof value.type === 'string') {
    return { ...(serialized as Record<string, unknown>), failureType: value.type };
  }
  return serialized;
}

/** Builds a logger writing to `destination` (stderr by default); tests pass a stream to read lines back. */
export function createLogger(destination: DestinationStream = pino.destination({ dest: 2, sync: true }), level: LogLevel = 'info'): Logger {
  const root = pino(
    {
      level,
      messageKey: 'message',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError, error: serializeError },
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      // A copy: pino merges each line's fields into what mixin returns.
      mixin: () => ({ ...currentLogContext() }),
      hooks: { streamWrite: withoutSecrets },
    },
    destination,
  );
  const method =
    (level: LogLevel): LogMethod =>
    (message, fields) => {
      if (fields) root[level](fields, message);
      else root[level](message);
    };
  return { debug: method('debug'), info: method('info'), warn: method('warn'), error: method('error'), pino: root };
}

export const logger: Logger = createLogger();

/** Sets the lowest level written; the entry points call it with the configured LOG_LEVEL. */
export function setLogLevel(level: LogLevel): void {
  logger.pino.level = level;
}
