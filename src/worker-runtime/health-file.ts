/**
 * A liveness file for container health checks: touched every few seconds while every worker of
 * the process is running, removed when they stop. A frozen or wedged process stops touching it,
 * which a check of its age notices; a check that the frontend port answers would not.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Worker } from '@temporalio/worker';

/** How often the file is touched; a health check should allow a few of these. */
export const HEALTH_FILE_INTERVAL_MS = 5_000;

export interface HealthFile {
  stop(): Promise<void>;
}

export async function keepHealthFile(file: string, workers: Worker[]): Promise<HealthFile> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const touch = async () => {
    if (!workers.every((w) => w.getState() === 'RUNNING')) return;
    const now = new Date();
    await fs.writeFile(file, `${now.toISOString()}\n`).catch(() => undefined);
  };
  await touch();
  const timer = setInterval(() => void touch(), HEALTH_FILE_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await fs.rm(file, { force: true });
    },
  };
}
