/**
 * What a run has finished, scene by scene: the narrations and clips it has stored and the outputs
 * of clip steps that finished before their clip did. The `finishedWork` query answers from here,
 * so a retry can take all of it over instead of paying for it again; a retry starts from what
 * it took over, so a retry of a retry loses nothing either.
 */
import type { FinishedScene, ReusedWork } from '../shared/video';

export class FinishedWorkLog {
  private readonly scenes = new Map<number, FinishedScene>();

  /** Starts from the work a retry took over: only the files its copy found are counted. */
  static adopting(reuse: ReusedWork, copied: readonly string[]): FinishedWorkLog {
    const log = new FinishedWorkLog();
    const has = new Set(copied);
    for (const scene of reuse.scenes) {
      if (scene.narration && has.has(scene.narration.audioFile)) log.narrated(scene.index, scene.narration);
      if (scene.clipFile && has.has(scene.clipFile)) log.clipped(scene.index, scene.clipFile);
      for (const [step, output] of Object.entries(scene.stepOutputs ?? {})) log.stepDone(scene.index, step, output);
    }
    return log;
  }

  narrated(index: number, narration: { audioFile: string; durationSec: number }): void {
    this.scene(index).narration = { audioFile: narration.audioFile, durationSec: narration.durationSec };
  }

  clipped(index: number, clipFile: string): void {
    this.scene(index).clipFile = clipFile;
  }

  stepDone(index: number, step: string, output: string): void {
    const scene = this.scene(index);
    scene.stepOutputs = { ...scene.stepOutputs, [step]: output };
  }

  get(index: number): FinishedScene | undefined {
    return this.scenes.get(index);
  }

  list(): FinishedScene[] {
    return [...this.scenes.values()].sort((a, b) => a.index - b.index);
  }

  private scene(index: number): FinishedScene {
    let scene = this.scenes.get(index);
    if (!scene) {
      scene = { index };
      this.scenes.set(index, scene);
    }
    return scene;
  }
}
