/**
 * What Temporal knows of a page of videos' runs, in one visibility query per page rather than
 * one call per video. Visibility may lag behind, so an id it does not list is described before
 * the sweep treats its media as an orphan: nothing is deleted on visibility's word alone.
 */
import { WorkflowNotFoundError, type WorkflowClient, type WorkflowExecutionInfo } from '@temporalio/client';
import { visibilityString } from '../api/visibility-query';
import { WORKFLOW_TYPE } from '../shared/temporal-names';
import type { RunState } from './retention-rule';

const UNSUCCESSFUL = new Set(['FAILED', 'CANCELLED', 'TERMINATED', 'TIMED_OUT']);

/** The run state of each id; a video started again under its id (a reset) counts by its newest run. */
export async function lookUpRuns(client: WorkflowClient, videoIds: readonly string[]): Promise<Map<string, RunState>> {
  const newest = new Map<string, WorkflowExecutionInfo>();
  if (videoIds.length > 0) {
    const query = `WorkflowId IN (${videoIds.map(visibilityString).join(', ')})`;
    for await (const info of client.list({ query, pageSize: Math.min(1000, videoIds.length * 2) })) {
      const seen = newest.get(info.workflowId);
      if (!seen || info.startTime > seen.startTime) newest.set(info.workflowId, info);
    }
  }
  const runs = new Map<string, RunState>();
  for (const videoId of videoIds) runs.set(videoId, runState(newest.get(videoId) ?? (await describe(client, videoId))));
  return runs;
}

/** The fields of a run that retention reads, from visibility or from a describe. */
type RunInfo = Pick<WorkflowExecutionInfo, 'type' | 'status' | 'closeTime'>;

async function describe(client: WorkflowClient, workflowId: string): Promise<RunInfo | undefined> {
  try {
    return await client.getHandle(workflowId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** Anything not known to have ended (running, continued, or a status this code does not know) counts as running. */
function runState(info: RunInfo | undefined): RunState {
  if (!info || info.type !== WORKFLOW_TYPE) return { kind: 'missing' };
  const status = info.status.name;
  if (!info.closeTime) return { kind: 'running' };
  if (status === 'COMPLETED') return { kind: 'closed', outcome: 'completed', closedAt: info.closeTime };
  if (UNSUCCESSFUL.has(status)) return { kind: 'closed', outcome: 'unsuccessful', closedAt: info.closeTime };
  return { kind: 'running' };
}
