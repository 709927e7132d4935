/**
 * Builds the Runway SDK client the adapter uses, with the SDK's retries off: Temporal's retry
 * policy owns retrying, and a clip resumes from its checkpoint rather than paying twice.
 */
import { RunwayML } from '@runwayml/sdk';

export interface RunwayClientOptions {
  apiKey: string;
  /** Endpoint override (config.runway.baseUrl); the public API when undefined. */
  baseUrl?: string;
  /** Per-request timeout in milliseconds (the SDK's default is one minute). */
  timeoutMs?: number;
}

/** A RunwayML client with `maxRetries: 0`. */
export function createRunwayClient(options: RunwayClientOptions): RunwayML {
  return new RunwayML({
    apiKey: options.apiKey,
    maxRetries: 0,
    ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
  });
}
