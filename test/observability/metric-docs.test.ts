import fs from 'node:fs';
import path from 'node:path';
import { ApiMetrics } from '../../src/observability/api-metrics';
import { WorkerMetrics } from '../../src/observability/worker-metrics';

const doc = fs.readFileSync(path.join(__dirname, '../../docs/observability.md'), 'utf8');

test('docs/observability.md describes every metric the API and the workers export, in its table', async () => {
  const names = [...(await new ApiMetrics().registry.getMetricsAsJSON()), ...(await new WorkerMetrics().registry.getMetricsAsJSON())].map(
    (m) => m.name,
  );
  expect(names.length).toBeGreaterThan(10);
  expect(names.filter((name) => !doc.includes(`| \`${name}\``))).toEqual([]);
  expect(names.every((name) => name.startsWith('reelflow_'))).toBe(true);
});
