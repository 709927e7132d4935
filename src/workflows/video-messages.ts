/** Queries, signals and updates of `generateVideo`, defined once for the workflow and the API. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import {
  APPROVE_SIGNAL,
  APPROVE_UPDATE,
  EDIT_SCRIPT_UPDATE,
  FINISHED_WORK_QUERY,
  SCRIPT_QUERY,
  STATUS_QUERY,
} from '../shared/temporal-names';
import type { FinishedWork, Script, VideoState } from '../shared/video';

export const statusQuery = defineQuery<VideoState>(STATUS_QUERY);
export const scriptQuery = defineQuery<Script | undefined>(SCRIPT_QUERY);
/** What the run has finished, for a retry to take over; answered by closed runs too (a worker replays them). */
export const finishedWorkQuery = defineQuery<FinishedWork>(FINISHED_WORK_QUERY);
export const approveSignal = defineSignal(APPROVE_SIGNAL);
export const editScriptUpdate = defineUpdate<Script, [Script]>(EDIT_SCRIPT_UPDATE);
/** Approval that answers once the workflow has left review, so no client sees one without the other. */
export const approveUpdate = defineUpdate<void>(APPROVE_UPDATE);
