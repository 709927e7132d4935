/**
 * A small HTTP client of the Reelflow API for the CLI. It is a client like any other: it knows
 * the API's base URL and key, never the service's own configuration.
 */
import type { VideoStatusBody } from '../api/schemas';

/** An error the CLI reports and exits non-zero on; the message is what the API said. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    /** The API's error code, when the API answered with one (`still_stopping`, `not_found`…). */
    readonly apiCode?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class ReelflowApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey?: string,
  ) {}

  get headers(): Record<string, string> {
    return this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {};
  }

  /** Sends a request and returns the response when it is 2xx; otherwise throws the API's message. */
  async send(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
    const url = `${this.baseUrl.replace(/\/$/, '')}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { ...this.headers, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }), ...options.headers },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      throw new CliError(`Cannot reach the Reelflow API at ${this.baseUrl}${cause}`);
    }
    if (res.ok) return res;
    const text = await res.text();
    let message = text.trim() || res.statusText;
    let code: string | undefined;
    try {
      const parsed = JSON.parse(text) as { error?: { message?: string; code?: string } };
      if (parsed.error?.message) message = parsed.error.message;
      code = parsed.error?.code;
    } catch {
      // Not a JSON error body (a proxy's page, say): the text itself is the best message.
    }
    throw new CliError(`${method} ${path} failed (${res.status}): ${message}`, 1, code);
  }

  async json<T>(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
    return (await (await this.send(method, path, options)).json()) as T;
  }

  status(id: string): Promise<VideoStatusBody> {
    return this.json('GET', `/api/videos/${encodeURIComponent(id)}`);
  }
}
