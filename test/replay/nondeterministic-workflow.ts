/**
 * A deliberately broken `generateVideo` for the replay suite's negative test: it writes the script
 * before fetching the source, the kind of reordering a careless edit makes. Replaying a recorded
 * history against it must fail with a DeterminismViolationError; if it did not, the suite could
 * not catch a real break either.
 */
import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { ActivitiesByQueue } from '../../src/activities';
import { activityTaskQueue, VIDEO_STAGE_KEY } from '../../src/shared/temporal-names';
import type { GenerateVideoInput, SourceDocument } from '../../src/shared/video';

export async function generateVideo(input: GenerateVideoInput): Promise<void> {
  const queue = workflowInfo().taskQueue;
  const script = proxyActivities<ActivitiesByQueue['script']>({ startToCloseTimeout: '1m', taskQueue: activityTaskQueue(queue, 'script') });
  const source = proxyActivities<ActivitiesByQueue['source']>({ startToCloseTimeout: '1m', taskQueue: activityTaskQueue(queue, 'source') });

  upsertSearchAttributes([{ key: VIDEO_STAGE_KEY, value: 'fetching_source' }]);
  const guess: SourceDocument = { title: 'Untitled', sections: [], authors: [] };
  // Swapped: the recorded history scheduled fetchSource here.
  await script.writeScript({ videoId: input.videoId, document: guess, maxScenes: input.options.maxScenes });
  await source.fetchSource(input.source);
}
