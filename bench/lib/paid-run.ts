/**
 * Figures of one paid-path video, read from its history and from the fake Runway's own record of
 * the tasks created during the run: the end-to-end time against its critical-path bound, where
 * the time beyond the bound went, how long a task id waited to be recorded, and what was billed.
 */
import type { FakeRunwayTask } from '../../test/fakes/fake-runway';
import { criticalPathBoundMs } from './critical-path-bound';
import type { ActivityTimeline, WorkflowTimeline } from './history-timings';
import type { PaidLatencies } from './paid-stack';

export interface PaidRunFigures {
  endToEndMs: number;
  boundMs: number;
  ratio: number;
  /** Execution of the run's own renderVideo and fetchSource (ActivityTaskStarted → Completed). */
  renderMs: number;
  fetchMs: number;
  /** Time beyond the bound in each phase: to the script's end, to the last scene's end, to the render's end, to the close. */
  overMs: { script: number; scenes: number; render: number; close: number };
  /** For each video task: its submitClipStep's ActivityTaskCompleted − the fake's answer to the create request. */
  checkpointWindowsMs: number[];
  /** For each task: its awaitClipStep's completion − the moment the task finished on the fake (polling, download, dispatch). */
  awaitLagMs: { image: number[]; video: number[] };
  tasksCreated: number;
  billedCredits: number;
  spendCredits: number;
}

const SCENE_TYPES = new Set(['narrateScene', 'submitClipStep', 'awaitClipStep']);

function only(timeline: WorkflowTimeline, type: string): ActivityTimeline {
  const found = timeline.activities.filter((a) => a.type === type);
  if (found.length !== 1 || found[0]?.started === undefined || found[0].closed === undefined) {
    throw new Error(`expected one completed ${type} in the history, found ${found.length}`);
  }
  return found[0];
}

const execution = (a: ActivityTimeline) => (a.closed ?? Number.NaN) - (a.started ?? Number.NaN);

export function paidRunFigures(options: {
  timeline: WorkflowTimeline;
  /** Tasks the fake Runway created during this run. */
  tasks: FakeRunwayTask[];
  billedCredits: number;
  spendCredits: number;
  latencies: PaidLatencies;
  scenes: number;
  sceneConcurrency: number;
}): PaidRunFigures {
  const { timeline, tasks, latencies } = options;
  const closed = timeline.closed ?? Number.NaN;
  const render = only(timeline, 'renderVideo');
  const fetch = only(timeline, 'fetchSource');
  const script = only(timeline, 'writeScript');
  const renderMs = execution(render);
  const fetchMs = execution(fetch);
  const sceneMs = Math.max(latencies.ttsMs, latencies.imageMs + latencies.videoMs);
  const scenesBoundMs = criticalPathBoundMs(
    { scriptMs: 0, narrationMs: sceneMs, clipMs: sceneMs, renderMs: 0 },
    options.scenes,
    options.sceneConcurrency,
  );
  const boundMs = latencies.scriptMs + scenesBoundMs + renderMs + fetchMs;
  const lastScene = Math.max(...timeline.activities.filter((a) => SCENE_TYPES.has(a.type)).map((a) => a.closed ?? Number.NaN));

  const taskById = new Map(tasks.map((t) => [t.id, t]));
  const checkpointWindowsMs: number[] = [];
  const awaitLagMs: PaidRunFigures['awaitLagMs'] = { image: [], video: [] };
  for (const activity of timeline.activities) {
    if (activity.type === 'submitClipStep') {
      const task = taskById.get((activity.result as { taskId?: string } | undefined)?.taskId ?? '');
      if (task?.kind === 'video' && task.answeredAtMs !== undefined && activity.closed !== undefined) {
        checkpointWindowsMs.push(activity.closed - task.answeredAtMs);
      }
    }
    if (activity.type === 'awaitClipStep' && activity.closed !== undefined) {
      const task = taskById.get((activity.input as { taskId?: string } | undefined)?.taskId ?? '');
      if (task)
        awaitLagMs[task.kind].push(activity.closed - (task.createdAtMs + (task.kind === 'image' ? latencies.imageMs : latencies.videoMs)));
    }
  }

  return {
    endToEndMs: closed - timeline.started,
    boundMs,
    ratio: (closed - timeline.started) / boundMs,
    renderMs,
    fetchMs,
    overMs: {
      script: (script.closed ?? Number.NaN) - timeline.started - (fetchMs + latencies.scriptMs),
      scenes: lastScene - (script.closed ?? Number.NaN) - scenesBoundMs,
      render: (render.closed ?? Number.NaN) - lastScene - renderMs,
      close: closed - (render.closed ?? Number.NaN),
    },
    checkpointWindowsMs,
    awaitLagMs,
    tasksCreated: tasks.length,
    billedCredits: options.billedCredits,
    spendCredits: options.spendCredits,
  };
}
