/**
 * After a user's cancel: deletes the provider tasks the run had submitted and not yet seen
 * finish, so Runway stops work nobody wants. Nothing else in the project deletes a task.
 */
import type { ClipGenerator } from '../providers/contracts';

export function createCancelClipTasks(deps: { clipGenerator: ClipGenerator }) {
  return {
    async cancelClipTasks(input: { taskIds: string[] }): Promise<void> {
      await Promise.all(input.taskIds.map((taskId) => deps.clipGenerator.cancel(taskId)));
    },
  };
}
