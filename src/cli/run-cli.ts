/**
 * `reelflow <command>`: the commands of the CLI, each a few calls to the HTTP API. Arguments and
 * the environment come in as parameters, so tests and `main.ts` drive the same code.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type { VideoStatusBody } from '../api/schemas';
import { CliError, ReelflowApiClient } from './api-client';
import { followVideo } from './follow-video';
import { listVideos } from './list-videos';
import { openUrl } from './open-url';
import { approveScript, editScript, reviewSteps, showScript } from './review-commands';

export const USAGE = `Usage: reelflow <command> [options]

Commands:
  create --pmid <id> | --title <t> (--text-file <file> | --text <t>)
         [--review] [--voice <v>] [--max-scenes <n>] [--preset 720p|1080p|vertical|square]
         [--burn-captions] [--idempotency-key <k>] [--wait]
                                print the new video's id (--wait: then follow it)
  status <id>                   print the video's status as JSON
  follow <id>                   show live progress (stage, retries, ETA) until the video ends
  list [--status <s>] [--stage <s>] [--limit <n>] [--cursor <c>]
  script show <id>              print the script of a video awaiting review, as JSON
  script edit <id>              edit that script in $VISUAL or $EDITOR (else vi) and send it
  approve <id>                  approve the script; the video goes on
  cancel <id>
  retry <id> [--wait]           start a new video for a failed or cancelled one, reusing all it
                                finished; print its id (--wait: then follow it)
  revise <id> (--scene <n> [--narration <t>] [--title <t>] [--visual <t>] | --script-file <file>) [--wait]
                                a new video from an ended one's script with the edit; unchanged
                                scenes come from the cache; print its id (--wait: then follow it)
  delete <id>                   cancel the video if it runs, then remove it and its files
  open <id> [--ui]              open the video's page (--ui: its run in the Temporal Web UI)
  download <id> [-o <file>]     save the MP4 (default <id>.mp4)

Options: --api <url> (or REELFLOW_API_URL, default http://127.0.0.1:3000); the key is read
from REELFLOW_API_KEY. Exit status: 0 done, 1 API error or failed video, 2 bad usage.`;

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

/** The CLI's own environment: it is a client of the API, not the service. */
export interface CliEnv {
  REELFLOW_API_URL?: string;
  REELFLOW_API_KEY?: string;
  /** The editor `script edit` runs, a shell command; VISUAL wins over EDITOR, as in git. */
  VISUAL?: string;
  EDITOR?: string;
}

