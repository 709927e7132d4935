/**
 * The API's answer when Temporal or a worker cannot answer: `503` with `Retry-After`, never a
 * `500` nor a hang. Every Temporal call a request makes shares one deadline, so an outage is
 * answered in seconds rather than after the SDK's own retries (about 20 s of backoff).
 */
import type { RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import { HttpError } from './http-error';

/** gRPC status codes (grpc/doc/statuscodes.md) that say the call could not be served now. */
const GRPC = { CANCELLED: 1, DEADLINE_EXCEEDED: 4, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, UNAVAILABLE: 14 } as const;

/**
 * How long the Temporal calls of one request may take together before it answers 503. The SDK's
 * retry in progress at the deadline adds its backoff (at most about 2 s at this point).
 */
export const TEMPORAL_DEADLINE_MS = 3_000;

/** What a 503 asks a client to wait before retrying, in seconds. */
export const RETRY_AFTER_SEC = 5;

const retryAfter = { 'Retry-After': String(RETRY_AFTER_SEC) };

/** No worker answered a query or update (none polls, or none answered before the deadline). */
export const workerUnavailable = () =>
  new HttpError(503, 'worker_unavailable', 'No worker answered for this video in time; retry later', undefined, retryAfter);

/** Temporal itself did not answer (down, unreachable, overloaded, or too slow). */
export const temporalUnavailable = () =>
  new HttpError(503, 'temporal_unavailable', 'Temporal did not answer in time; retry later', undefined, retryAfter);

/** The gRPC status code of `err` or of the first error in its cause chain that carries one. */
function grpcCode(err: unknown): number | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number' && typeof (e as { details?: unknown }).details === 'string') return code;
  }
  return undefined;
}

/** The 503 an error from a Temporal call stands for, when it means Temporal could not answer. */
export function asTemporalUnavailable(err: unknown): HttpError | undefined {
  const code = grpcCode(err);
  return code === GRPC.UNAVAILABLE || code === GRPC.DEADLINE_EXCEEDED || code === GRPC.RESOURCE_EXHAUSTED
    ? temporalUnavailable()
    : undefined;
}

/**
 * The 503 an error from a query or an update stands for when no worker could answer it: the
 * deadline passed, Temporal gave up on the worker it expected (`CANCELLED`), or it found that no
 * worker polls the task queue (`FAILED_PRECONDITION: no poller seen for task queue recently`).
 */
export function asWorkerUnavailable(err: unknown): HttpError | undefined {
  const code = grpcCode(err);
  return code === GRPC.DEADLINE_EXCEEDED || code === GRPC.CANCELLED || code === GRPC.FAILED_PRECONDITION ? workerUnavailable() : undefined;
}

/** Runs `fn` with a Temporal deadline of its own, for work that outlives a request (event polls). */
export function withTemporalDeadline<T>(client: Client, fn: () => Promise<T>, ms = TEMPORAL_DEADLINE_MS): Promise<T> {
  return client.withDeadline(Date.now() + ms, fn);
}

/**
 * Gives every Temporal call made while handling a request one shared deadline. Mount it after
 * the body is read, so a slow upload does not use up Temporal's time.
 */
export function temporalDeadline(client: Client, ms = TEMPORAL_DEADLINE_MS): RequestHandler {
  return (_req, _res, next) => void client.withDeadline(Date.now() + ms, async () => next());
}
