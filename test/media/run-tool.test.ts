import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MediaToolError } from '../../src/media/media-tool-error';
import { runTool, STDERR_TAIL_BYTES } from '../../src/media/run-tool';
import { pidExists, pollUntil } from './media-test-helpers';

describe('runTool', () => {
  it('resolves with the output of a successful command', async () => {
    const { stdout } = await runTool('printf', ['%s|%s', 'a b', '$HOME;rm']);
    // Arguments reach the tool verbatim: no shell splits or expands them.
    expect(stdout).toBe('a b|$HOME;rm');
  });

  it('streams stdout line by line, including a last line without newline', async () => {
    const lines: string[] = [];
    await runTool('printf', ['one\ntwo\nthree'], { onStdoutLine: (l) => lines.push(l) });
    expect(lines).toEqual(['one', 'two', 'three']);
  });

  it('passes input on stdin', async () => {
    const { stdout } = await runTool('cat', [], { input: '-v not an option' });
    expect(stdout).toBe('-v not an option');
  });

  it('rejects a failing ffmpeg with a MediaToolError that quotes its stderr', async () => {
    const error = await runTool('ffmpeg', ['-hide_banner', '-i', '/nonexistent/input.mp4', '-f', 'null', '-']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaToolError);
    const err = error as MediaToolError;
    expect(err.tool).toBe('ffmpeg');
    expect(err.exitCode).not.toBe(0);
    expect(err.stderrTail).toContain('No such file or directory');
    expect(err.message).toContain('No such file or directory');
  });

  it('keeps only the tail of a long stderr', async () => {
    const script = 'i=0; while [ $i -lt 400 ]; do echo "line $i of noise" >&2; i=$((i+1)); done; echo LAST >&2; exit 3';
    const err = (await runTool('sh', ['-c', script]).catch((e: unknown) => e)) as MediaToolError;
    expect(err).toBeInstanceOf(MediaToolError);
    expect(err.exitCode).toBe(3);
    expect(err.stderrTail.length).toBeLessThanOrEqual(STDERR_TAIL_BYTES);
    expect(err.stderrTail).toContain('LAST');
    expect(err.stderrTail).not.toContain('line 0 of noise');
  });

  it('rejects with a MediaToolError when the command does not exist', async () => {
    await expect(runTool('reelflow-no-such-tool', [])).rejects.toBeInstanceOf(MediaToolError);
  });

  it('kills the child and rejects quickly when the signal aborts', async () => {
    const controller = new AbortController();
    let pid: number | undefined;
    const started = Date.now();
    // The shell prints its pid and then becomes `sleep` (exec), so the pid is the sleeping child.
    const run = runTool('sh', ['-c', 'echo $$; exec sleep 30'], {
      signal: controller.signal,
      onStdoutLine: (line) => {
        pid = Number(line);
        controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(pid).toBeGreaterThan(0);
    expect(await pollUntil(() => !pidExists(pid as number), 3000)).toBe(true);
  });

  it('rejects with the abort reason when one is given', async () => {
    const controller = new AbortController();
    const reason = new Error('scene cancelled');
    setTimeout(() => controller.abort(reason), 50);
    await expect(runTool('sleep', ['30'], { signal: controller.signal })).rejects.toBe(reason);
  });

  it('does not start the tool when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(runTool('sleep', ['30'], { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('kills a tool that ignores SIGTERM once the grace period is over', async () => {
    const controller = new AbortController();
    let pid: number | undefined;
    const run = runTool('sh', ['-c', 'trap "" TERM; echo $$; while :; do sleep 0.1; done'], {
      signal: controller.signal,
      onStdoutLine: (line) => {
        pid = Number(line);
        controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(await pollUntil(() => !pidExists(pid as number), 3000)).toBe(true);
  });

  it('kills the tool and rejects when it runs past timeoutMs', async () => {
    const started = Date.now();
    const err = (await runTool('sleep', ['30'], { timeoutMs: 200 }).catch((e: unknown) => e)) as MediaToolError;
    expect(err).toBeInstanceOf(MediaToolError);
    expect(err.message).toContain('timed out');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('runs in a process group of its own, so a Ctrl-C meant for the worker does not reach it', async () => {
    const pgidOf = (pid: string) => execFileSync('ps', ['-o', 'pgid=', '-p', pid], { encoding: 'utf8' }).trim();
    const { stdout } = await runTool('sh', ['-c', 'ps -o pgid= -p $$']);
    expect(stdout.trim()).not.toBe(pgidOf(String(process.pid)));
  });

  it('starts a tool once more when a stray SIGINT killed it at once, before it said anything', async () => {
    // The first start dies of SIGINT at once and silently, as one caught between fork and setsid does.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'run-tool-'));
    try {
      const marker = path.join(dir, 'started-once');
      const script = `if [ ! -e "${marker}" ]; then : > "${marker}"; kill -INT $$; fi; echo ran`;
      const { stdout } = await runTool('sh', ['-c', script]);
      expect(stdout).toBe('ran\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does not start again a tool that was killed by a signal after it had begun its work', async () => {
    const err = (await runTool('sh', ['-c', 'echo working >&2; kill -INT $$']).catch((e: unknown) => e)) as MediaToolError;
    expect(err).toBeInstanceOf(MediaToolError);
    expect(err.message).toContain('was terminated');
  });
});
