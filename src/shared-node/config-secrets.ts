/**
 * Every secret value a configuration holds (provider keys, API keys, the webhook secret, whatever
 * `config.secrets` gains later), for the logger to blank out wherever one would appear.
 */
import type { Config } from '../config';

function collect(value: unknown, into: string[]): void {
  if (typeof value === 'string') into.push(value);
  else if (value instanceof Uint8Array) {
    // Key material may be written as text (a PEM) or as the base64 it was configured in.
    const bytes = Buffer.from(value);
    into.push(bytes.toString('utf8'), bytes.toString('base64'), bytes.toString('base64url'));
  } else if (Array.isArray(value)) for (const item of value) collect(item, into);
  else if (value && typeof value === 'object') {
    // A key's `id` names it in payloads and logs; only its material is secret.
    for (const [name, item] of Object.entries(value)) if (name !== 'id') collect(item, into);
  }
}

export function configSecrets(config: Config): string[] {
  const values: string[] = [];
  collect([config.secrets, config.api.apiKeys, config.api.webhookSecret, config.pubmed.apiKey], values);
  return values;
}
