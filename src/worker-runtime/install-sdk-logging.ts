/**
 * Sends the Temporal SDK's log lines (worker, activity and workflow loggers) through the
 * project's structured logger, so a process writes one format only, and serves the SDK's own
 * metrics when asked. Notices that are expected because each stage has its own task queue are
 * dropped.
 */
import { DefaultLogger, Runtime, makeTelemetryFilterString, type LogEntry, type LogLevel } from '@temporalio/worker';
import { WORKFLOW_TYPE } from '../shared/temporal-names';
import { logger } from '../shared-node/logger';

const EXPECTED_NOTICES = ['No activities registered, not polling', 'No workflows registered, not polling'];

const LEVELS: Record<LogLevel, 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'debug',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

function forward(entry: LogEntry): void {
  if (EXPECTED_NOTICES.some((notice) => entry.message.startsWith(notice))) return;
  // pino writes what JSON cannot (bigint, cycles) and errors with their message and stack; the
  // task token is a long capability string that no reader of the logs needs.
  const { taskToken: _taskToken, ...meta } = entry.meta ?? {};
  const fields: Record<string, unknown> = { ...meta, source: meta.sdkComponent === 'core' ? 'temporal-core' : 'temporal-sdk' };
  // A video id is its workflow id; lines about a video's workflow or activities name it as such.
  if (meta.workflowType === WORKFLOW_TYPE && typeof meta.workflowId === 'string') fields.videoId = meta.workflowId;
  logger[LEVELS[entry.level]](entry.message, fields);
}

export interface SdkTelemetryOptions {
  /** `host:port` where the SDK serves its own Prometheus metrics (`/metrics`); none when unset. */
  metricsAddress?: string;
  /**
   * Signals on which the SDK itself starts shutting down every worker; `[]` when the process
   * stops its parts in its own order (the local stack stops the API before the workers).
   * @default ['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGUSR2']
   */
  shutdownSignals?: NodeJS.Signals[];
  /**
   * Forwards the Rust core's lines into this logger. The forwarding callback keeps the process
   * alive until the runtime shuts down with its last worker or connection, so a process that
   * installs the runtime and may never use it (a test file) leaves core lines on the console.
   * @default true
   */
  forwardCoreLogs?: boolean;
}

/**
 * Installs the SDK runtime with this logging; call once per process, before any connection. The
 * Rust core's own lines are forwarded into the same logger, at the same level for the SDK's
 * crates and at warnings for the libraries beneath them.
 */
export function installSdkLogging(level: LogLevel, telemetry: SdkTelemetryOptions = {}): void {
  Runtime.install({
    logger: new DefaultLogger(level, forward),
    ...(telemetry.shutdownSignals ? { shutdownSignals: telemetry.shutdownSignals } : {}),
    telemetryOptions: {
      logging: {
        filter: makeTelemetryFilterString({ core: level, other: 'WARN' }),
        ...(telemetry.forwardCoreLogs === false ? {} : { forward: {} }),
      },
      ...(telemetry.metricsAddress ? { metrics: { prometheus: { bindAddress: telemetry.metricsAddress } } } : {}),
    },
  });
}
