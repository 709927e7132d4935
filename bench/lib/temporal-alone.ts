/**
 * The Temporal calls behind the API's reads, made straight from the benchmark process with no API
 * in between, by the same number of callers as fast as they are answered: what the API cannot beat.
 */
import { Client, Connection } from '@temporalio/client';
import { WORKFLOW_TYPE } from '../../src/shared/temporal-names';
import { statusQuery } from '../../src/workflows/video-messages';
import { type ClosedLoopRun, runClosedLoop } from './closed-loop';

export interface TemporalAloneFigures {
  label: string;
  runs: ClosedLoopRun[];
}

export async function measureTemporalAlone(options: {
  address: string;
  taskQueue: string;
  ids: readonly string[];
  concurrency: number;
  runs: number;
  durationSec: number;
  log: (line: string) => void;
}): Promise<TemporalAloneFigures[]> {
  const { ids } = options;
  const connection = await Connection.connect({ address: options.address });
  const client = new Client({ connection });
  const handle = (i: number) => client.workflow.getHandle(ids[i % ids.length]!);
  const running = `WorkflowType = '${WORKFLOW_TYPE}' AND TaskQueue = '${options.taskQueue}' AND ExecutionStatus = 'Running'`;
  const calls: Record<string, (i: number) => Promise<unknown>> = {
    'describe, then the status query (what a status read asks Temporal)': async (i) => {
      await handle(i).describe();
      await handle(i).query(statusQuery);
    },
    'the status query alone': (i) => handle(i).query(statusQuery),
    'describe alone': (i) => handle(i).describe(),
    'one visibility page of the running videos (listWorkflowExecutions)': () =>
      client.workflowService.listWorkflowExecutions({ namespace: client.options.namespace, pageSize: 1000, query: running }),
    'a count of the running videos (countWorkflowExecutions)': () => client.workflow.count(running),
  };
  const figures: TemporalAloneFigures[] = [];
  try {
    for (const [label, call] of Object.entries(calls)) {
      const runs: ClosedLoopRun[] = [];
      for (let i = 0; i < options.runs; i++) {
        const run = await runClosedLoop({ concurrency: options.concurrency, durationSec: options.durationSec, call });
        runs.push(run);
        options.log(
          `  Temporal alone, ${label}: ${run.perSec.toFixed(0)}/s, p50 ${run.p50.toFixed(1)} ms, p99 ${run.p99.toFixed(1)} ms, ` +
            `max ${run.max.toFixed(0)} ms, errors ${run.errors}`,
        );
      }
      figures.push({ label, runs });
    }
  } finally {
    await connection.close();
  }
  return figures;
}
