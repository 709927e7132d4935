/**
 * `npm run demo`: starts the local stack, renders the built-in sample through the HTTP API with
 * a progress bar, and prints where the MP4, its status and its Web UI page are. On a terminal it
 * then keeps serving, so those links work, until Ctrl-C; with `--exit`, CI set or no terminal on
 * stdin (scripts, CI) it stops at once and prints the command that serves the links again.
 * Ctrl-C or SIGTERM stops it all and exits 0 after one final line; a video still rendering stays
 * in the dev server and resumes at the next `npm start` or `npm run demo`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, loadDevServerEnv } from '../src/config';
import { ReelflowApiClient } from '../src/cli/api-client';
import { devDataDir } from '../src/dev/dev-data-dir';
import { startLocalStack } from '../src/dev/local-stack';
import { followVideo } from '../src/cli/follow-video';
import { STOP_MARGIN_MS, stopOnSignals, type StopRequest } from '../src/shared-node/stop-on-signals';

const log = (line: string) => console.log(`demo: ${line}`);

let request: StopRequest | undefined;
let rendered = false;
const keepServing = !process.argv.includes('--exit') && !loadDevServerEnv().CI && process.stdin.isTTY === true;

async function main(): Promise<number> {
  const config = loadConfig();
  log(`providers: script=${config.providers.script}, narration=${config.providers.narration}, clips=${config.providers.clip}`);
  const starting = startLocalStack(config, { dataDir: devDataDir(), log });
  // Handled from the start: a signal while the stack starts waits for it, then stops it.
  request = stopOnSignals(
    async (signal) => {
      const started = Date.now();
      // The progress bar on a terminal has no line break yet.
      if (process.stdout.isTTY && !rendered) console.log('');
      log(`${signal}: stopping the API, the workers, then the Temporal dev server`);
      await (await starting.catch(() => undefined))?.stop();
      log(`stopped in ${((Date.now() - started) / 1000).toFixed(1)} s${rendered ? '' : ', before the video was done'}`);
    },
    { deadlineMs: config.shutdownGraceMs + STOP_MARGIN_MS, onFailure: (message) => console.error(`demo: ${message}`) },
  );
  const stack = await starting;
  try {
    const body = fs.readFileSync(path.join(__dirname, 'sample-source.json'), 'utf8');
    const res = await fetch(`${stack.api.url}/api/videos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const started = (await res.json()) as { id: string; webUiUrl: string; error?: { message: string } };
    if (res.status !== 202) throw new Error(`The API refused the sample: ${started.error?.message ?? res.status}`);
    const statusUrl = `${stack.api.url}/api/videos/${started.id}`;
    log(`started ${started.id}`);
    const final = await followVideo(new ReelflowApiClient(stack.api.url), started.id, process.stdout);
    if (final.status !== 'completed') {
      log(`the video ended ${final.status}: ${final.error?.type ?? ''} ${final.error?.message ?? ''}`);
      return 1;
    }
    const mp4 = path.join(config.mediaRoot, started.id, 'video.mp4');
    console.log('');
    console.log(`MP4:       ${mp4} (${final.result?.durationSec.toFixed(1)} s, ${final.result?.bytes} bytes)`);
    console.log(`Script:    ${path.join(config.mediaRoot, started.id, 'script.json')}`);
    console.log(`Subtitles: ${path.join(config.mediaRoot, started.id, 'subtitles.srt')}`);
    console.log(`Page:      ${stack.api.url}/#/videos/${started.id}`);
    console.log(`Status:    ${statusUrl}`);
    console.log(`Web UI:    ${final.webUiUrl}`);
    console.log('');
    rendered = true;
    if (keepServing) {
      log('serving these links until Ctrl-C (`npm start` serves them again later; `npm run demo -- --exit` does not wait)');
      // The signal handler stops the stack and ends the process.
      return await new Promise<number>(() => undefined);
    }
    log('`npm start` serves these links again (run it with the same MEDIA_ROOT, PORT and TEMPORAL_* settings, if you set any)');
    return 0;
  } finally {
    if (!request.signal) log('stopping');
    await stack.stop();
  }
}

main().then(
  (code) => {
    // After a signal, the stop ends the process; what main saw meanwhile (the API going away) is moot.
    if (!request?.signal) process.exit(code);
  },
  (err: unknown) => {
    if (request?.signal) return;
    console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
