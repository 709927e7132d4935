import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** What the figures were measured on; results from different machines are not comparable. */
export interface MachineInfo {
  os: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  temporalCli: string;
  ffmpeg: string;
  /** 1, 5 and 15 minute load averages when the run started; other work on the machine skews results. */
  loadAverage: number[];
}

function firstLine(command: string, args: string[]): string {
  try {
    return (
      execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
        .split('\n')[0]
        ?.trim() ?? 'unknown'
    );
  } catch {
    return 'unknown';
  }
}

export function describeMachine(temporalCliPath: string): MachineInfo {
  return {
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    temporalCli: firstLine(temporalCliPath, ['--version']),
    ffmpeg: firstLine('ffmpeg', ['-version']),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
