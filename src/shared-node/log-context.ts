/**
 * Fields that every log line written during one piece of work should carry (the request id of an
 * API request), without passing them to each call site: the logger adds whatever is in the
 * context where it is called.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type LogFields = Record<string, unknown>;

const storage = new AsyncLocalStorage<LogFields>();

/** Runs `fn` with `fields` added to every line it logs, including after awaits; nested calls add up. */
export function withLogContext<T>(fields: LogFields, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, fn);
}

/** Adds fields to the current context, for the rest of the work (e.g. the video id once it is known). */
export function addLogContext(fields: LogFields): void {
  const store = storage.getStore();
  if (store) Object.assign(store, fields);
}

/** The fields of the current context; empty outside any. */
export function currentLogContext(): LogFields {
  return storage.getStore() ?? {};
}
