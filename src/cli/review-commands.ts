/**
 * `reelflow script show|edit <id>` and `reelflow approve <id>`: the script review of a video
 * started with `--review`, done from a terminal. `edit` hands the script JSON to the user's
 * editor, the way `git commit` does, and sends it only when it changed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { VideoStatusBody } from '../api/schemas';
import { CliError, type ReelflowApiClient } from './api-client';

const scriptPath = (id: string) => `/api/videos/${encodeURIComponent(id)}/script`;

/** The commands that review `id`, and the deadline when the status carries one. */
export function reviewSteps(id: string, status?: VideoStatusBody): string {
  const deadline = status?.reviewDeadline;
  return [
    `Next: review the script, then approve it (the video waits${deadline ? ` until ${deadline}` : ''}):`,
    `  reelflow script show ${id}`,
    `  reelflow script edit ${id}`,
    `  reelflow approve ${id}`,
    '',
  ].join('\n');
}

/** Prints the script as JSON. */
export async function showScript(client: ReelflowApiClient, id: string, out: NodeJS.WritableStream): Promise<number> {
  out.write(`${JSON.stringify(await client.json('GET', scriptPath(id)), null, 2)}\n`);
  return 0;
}

/**
 * Opens `editor` (a shell command, as $VISUAL and $EDITOR are) on the script and sends the result.
 * An editor that fails, or a file left unchanged, sends nothing. A file the API refuses is kept,
 * so the edit is not lost.
 */
export async function editScript(
  client: ReelflowApiClient,
  id: string,
  editor: string,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): Promise<number> {
  const before = `${JSON.stringify(await client.json('GET', scriptPath(id)), null, 2)}\n`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reelflow-script-'));
  const file = path.join(dir, `${id}.script.json`);
  fs.writeFileSync(file, before);
  let keep = false;
  try {
    // Through the shell, as git does, so EDITOR="code --wait" works; the path goes in as $1.
    const run = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'sh', file], { stdio: 'inherit' });
    if (run.error) throw new CliError(`Cannot run the editor ${JSON.stringify(editor)}: ${run.error.message}; nothing sent`);
    if (run.status !== 0) throw new CliError(`The editor exited with ${run.status ?? run.signal}; nothing sent`);
    const after = fs.readFileSync(file, 'utf8');
    if (after === before) {
      io.stderr.write('reelflow: the script is unchanged; nothing sent\n');
      return 0;
    }
    let script: unknown;
    try {
      script = JSON.parse(after);
    } catch (err) {
      keep = true;
      throw new CliError(`The edited script is not valid JSON (${(err as Error).message}); nothing sent. Your edit is in ${file}`);
    }
    try {
      await client.json('PUT', scriptPath(id), { body: script });
    } catch (err) {
      keep = true;
      throw new CliError(`${(err as Error).message}\nYour edit is in ${file}`);
    }
    io.stdout.write(`script updated for ${id}; when it reads right: reelflow approve ${id}\n`);
    return 0;
  } finally {
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Approves the script; the API answers once the run has left review. */
export async function approveScript(client: ReelflowApiClient, id: string, out: NodeJS.WritableStream): Promise<number> {
  const status = await client.json<VideoStatusBody>('POST', `/api/videos/${encodeURIComponent(id)}/approve`);
  out.write(`approved ${id}; now ${status.stage}. Follow it with: reelflow follow ${id}\n`);
  return 0;
}
