import type { Client } from '@temporalio/client';
import { WORKFLOW_TYPE } from '../../src/shared/temporal-names';
import type { GenerateVideoInput, VideoState } from '../../src/shared/video';

let counter = 0;

/** A unique video id per run, so that no two benchmark videos share a workflow id. */
export function benchVideoId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** A text video; the fake script writer decides how many scenes it gets. */
export function benchInput(videoId: string, sceneConcurrency: number): GenerateVideoInput {
  return {
    videoId,
    source: { type: 'text', title: 'Benchmark video', text: 'A short text that the fake script writer ignores.' },
    options: { review: false, reviewTimeoutSec: 60, maxScenes: 20, voice: 'bench', sceneConcurrency },
  };
}

/** Starts a video and returns its workflow handle. */
export function startVideo(client: Client, taskQueue: string, input: GenerateVideoInput) {
  return client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId: input.videoId, args: [input] });
}

/**
 * Starts `count` videos at once and waits for all of them. Returns their ids and the wall time
 * from the first start call to the last completion. Throws when a video did not complete.
 */
export async function runVideosAtOnce(
  client: Client,
  options: { taskQueue: string; count: number; sceneConcurrency: number; prefix: string },
): Promise<{ ids: string[]; wallMs: number }> {
  const inputs = Array.from({ length: options.count }, () => benchInput(benchVideoId(options.prefix), options.sceneConcurrency));
  const started = performance.now();
  const handles = await Promise.all(inputs.map((input) => startVideo(client, options.taskQueue, input)));
  const states = (await Promise.all(handles.map((h) => h.result()))) as VideoState[];
  const wallMs = performance.now() - started;
  const failed = states.filter((s) => s.status !== 'completed');
  if (failed.length > 0) throw new Error(`${failed.length} benchmark videos did not complete: ${JSON.stringify(failed[0]?.error)}`);
  return { ids: inputs.map((i) => i.videoId), wallMs };
}
