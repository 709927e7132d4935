/**
 * Timed subtitle cues for a rendered video. A scene's narration is shown sentence by sentence (a
 * long sentence in even parts of at most `wordsPerCue` words), each for a share of the narration
 * time proportional to its words, because a 40-word block on screen at once cannot be read along
 * with the voice.
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
    const chunks = sentences(scene.narration).flatMap((sentence) => balancedChunks(sentence, wordsPerCue));
    const words = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    if (words === 0) continue;
    const secPerWord = scene.speechSec / words;
    let startSec = scene.startSec;
    for (const chunk of chunks) {
      const endSec = startSec + chunk.length * secPerWord;
      cues.push({ text: chunk.join(' '), startSec, endSec });
      startSec = endSec;
    }
  }
  return cues;
}

/** A narration's sentences: split after `.`, `!` or `?` (and a closing quote) before a space. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?]["”’')\]]?)\s+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * A sentence's words in as few cues as `wordsPerCue` allows, of near-equal length, so that a
 * 14-word sentence reads as 7 + 7 rather than 12 + 2.
 */
function balancedChunks(sentence: string, wordsPerCue: number): string[][] {
  const words = sentence.split(/\s+/).filter(Boolean);
  const count = Math.ceil(words.length / wordsPerCue);
  const chunks: string[][] = [];
  for (let i = 0, from = 0; i < count; i++) {
    const to = Math.round(((i + 1) * words.length) / count);
    chunks.push(words.slice(from, to));
    from = to;
  }
  return chunks;
}
