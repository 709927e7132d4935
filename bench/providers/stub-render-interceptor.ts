/**
 * Replaces the `renderVideo` activity with a fixed-latency stub, through an activity interceptor,
 * because rendering has no provider seam: it is ffmpeg on the worker. The ffmpeg merge is
 * measured on its own by the render benchmark; here only its place in the pipeline matters.
 */
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { RenderVideoInput } from '../../src/activities/render-video';
import type { VideoResult } from '../../src/shared/video';
import type { ExecutionLog } from './execution-log';
import { sleep } from './latencies';

export function stubRenderInterceptor(options: { latencyMs: number; log: ExecutionLog }): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        if (ctx.info.activityType !== 'renderVideo') return next(input);
        const render = input.args[0] as RenderVideoInput;
        return options.log.around('render', 'render', async () => {
          await sleep(options.latencyMs, ctx.cancellationSignal);
          const result: VideoResult = { file: 'video.mp4', durationSec: render.scenes.length * 0.2, bytes: 0 };
          return result;
        });
      },
    },
  });
}
