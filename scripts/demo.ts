/**
 * `npm run demo`: starts the local stack, renders the built-in sample through the HTTP API with
 * a progress bar, prints where the MP4, its status and its Web UI page are, then stops it all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config';
import { startLocalStack } from '../src/dev/local-stack';
import { followVideo } from '../src/cli/follow-video';

const root = path.resolve(__dirname, '..');
const log = (line: string) => console.log(`demo: ${line}`);

async function main(): Promise<number> {
  const config = loadConfig();
  log(`providers: script=${config.providers.script}, narration=${config.providers.narration}, clips=${config.providers.clip}`);
  const stack = await startLocalStack(config, { dataDir: path.join(root, '.temporal'), log });
  try {
    const body = fs.readFileSync(path.join(__dirname, 'sample-source.json'), 'utf8');
    const res = await fetch(`${stack.api.url}/api/videos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const started = (await res.json()) as { id: string; webUiUrl: string; error?: { message: string } };
    if (res.status !== 202) throw new Error(`The API refused the sample: ${started.error?.message ?? res.status}`);
    const statusUrl = `${stack.api.url}/api/videos/${started.id}`;
    log(`started ${started.id}`);
    const final = await followVideo(statusUrl, process.stdout);
    if (final.status !== 'completed') {
      log(`the video ended ${final.status}: ${final.error?.type ?? ''} ${final.error?.message ?? ''}`);
      return 1;
    }
    const mp4 = path.join(config.mediaRoot, started.id, 'video.mp4');
    console.log('');
    console.log(`MP4:       ${mp4} (${final.result?.durationSec.toFixed(1)} s, ${final.result?.bytes} bytes)`);
    console.log(`Script:    ${path.join(config.mediaRoot, started.id, 'script.json')}`);
    console.log(`Subtitles: ${path.join(config.mediaRoot, started.id, 'subtitles.srt')}`);
    console.log(`Status:    ${statusUrl}`);
    console.log(`Web UI:    ${final.webUiUrl}`);
    return 0;
  } finally {
    log('stopping');
    await stack.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
