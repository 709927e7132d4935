/**
 * A stand-in for the Runway API that the real @runwayml/sdk can talk to: POST /v1/text_to_image,
 * POST /v1/image_to_video, GET and DELETE /v1/tasks/{id}, with the Bearer key and the
 * X-Runway-Version header checked. Tasks go PENDING → THROTTLED → RUNNING → SUCCEEDED over a
 * configurable number of polls, and their outputs are served by the fake itself.
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
  failure?: { code: string; message: string };
  cancelled: boolean;
}

export type FakeRunwayCreateFailure = { status: 429; retryAfterSec?: number } | { status: 500 | 502 | 503 };

export interface FakeRunwayOptions {
  apiKey?: string;
  pendingPolls?: number;
  throttledPolls?: number;
  runningPolls?: number;
}

export interface FakeRunway {
  url: string;
  tasks: FakeRunwayTask[];
  deletedTaskIds: string[];
  requests: { method: string; path: string; status: number }[];
  /** The next created task of `kind` ends FAILED with this code once it leaves PENDING. */
  failNextTask(kind: 'image' | 'video', code: string, message?: string): void;
  /** The next create request (either kind) is answered with this error. */
  failNextCreate(failure: FakeRunwayCreateFailure): void;
  videoTasksFor(promptText: string): FakeRunwayTask[];
  close(): Promise<void>;
}

const IMAGE_CREDITS = 5;
const VIDEO_CREDITS_PER_SEC = 5;

export async function startFakeRunway(options: FakeRunwayOptions = {}): Promise<FakeRunway> {
  const { apiKey = 'test-key', pendingPolls = 1, throttledPolls = 1, runningPolls = 2 } = options;
  const assets = await runwayAssets();
  const tasks: FakeRunwayTask[] = [];
  const deletedTaskIds: string[] = [];
  const requests: FakeRunway['requests'] = [];
  const taskFailures: { kind: 'image' | 'video'; code: string; message: string }[] = [];
  const createFailures: FakeRunwayCreateFailure[] = [];
  let baseUrl = '';

  const credits = (t: FakeRunwayTask): number => (t.kind === 'image' ? IMAGE_CREDITS : VIDEO_CREDITS_PER_SEC * (t.duration ?? 10));

  function view(t: FakeRunwayTask): Record<string, unknown> {
    const common = { id: t.id, createdAt: t.createdAt };
    if (t.cancelled) return { ...common, status: 'CANCELLED', cost: { credits: 0 } };
    const estimatedCost = { credits: credits(t) };
    if (t.polls <= pendingPolls) return { ...common, status: 'PENDING', estimatedCost };
    if (t.failure) return { ...common, status: 'FAILED', failure: t.failure.message, failureCode: t.failure.code, cost: { credits: 0 } };
    if (t.polls <= pendingPolls + throttledPolls) return { ...common, status: 'THROTTLED', estimatedCost };
    const run = t.polls - pendingPolls - throttledPolls;
    if (run <= runningPolls) return { ...common, status: 'RUNNING', progress: run / (runningPolls + 1), estimatedCost };
    const ext = t.kind === 'image' ? 'png' : 'mp4';
    return { ...common, status: 'SUCCEEDED', output: [`${baseUrl}/outputs/${t.id}.${ext}`], cost: { credits: credits(t) } };
  }

  function create(
    kind: 'image' | 'video',
    body: Record<string, unknown>,
  ): { status: number; json: unknown; headers?: Record<string, string> } {
    const failure = createFailures.shift();
    if (failure?.status === 429) {
      const headers: Record<string, string> = failure.retryAfterSec === undefined ? {} : { 'retry-after': String(failure.retryAfterSec) };
      return { status: 429, json: { error: 'You have exceeded the rate limit.' }, headers };
    }
    if (failure) return { status: failure.status, json: { error: 'An internal error occurred.' } };
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
      cancelled: false,
      ...(fail ? { failure: { code: fail.code, message: fail.message } } : {}),
    };
    tasks.push(task);
    return { status: 200, json: { id: task.id, estimatedCost: { credits: credits(task) } } };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const method = req.method ?? 'GET';
      const send = (status: number, json?: unknown, headers: Record<string, string> = {}): void => {
        requests.push({ method, path, status });
        res.writeHead(status, json === undefined ? headers : { 'content-type': 'application/json', ...headers });
        res.end(json === undefined ? undefined : JSON.stringify(json));
      };
      const output = /^\/outputs\/([\w-]+)\.(png|mp4)$/.exec(path);
      if (method === 'GET' && output) {
        requests.push({ method, path, status: 200 });
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
        return send(r.status, r.json, r.headers);
      }
      const taskMatch = /^\/v1\/tasks\/([\w-]+)$/.exec(path);
      const task = taskMatch ? tasks.find((t) => t.id === taskMatch[1] && !deletedTaskIds.includes(t.id)) : undefined;
      if (taskMatch && !task) return send(404, { error: 'Task not found' });
      if (task && method === 'GET') {
        task.polls += 1;
        return send(200, view(task));
      }
      if (task && method === 'DELETE') {
        const status = view({ ...task, polls: task.polls }).status;
        // Deleting an unfinished task cancels it; a finished one is simply removed.
        if (status !== 'SUCCEEDED' && status !== 'FAILED') task.cancelled = true;
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
    failNextTask: (kind, code, message = 'The task failed.') => taskFailures.push({ kind, code, message }),
    failNextCreate: (failure) => createFailures.push(failure),
    videoTasksFor: (promptText) => tasks.filter((t) => t.kind === 'video' && t.promptText === promptText),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
