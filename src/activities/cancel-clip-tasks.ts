/**
 * After a user's cancel: deletes the provider tasks the run had submitted and not yet seen
 * finish, so Runway stops work nobody wants. Nothing else in the project deletes a task.
 */
import type { ClipGenerator } from '../providers/contracts';
import { isProviderTask } from './clip-steps';

export function createCancelClipTasks(deps: { clipGenerator: ClipGenerator }) {
  return {
    async cancelClipTasks(input: { taskIds: string[] }): Promise<void> {
      // Steps the cache answered, or another run's, have no task of this run's to delete.
      await Promise.all(input.taskIds.filter(isProviderTask).map((taskId) => deps.clipGenerator.cancel(taskId)));
    },
  };
}
