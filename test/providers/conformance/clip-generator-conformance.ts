/**
 * What every ClipGenerator promises: a plan of quoted steps; running them in order (each step's
 * output handed to the next) writes an MP4 with a video stream at the requested path, with
 * progress within 0–1 and a non-negative bill; and a wait that is aborted writes nothing and
 * leaves its task alive, so the same task id can be awaited again after a crash or a timeout.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ClipGenerator, ClipStep } from '../../../src/providers/contracts';
import type { Scene } from '../../../src/shared/video';
import { probeMedia } from '../../../src/media/probe';

export interface ClipGeneratorConformanceOptions {
  /**
   * The provider's own record of deleted task ids (a fake's log), so the suite can check that an
   * aborted wait deletes nothing there too; without it only the adapter's `cancel` is watched.
   */
  deletedTaskIds?: () => readonly string[];
}

let sceneCounter = 0;

/** A scene no other test uses, so a provider's record of tasks can be read per test. */
function uniqueScene(): Scene {
  sceneCounter += 1;
  const tag = randomUUID().slice(0, 8);
  return {
    index: sceneCounter,
    title: `Light and the body clock ${tag}`,
    narration: 'Morning light tells the body clock that the day has begun.',
    visual: `A nurse in blue-tinted glasses walking home at sunrise, take ${tag}`,
  };
}

/** Runs every step but the last, handing each output on; returns the last step and its inputs. */
async function runAllButLast(generator: ClipGenerator, scene: Scene): Promise<{ last: ClipStep; inputs: Record<string, string> }> {
  const steps = generator.plan(scene);
  const last = steps.at(-1);
  if (!last) throw new Error('plan returned no steps');
  const inputs: Record<string, string> = {};
  for (const step of steps.slice(0, -1)) {
    const { taskId } = await generator.submit({ scene, step: step.name, inputs: { ...inputs } });
    const { output } = await generator.await({
      scene,
      step: step.name,
      taskId,
      signal: new AbortController().signal,
      onProgress: () => undefined,
    });
    if (output === undefined) throw new Error(`step ${step.name} handed back no output for the next step`);
    inputs[step.name] = output;
  }
  return { last, inputs };
}

export function describeClipGeneratorConformance(
  name: string,
  makeGenerator: () => ClipGenerator,
  options: ClipGeneratorConformanceOptions = {},
): void {
  describe(`${name} (ClipGenerator conformance)`, () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), 'clip-conformance-'));
    });
    afterAll(() => rm(dir, { recursive: true, force: true }));

    it('plans at least one step, each quoted at finite, non-negative credits', () => {
      const steps = makeGenerator().plan(uniqueScene());
      expect(steps.length).toBeGreaterThanOrEqual(1);
      for (const step of steps) {
        expect(step.name).toEqual(expect.any(String));
        expect(Number.isFinite(step.credits)).toBe(true);
        expect(step.credits).toBeGreaterThanOrEqual(0);
      }
    });

    it('runs its steps into an MP4 with a video stream at outPath, reporting progress within 0–1', async () => {
      const generator = makeGenerator();
      const scene = uniqueScene();
      const outPath = path.join(dir, 'nested', `clip-${scene.index}.mp4`);
      const steps = generator.plan(scene);
      const inputs: Record<string, string> = {};
      const progress: number[] = [];
      const spends: number[] = [];
      for (const [i, step] of steps.entries()) {
        const final = i === steps.length - 1;
        const { taskId } = await generator.submit({ scene, step: step.name, inputs: { ...inputs } });
        expect(taskId).toEqual(expect.any(String));
        const outcome = await generator.await({
          scene,
          step: step.name,
          taskId,
          ...(final ? { outPath } : {}),
          signal: new AbortController().signal,
          onProgress: (f) => progress.push(f),
        });
        spends.push(outcome.spend.credits);
        if (!final) {
          expect(outcome.output).toEqual(expect.any(String));
          inputs[step.name] = outcome.output ?? '';
        }
      }
      const info = await probeMedia(outPath);
      expect(info.video).toBeDefined();
      expect(info.video?.width).toBeGreaterThan(0);
      expect(info.durationSec).toBeGreaterThan(0.5);
      expect(progress.length).toBeGreaterThan(0);
      expect(progress.filter((p) => !(p >= 0 && p <= 1))).toEqual([]);
      expect(spends.filter((credits) => !(credits >= 0))).toEqual([]);
    });

    it('rejects a wait whose signal is already aborted, writes nothing and deletes nothing', async () => {
      const generator = makeGenerator();
      const cancel = jest.spyOn(generator, 'cancel');
      const scene = uniqueScene();
      const { last, inputs } = await runAllButLast(generator, scene);
      const { taskId } = await generator.submit({ scene, step: last.name, inputs });
      const outPath = path.join(dir, `aborted-${scene.index}.mp4`);

      const wait = generator.await({ scene, step: last.name, taskId, outPath, signal: AbortSignal.abort(), onProgress: () => undefined });

      await expect(wait).rejects.toBeDefined();
      expect(await readdir(dir)).not.toContain(path.basename(outPath));
      expect(cancel).not.toHaveBeenCalled();
      expect(options.deletedTaskIds?.() ?? []).not.toContain(taskId);
    });

    it('leaves an aborted task resumable: awaiting the same task id again finishes the clip', async () => {
      const generator = makeGenerator();
      const cancel = jest.spyOn(generator, 'cancel');
      const scene = uniqueScene();
      const { last, inputs } = await runAllButLast(generator, scene);
      const { taskId } = await generator.submit({ scene, step: last.name, inputs });
      const outPath = path.join(dir, `resumed-${scene.index}.mp4`);
      const aborted = generator.await({
        scene,
        step: last.name,
        taskId,
        outPath,
        signal: AbortSignal.abort(),
        onProgress: () => undefined,
      });
      await expect(aborted).rejects.toBeDefined();
      expect(existsSync(outPath)).toBe(false);

      const { spend } = await generator.await({
        scene,
        step: last.name,
        taskId,
        outPath,
        signal: new AbortController().signal,
        onProgress: () => undefined,
      });

      expect((await probeMedia(outPath)).video).toBeDefined();
      expect(spend.credits).toBeGreaterThanOrEqual(0);
      expect(cancel).not.toHaveBeenCalled();
    });
  });
}
