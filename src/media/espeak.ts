/**
 * Speaks a text into a WAV file with espeak-ng. The text goes through stdin, not argv: it may be
 * long, and a narration starting with "-" must never be read as an option.
 */
import { runTool } from './run-tool';

/** Writes `text` spoken with the espeak-ng `voice` (e.g. "en-us") to the WAV file `outPath`. */
export async function speakToWav(text: string, voice: string, outPath: string, signal?: AbortSignal): Promise<void> {
  // --stdin reads the whole input as one text; without it espeak-ng speaks line by line.
  await runTool('espeak-ng', ['-v', voice, '-w', outPath, '--stdin'], { signal, input: text, step: 'speaking the narration' });
}