const OPTIONS = {
  api: { type: 'string' },
  pmid: { type: 'string' },
  title: { type: 'string' },
  text: { type: 'string' },
  'text-file': { type: 'string' },
  review: { type: 'boolean' },
  'burn-captions': { type: 'boolean' },
  preset: { type: 'string' },
  voice: { type: 'string' },
  'max-scenes': { type: 'string' },
  scene: { type: 'string' },
  narration: { type: 'string' },
  visual: { type: 'string' },
  'script-file': { type: 'string' },
  'idempotency-key': { type: 'string' },
  wait: { type: 'boolean' },
  status: { type: 'string' },
  stage: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  output: { type: 'string', short: 'o' },
  ui: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const usage = (message: string) => new CliError(`${message}\n\n${USAGE}`, 2);

/** Runs one command and resolves with the exit status. */
export async function runCli(argv: string[], env: CliEnv, io: CliIo): Promise<number> {
  try {
    return await run(argv, env, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr.write(`reelflow: ${err.message}\n`);
      return err.exitCode;
    }
    io.stderr.write(`reelflow: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

async function run(argv: string[], env: CliEnv, io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw usage(err instanceof Error ? err.message : String(err));
  }
  const { values, positionals } = parsed;
  const [command, id, ...extra] = positionals;
  if (values.help || command === undefined || command === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return command === undefined && !values.help ? 2 : 0;
  }
  const client = new ReelflowApiClient(values.api ?? env.REELFLOW_API_URL ?? 'http://127.0.0.1:3000', env.REELFLOW_API_KEY || undefined);
  const needId = () => {
    if (!id || extra.length > 0) throw usage(`${command} takes exactly one video id`);
    return id;
  };
  const follow = async (videoId: string) =>
    finish(await followVideo(client, videoId, io.stdout, { onReview: (status) => io.stderr.write(reviewSteps(videoId, status)) }), io);

  switch (command) {
    case 'create': {
      if (id) throw usage('create takes no positional arguments');
      const video = await client.json<VideoStatusBody>('POST', '/api/videos', {
        body: createBody(values),
        headers: values['idempotency-key'] ? { 'idempotency-key': values['idempotency-key'] } : {},
      });
      io.stdout.write(`${video.id}\n`);
      if (values.wait) return follow(video.id);
      // The id alone goes to stdout, so `id=$(reelflow create …)` works; the guidance to stderr.
      if (values.review) io.stderr.write(reviewSteps(video.id, video));
      return 0;
    }
    case 'status':
      io.stdout.write(`${JSON.stringify(await client.status(needId()), null, 2)}\n`);
      return 0;
    case 'follow':
      return follow(needId());
    case 'list':
      if (id) throw usage('list takes no positional arguments');
      return listVideos(client, values, io);
    case 'script': {
      const videoId = extra[0];
      if (extra.length !== 1 || !videoId || (id !== 'show' && id !== 'edit')) throw usage('Use: reelflow script show|edit <id>');
      if (id === 'show') return showScript(client, videoId, io.stdout);
      return editScript(client, videoId, env.VISUAL || env.EDITOR || 'vi', io);
    }
    case 'approve':
      return approveScript(client, needId(), io.stdout);
    case 'retry': {
      const videoId = needId();
      const video = await client.json<VideoStatusBody>('POST', `/api/videos/${encodeURIComponent(videoId)}/retry`, {
        headers: values['idempotency-key'] ? { 'idempotency-key': values['idempotency-key'] } : {},
      });
      io.stdout.write(`${video.id}\n`);
      if (values.wait) return follow(video.id);
      io.stderr.write(`Retrying ${videoId} as ${video.id}; what it finished is reused. Follow it: reelflow follow ${video.id}\n`);
      return 0;
    }
    case 'revise': {
      const videoId = needId();
      const video = await client.json<VideoStatusBody>('POST', `/api/videos/${encodeURIComponent(videoId)}/revisions`, {
        body: revisionOf(values),
        headers: values['idempotency-key'] ? { 'idempotency-key': values['idempotency-key'] } : {},
      });
      io.stdout.write(`${video.id}\n`);
      if (values.wait) return follow(video.id);
      io.stderr.write(
        `Revising ${videoId} as ${video.id}; only the changed scenes are made again. Follow it: reelflow follow ${video.id}\n`,
      );
      return 0;
    }
    case 'delete': {
      const videoId = needId();
      await deleteVideo(client, videoId);
      io.stdout.write(`deleted ${videoId}\n`);
      return 0;
    }
    case 'open': {
      const videoId = needId();
      const status = await client.status(videoId);
      const url = values.ui ? status.webUiUrl : `${client.baseUrl.replace(/\/$/, '')}/#/videos/${encodeURIComponent(videoId)}`;
      io.stdout.write(`${url}\n`);
      await openUrl(url);
      return 0;
    }
    case 'cancel': {
      const video = await client.json<VideoStatusBody>('POST', `/api/videos/${encodeURIComponent(needId())}/cancel`);
      io.stdout.write(`cancel requested for ${video.id}\n`);
      return 0;
    }
    case 'download': {
      const videoId = needId();
      const file = values.output ?? `${videoId}.mp4`;
      const res = await client.send('GET', `/api/videos/${encodeURIComponent(videoId)}/video`);
      if (!res.body) throw new CliError('The API sent no video');
      await pipeline(Readable.fromWeb(res.body), fs.createWriteStream(file));
      io.stdout.write(`${file}\n`);
      return 0;
    }
    default:
      throw usage(`Unknown command ${JSON.stringify(command)}`);
  }
}

/** DELETE, sent again while a cancelled video is still stopping (the API answers 409 `still_stopping`). */
async function deleteVideo(client: ReelflowApiClient, videoId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send('DELETE', `/api/videos/${encodeURIComponent(videoId)}`);
      return;
    } catch (err) {
      if (!(err instanceof CliError) || err.apiCode !== 'still_stopping' || attempt >= 6) throw err;
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }
  }
}

