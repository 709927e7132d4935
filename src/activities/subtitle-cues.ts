/**
 * Timed subtitle cues for a rendered video. A scene's narration is split into chunks of a few
 * words, each shown for a share of the narration time proportional to its words, because a
 * 40-word block on screen at once cannot be read along with the voice.
 */
export interface TimedScene {
  narration: string;
  /** When the scene starts in the final video. */
  startSec: number;
  /** How long the narration speaks (the scene's pause comes after it). */
  speechSec: number;
}

export interface Cue {
  text: string;
  startSec: number;
  endSec: number;
}

export function subtitleCues(scenes: TimedScene[], wordsPerCue = 12): Cue[] {
  const cues: Cue[] = [];
  for (const scene of scenes) {
    const words = scene.narration.split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    const secPerWord = scene.speechSec / words.length;
    for (let i = 0; i < words.length; i += wordsPerCue) {
      const chunk = words.slice(i, i + wordsPerCue);
      const startSec = scene.startSec + i * secPerWord;
      cues.push({ text: chunk.join(' '), startSec, endSec: startSec + chunk.length * secPerWord });
    }
  }
  return cues;
}
