/**
 * Sends the Temporal SDK's log lines (worker, activity and workflow loggers) through the
 * project's structured logger, so a process writes one format only. Notices that are expected
 * because each stage has its own task queue are dropped.
 */
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import { logger } from '../shared-node/logger';

const EXPECTED_NOTICES = ['No activities registered, not polling', 'No workflows registered, not polling'];

const LEVELS: Record<LogLevel, keyof typeof logger> = { TRACE: 'debug', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

function forward(entry: LogEntry): void {
  if (EXPECTED_NOTICES.some((notice) => entry.message.startsWith(notice))) return;
  let fields: Record<string, unknown> = { source: 'temporal-sdk' };
  try {
    // Metadata may hold values JSON cannot write (bigint); then the message alone is logged.
    JSON.stringify(entry.meta);
    fields = { ...entry.meta, ...fields };
  } catch {
    // keep the message
  }
  logger[LEVELS[entry.level]](entry.message, fields);
}

/** Installs the SDK runtime with this logging; call once per process, before any connection. */
export function installSdkLogging(level: LogLevel): void {
  Runtime.install({ logger: new DefaultLogger(level, forward) });
}