function createBody(values: {
  pmid?: string;
  title?: string;
  text?: string;
  'text-file'?: string;
  review?: boolean;
  'burn-captions'?: boolean;
  preset?: string;
  'max-scenes'?: string;
  voice?: string;
}) {
  const maxScenes = values['max-scenes'];
  if (maxScenes !== undefined && !/^\d+$/.test(maxScenes))
    throw usage(`--max-scenes takes a whole number, got ${JSON.stringify(maxScenes)}`);
  const options = {
    ...(values.review ? { review: true } : {}),
    ...(values['burn-captions'] ? { burnCaptions: true } : {}),
    ...(values.preset !== undefined ? { preset: values.preset } : {}),
    ...(values.voice !== undefined ? { voice: values.voice } : {}),
    ...(maxScenes !== undefined ? { maxScenes: Number(maxScenes) } : {}),
  };
  const withOptions = (source: object) => (Object.keys(options).length ? { source, options } : { source });
  if (values.pmid !== undefined) {
    if (values.title !== undefined || values.text !== undefined || values['text-file'] !== undefined) {
      throw usage('Use either --pmid or --title with --text/--text-file, not both');
    }
    return withOptions({ type: 'pubmed', pmid: values.pmid });
  }
  if (values.title === undefined) throw usage('create needs --pmid, or --title with --text-file or --text');
  let text = values.text;
  if (values['text-file'] !== undefined) {
    try {
      text = fs.readFileSync(values['text-file'], 'utf8');
    } catch (err) {
      throw new CliError(`Cannot read ${values['text-file']}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  }
  if (text === undefined) throw usage('create --title needs --text-file or --text');
  return withOptions({ type: 'text', title: values.title, text });
}

function finish(final: VideoStatusBody, io: CliIo): number {
  if (final.status === 'completed') {
    io.stdout.write(`completed: ${final.result?.videoUrl ?? final.id}\n`);
    return 0;
  }
  const reason = final.error ? `: ${final.error.type}: ${final.error.message}` : '';
  io.stderr.write(`reelflow: video ${final.id} ${final.status}${reason}\n`);
  return 1;
}

/** The body of `revise`: a whole script from a file, or the given fields of one scene. */
function revisionOf(values: { scene?: string; title?: string; narration?: string; visual?: string; 'script-file'?: string }): unknown {
  const file = values['script-file'];
  if (file !== undefined) {
    if (values.scene !== undefined) throw usage('revise takes --script-file or --scene, not both');
    try {
      return { script: JSON.parse(fs.readFileSync(file, 'utf8')) as unknown };
    } catch (err) {
      throw new CliError(`Cannot read the script in ${file}: ${err instanceof Error ? err.message : String(err)}`, 2);
    }
  }
  const index = Number(values.scene);
  if (values.scene === undefined || !Number.isInteger(index) || index < 0)
    throw usage('revise needs --scene <n> (or --script-file <file>)');
  const fields = { title: values.title, narration: values.narration, visual: values.visual };
  if (Object.values(fields).every((v) => v === undefined)) throw usage('revise --scene needs --narration, --title or --visual');
  return { scenes: [{ index, ...fields }] };
}
