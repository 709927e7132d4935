/**
 * Command-line flags that keep every task queue of a `temporal server start-dev` on one
 * partition. The server splits each queue into partitions (4 by default) and gives each its own
 * share of a worker's `maxTaskQueueActivitiesPerSecond`: at RUNWAY_RATE_PER_SEC=1 each partition
 * starts one clip submission every 4 s, so starts come four at once, then pause for 4 s. With one
 * partition the configured rate is the observed one (test/integration/queue-rate.test.ts).
 *
 * The flag sets a value for every queue: the CLI hands `--dynamic-config-value` to the server as
 * a plain value, which cannot carry the per-queue constraints that the production dynamic config
 * file uses (config/temporal/dynamic-config.yaml). That is fine here: a dev server is one process,
 * where partitions spread no load (docs/benchmarks.md measured no difference without them).
 */
const SINGLE_PARTITION = {
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
} as const;

/** `--dynamic-config-value` flags for `temporal server start-dev`, one per setting. */
export function singlePartitionArgs(): string[] {
  return Object.entries(SINGLE_PARTITION).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${value}`]);
}
