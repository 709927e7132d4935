import { RunwayClipGenerator } from '../../../src/providers/runway/runway-clip-generator';
import { createRunwayClient } from '../../../src/providers/runway/create-runway-client';
import { startFakeRunway, type FakeRunway } from '../../fakes/fake-runway';
import { describeClipGeneratorConformance } from '../conformance/clip-generator-conformance';

let fake: FakeRunway;
beforeAll(async () => {
  fake = await startFakeRunway();
});
afterAll(() => fake.close());

describeClipGeneratorConformance(
  'RunwayClipGenerator against the fake Runway API',
  () =>
    new RunwayClipGenerator({
      client: createRunwayClient({ apiKey: 'test-key', baseUrl: fake.url }),
      imageModel: 'gen4_image',
      videoModel: 'gen4_turbo',
      ratio: '1280:720',
      durationSec: 5,
      pollIntervalMs: 5,
    }),
  // The fake's own log: an aborted wait must not have deleted the task on Runway's side either.
  { deletedTaskIds: () => fake.deletedTaskIds },
);
