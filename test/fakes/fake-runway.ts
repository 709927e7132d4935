/**
 * A stand-in for the Runway API that the real @runwayml/sdk can talk to: POST /v1/text_to_image,
 * POST /v1/image_to_video, GET and DELETE /v1/tasks/{id}, with the Bearer key and the
 * X-Runway-Version header checked. Tasks go PENDING → THROTTLED → RUNNING → SUCCEEDED over a
 * configurable number of polls (or, with `taskDurationMs`, over wall time, as real tasks do), and
 * their outputs are served by the fake itself. Every request is logged with its time, which is
 * what tests assert on: the fake's own record of what was created, deleted and billed.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runwayAssets } from './fake-runway-assets';

export const RUNWAY_API_VERSION = '2024-11-06';

export interface FakeRunwayTask {
  id: string;
  kind: 'image' | 'video';
  model: string;
  promptText: string;
  ratio: string;
  promptImage?: string;
  duration?: number;
  polls: number;
  createdAt: string;
  /** When the task was created and when its id was answered, in ms since the epoch. */
  createdAtMs: number;
  answeredAtMs?: number;
  /** The id never reached the client (a dropped answer, or a 5xx sent after creating it). */
  answerLost?: boolean;
  failure?: { code: string; message: string };
  cancelled: boolean;
}

export type FakeRunwayCreateFailure =
  | { status: 429; retryAfterSec?: number }
  /** `afterCreate`: the task is created (and billed) before the error is answered. */
  | { status: 500 | 502 | 503; afterCreate?: boolean }
  /** The task is created, then the connection is closed without an answer. */
  | { status: 'drop' };

export interface FakeRunwayOptions {
  apiKey?: string;
  pendingPolls?: number;
  throttledPolls?: number;
  runningPolls?: number;
  /** When set, a task's state follows the time since its creation instead of its polls. */
  taskDurationMs?: { image: number; video: number };
  /** Time before a create request is answered. */
  createLatencyMs?: number;
  /** Awaited after a task is created and before its id is answered (a test may kill its client here). */
  beforeAnswer?: (task: FakeRunwayTask) => Promise<void> | void;
}

export interface FakeRunwayRequest {
  method: string;
  path: string;
  status: number | 'dropped';
  /** When the answer left, in ms since the epoch. */
  at: number;
}

export interface FakeRunway {
  url: string;
  tasks: FakeRunwayTask[];
  deletedTaskIds: string[];
  requests: FakeRunwayRequest[];
  /** Credits Runway would bill: every created task that neither failed nor was cancelled before it finished. */
  billedCredits(): number;
  /** The next created task of `kind` ends FAILED with this code once it leaves PENDING. */
  failNextTask(kind: 'image' | 'video', code: string, message?: string): void;
  /** The next create request (either kind) is answered with this error. */
  failNextCreate(failure: FakeRunwayCreateFailure): void;
  /** The next task poll (GET /v1/tasks/{id}) is answered with this status instead of the task. */
  failNextPoll(status: 429 | 500 | 502 | 503): void;
  videoTasksFor(promptText: string): FakeRunwayTask[];
  close(): Promise<void>;
}

const IMAGE_CREDITS = 5;
const VIDEO_CREDITS_PER_SEC = 5;

