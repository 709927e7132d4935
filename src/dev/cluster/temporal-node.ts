/**
 * One Temporal server process of the local cluster (`server --config-file … start`, all four
 * services), in a process group of its own so that Ctrl-C reaches the command that owns it, which
 * stops the nodes in order; the kernel kills it if that command dies without doing so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { killedWithParent } from '../../shared-node/parent-death-signal';
import { captureOutput, exitOf, stopChild, type ProcessExit } from './child-process-exit';
import { nodeConfig, type NodeConfigOptions, type NodePorts } from './node-config';

const READY_TIMEOUT_MS = 60_000;
/** A node finishes its shutdown (handing its shards over) well within this; then it is killed. */
const STOP_GRACE_MS = 15_000;

export interface TemporalNodeOptions extends NodeConfigOptions {
  /** The `server` binary (go.temporal.io/server/cmd/server). */
  serverBinary: string;
  /** `node1`, `node2`…: names its folder and its lines. */
  name: string;
  /** Folder for the node's config file and log; created when missing. */
  dir: string;
}

export interface TemporalNode {
  name: string;
  /** `127.0.0.1:port` of this node's frontend. */
  address: string;
  ports: NodePorts;
  process: ChildProcess;
  /** Resolves once the process has exited, however it ended. */
  exited: Promise<ProcessExit>;
  /** SIGTERM, SIGKILL after 15 s; resolves once it exited. */
  stop(): Promise<ProcessExit>;
  /** SIGKILL at once, as a crashed machine; resolves once it exited. */
  kill(): Promise<ProcessExit>;
  /** The last lines the node wrote. */
  outputTail(): string;
}

/** True once the frontend answers a call; an open port alone is not enough. */
export async function frontendAnswers(address: string): Promise<boolean> {
  // Lazy and always closed: `Connection.connect` leaves its channel open when it fails.
  const connection = Connection.lazy({ address, connectTimeout: 1_000 });
  try {
    await connection.ensureConnected();
    await connection.withDeadline(Date.now() + 2_000, () => connection.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Writes the node's config, starts it and resolves once its frontend answers. */
export async function startTemporalNode(options: TemporalNodeOptions): Promise<TemporalNode> {
  fs.mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const configFile = path.join(options.dir, 'config.yaml');
  // It holds the database password: readable by this user only.
  fs.writeFileSync(configFile, `${JSON.stringify(nodeConfig(options), null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(configFile, 0o600);

  const launch = killedWithParent(options.serverBinary, ['--config-file', configFile, '--allow-no-auth', 'start']);
  const child = spawn(launch.command, launch.args, { cwd: options.dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = captureOutput(child, path.join(options.dir, 'server.log'));
  const exited = exitOf(child).then((exit) => {
    output.close();
    return exit;
  });
  const node: TemporalNode = {
    name: options.name,
    address: `127.0.0.1:${options.ports.grpc.frontend}`,
    ports: options.ports,
    process: child,
    exited,
    stop: () => stopChild(child, exited, 'SIGTERM', STOP_GRACE_MS),
    kill: () => stopChild(child, exited, 'SIGKILL', STOP_GRACE_MS),
    outputTail: () => output.tail(),
  };

  let exit: ProcessExit | undefined;
  void exited.then((e) => (exit = e));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await frontendAnswers(node.address))) {
    const failure = exit
      ? `exited (code ${exit.code}, signal ${exit.signal}${exit.error ? `, ${exit.error.message}` : ''})`
      : Date.now() > deadline
        ? `did not answer within ${READY_TIMEOUT_MS} ms`
        : undefined;
    if (failure) {
      await node.kill();
      throw new Error(`Temporal node ${options.name} ${failure} before it was ready. Last output:\n${output.tail()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return node;
}