export async function startFakeRunway(options: FakeRunwayOptions = {}): Promise<FakeRunway> {
  const {
    apiKey = 'test-key',
    pendingPolls = 1,
    throttledPolls = 1,
    runningPolls = 2,
    taskDurationMs,
    createLatencyMs = 0,
    beforeAnswer,
  } = options;
  const assets = await runwayAssets();
  const tasks: FakeRunwayTask[] = [];
  const deletedTaskIds: string[] = [];
  const requests: FakeRunway['requests'] = [];
  const taskFailures: { kind: 'image' | 'video'; code: string; message: string }[] = [];
  const createFailures: FakeRunwayCreateFailure[] = [];
  const pollFailures: number[] = [];
  let baseUrl = '';

  const credits = (t: FakeRunwayTask): number => (t.kind === 'image' ? IMAGE_CREDITS : VIDEO_CREDITS_PER_SEC * (t.duration ?? 10));

  function view(t: FakeRunwayTask): Record<string, unknown> {
    const common = { id: t.id, createdAt: t.createdAt };
    if (t.cancelled) return { ...common, status: 'CANCELLED', cost: { credits: 0 } };
    if (taskDurationMs) return timedView(t, taskDurationMs[t.kind]);
    const estimatedCost = { credits: credits(t) };
    if (t.polls <= pendingPolls) return { ...common, status: 'PENDING', estimatedCost };
    if (t.failure) return { ...common, status: 'FAILED', failure: t.failure.message, failureCode: t.failure.code, cost: { credits: 0 } };
    if (t.polls <= pendingPolls + throttledPolls) return { ...common, status: 'THROTTLED', estimatedCost };
    const run = t.polls - pendingPolls - throttledPolls;
    if (run <= runningPolls) return { ...common, status: 'RUNNING', progress: run / (runningPolls + 1), estimatedCost };
    return { ...common, status: 'SUCCEEDED', output: [output(t)], cost: { credits: credits(t) } };
  }

  function output(t: FakeRunwayTask): string {
    return `${baseUrl}/outputs/${t.id}.${t.kind === 'image' ? 'png' : 'mp4'}`;
  }

  function timedView(t: FakeRunwayTask, durationMs: number): Record<string, unknown> {
    const common = { id: t.id, createdAt: t.createdAt };
    const fraction = (Date.now() - t.createdAtMs) / durationMs;
    if (t.failure && fraction >= 0.5)
      return { ...common, status: 'FAILED', failure: t.failure.message, failureCode: t.failure.code, cost: { credits: 0 } };
    if (fraction < 1)
      return { ...common, status: 'RUNNING', progress: Math.round(fraction * 100) / 100, estimatedCost: { credits: credits(t) } };
    return { ...common, status: 'SUCCEEDED', output: [output(t)], cost: { credits: credits(t) } };
  }

  function finished(t: FakeRunwayTask): boolean {
    const status = view(t).status;
    return status === 'SUCCEEDED' || status === 'FAILED';
  }

  function create(
    kind: 'image' | 'video',
    body: Record<string, unknown>,
  ): { status: number | 'drop'; json: unknown; headers?: Record<string, string>; task?: FakeRunwayTask } {
    const failure = createFailures.shift();
    if (failure?.status === 429) {
      const headers: Record<string, string> = failure.retryAfterSec === undefined ? {} : { 'retry-after': String(failure.retryAfterSec) };
      return { status: 429, json: { error: 'You have exceeded the rate limit.' }, headers };
    }
    if (failure && failure.status !== 'drop' && !failure.afterCreate)
      return { status: failure.status, json: { error: 'An internal error occurred.' } };
    const promptText = typeof body.promptText === 'string' ? body.promptText : '';
    const issues: string[] = [];
    if (typeof body.model !== 'string') issues.push('model is required');
    if (typeof body.ratio !== 'string') issues.push('ratio is required');
    if (kind === 'image' && (promptText.length === 0 || promptText.length > 1000)) issues.push('promptText must be 1-1000 characters');
    if (kind === 'video' && typeof body.promptImage !== 'string') issues.push('promptImage is required');
    if (issues.length > 0) return { status: 400, json: { error: 'Validation of body failed', issues } };
    const programmed = taskFailures.findIndex((f) => f.kind === kind);
    const fail = programmed >= 0 ? taskFailures.splice(programmed, 1)[0] : undefined;
    const task: FakeRunwayTask = {
      id: randomUUID(),
      kind,
      model: body.model as string,
      promptText,
      ratio: body.ratio as string,
      ...(kind === 'video' ? { promptImage: body.promptImage as string, duration: Number(body.duration ?? 10) } : {}),
      polls: 0,
      createdAt: new Date().toISOString(),
      createdAtMs: Date.now(),
      cancelled: false,
      ...(fail ? { failure: { code: fail.code, message: fail.message } } : {}),
    };
    tasks.push(task);
    if (failure) {
      task.answerLost = true;
      if (failure.status === 'drop') return { status: 'drop', json: undefined, task };
      return { status: failure.status, json: { error: 'An internal error occurred.' }, task };
    }
    return { status: 200, json: { id: task.id, estimatedCost: { credits: credits(task) } }, task };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const method = req.method ?? 'GET';
      const send = (status: number, json?: unknown, headers: Record<string, string> = {}): void => {
        requests.push({ method, path, status, at: Date.now() });
        res.writeHead(status, json === undefined ? headers : { 'content-type': 'application/json', ...headers });
        res.end(json === undefined ? undefined : JSON.stringify(json));
      };
      const output = /^\/outputs\/([\w-]+)\.(png|mp4)$/.exec(path);
      if (method === 'GET' && output) {
        requests.push({ method, path, status: 200, at: Date.now() });
        res.writeHead(200, { 'content-type': output[2] === 'png' ? 'image/png' : 'video/mp4' });
        return res.end(output[2] === 'png' ? assets.png : assets.mp4);
      }
      if (req.headers.authorization !== `Bearer ${apiKey}`) return send(401, { error: 'Unauthorized' });
      if (req.headers['x-runway-version'] !== RUNWAY_API_VERSION) {
        return send(400, { error: 'The X-Runway-Version header must be set to a supported API version.' });
      }
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        return send(400, { error: 'Invalid JSON body' });
      }
      if (method === 'POST' && (path === '/v1/text_to_image' || path === '/v1/image_to_video')) {
        const r = create(path === '/v1/text_to_image' ? 'image' : 'video', body);
        const answer = () => {
          if (r.status === 'drop') {
            requests.push({ method, path, status: 'dropped', at: Date.now() });
            return req.socket.destroy();
          }
          if (r.task && r.status === 200) r.task.answeredAtMs = Date.now();
          send(r.status, r.json, r.headers);
        };
        const hook = r.task && beforeAnswer ? Promise.resolve(beforeAnswer(r.task)) : Promise.resolve();
        return void hook.then(() => (createLatencyMs > 0 ? void setTimeout(answer, createLatencyMs) : answer()));
      }
      const taskMatch = /^\/v1\/tasks\/([\w-]+)$/.exec(path);
      const task = taskMatch ? tasks.find((t) => t.id === taskMatch[1] && !deletedTaskIds.includes(t.id)) : undefined;
      if (taskMatch && !task) return send(404, { error: 'Task not found' });
      const pollFailure = task && method === 'GET' ? pollFailures.shift() : undefined;
      if (pollFailure) return send(pollFailure, { error: pollFailure === 429 ? 'Too many requests' : 'An internal error occurred.' });
      if (task && method === 'GET') {
        task.polls += 1;
        return send(200, view(task));
      }
      if (task && method === 'DELETE') {
        // Deleting an unfinished task cancels it (and refunds it); a finished one is simply removed.
        if (!finished(task)) task.cancelled = true;
        deletedTaskIds.push(task.id);
        return send(204);
      }
      send(404, { error: 'Not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    tasks,
    deletedTaskIds,
    requests,
    billedCredits: () => tasks.filter((t) => !t.failure && !t.cancelled).reduce((sum, t) => sum + credits(t), 0),
    failNextTask: (kind, code, message = 'The task failed.') => taskFailures.push({ kind, code, message }),
    failNextCreate: (failure) => createFailures.push(failure),
    failNextPoll: (status) => pollFailures.push(status),
    videoTasksFor: (promptText) => tasks.filter((t) => t.kind === 'video' && t.promptText === promptText),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
