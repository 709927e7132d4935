/**
 * The OpenAPI document as a contract, checked from outside in three conditions: no worker, a
 * worker, and Temporal down. Every request is derived from the document alone (fixed valid and
 * mutated cases, then fast-check draws), and every answer must be one the document lists for its
 * operation: the status, the content type, the body against its JSON Schema, required headers.
 * A 5xx is allowed only as the documented 503 of the outage the condition has.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import fc from 'fast-check';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApp } from '../../src/api/create-app';
import { loadConfig, type Config } from '../../src/config';
import { ACTIVITY_QUEUES, WORKFLOW_TYPE } from '../../src/shared/temporal-names';
import { LocalArtifactStore } from '../../src/storage/local-artifact-store';
import { connectClient } from '../../src/temporal-connection/connect';
import { pollUntil } from '../helpers/poll';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';
import { startVideoStack, type VideoStack } from '../helpers/video-stack';
import { bodyCases, paramCases, requestArbitrary, type GeneratedRequest, type Schema } from './request-cases';
import { serveApp } from './serve-app';

type Operation = {
  operationId: string;
  parameters?: { name: string; in: string; required?: boolean; schema: Schema }[];
  requestBody?: any;
  responses: Record<string, { description: string; content?: Record<string, unknown>; headers?: Record<string, any> }>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: object };
};

/** fast-check draws per operation and condition, on top of the fixed cases. */
const DRAWS_PER_OPERATION = 25;
/** Answers in an outage come within the API's 3 s deadlines, plus the SDK's retry backoff and a margin. */
const OUTAGE_ANSWER_MS = 7_000;
const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

/** Rate limits and stream caps out of the way, so every request reaches its route. */
const OPEN_LIMITS = {
  CREATE_RATE_LIMIT: '100000',
  READ_RATE_LIMIT: '100000',
  SSE_MAX_STREAMS_PER_TENANT: '100000',
  SSE_MAX_STREAMS: '100000',
  HEALTH_CACHE_SEC: '0',
  TENANT_MAX_RUNNING: '0',
  // A batch the fuzz starts is terminated at once; one video of it at a time keeps that cheap.
  BATCH_CONCURRENCY: '1',
};

let env: TestWorkflowEnvironment;
/** Set once a test has stopped the server on purpose; it is not stopped twice. */
let serverStopped = false;
let doc: Document;
const reports: string[] = [];

const appConfig = (taskQueue: string, extra: Record<string, string> = {}): Config =>
  loadConfig({ TASK_QUEUE: taskQueue, MEDIA_ROOT: '/nonexistent-media-root', TEMPORAL_ADDRESS: env.address, ...OPEN_LIMITS, ...extra });

const createBody = (options: object) =>
  JSON.stringify({ source: { type: 'text', title: 'Bees', text: 'Bees dance.\n\nThe angle points at food.' }, options });

async function createVideo(apiUrl: string, options: object): Promise<string> {
  const res = await fetch(`${apiUrl}/api/videos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: createBody(options),
  });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

const statusOf = async (apiUrl: string, id: string) =>
  (await (await fetch(`${apiUrl}/api/videos/${id}`)).json()) as { status: string; stage: string; stale?: boolean };

beforeAll(async () => {
  env = await startTestEnv();
  const taskQueue = uniqueName('tq-doc');
  const api = await serveApp(
    createApp({ client: env.client, config: appConfig(taskQueue), store: new LocalArtifactStore('/nonexistent') }),
  );
  doc = (await (await fetch(`${api.url}/openapi.json`)).json()) as Document;
  await api.close();
});
afterAll(async () => {
  process.stdout.write(`OpenAPI fuzz (seed ${seed}):\n${reports.join('\n')}\n`);
  if (!serverStopped) await env?.teardown();
});

/** Validates answers against the document, with JSON Schema 2020-12 (OpenAPI 3.1's dialect). */
class Contract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(document: Document) {
    this.ajv.addSchema(document, 'openapi.json');
  }

  /** The validator of the schema at `segments` inside the document. */
  private validator(segments: string[]): ValidateFunction {
    const pointer = segments.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.getSchema(`openapi.json#/${pointer}`)!;
      this.validators.set(pointer, validate);
    }
    return validate;
  }

  /** What is wrong with an answer, or undefined when the document lists it. */
  check(
    at: { template: string; method: string; op: Operation },
    res: { status: number; headers: Headers; body: string },
    unavailableCodes: string[],
  ): string | undefined {
    const code = String(res.status);
    const documented = at.op.responses[code];
    if (!documented) return `status ${code} is not documented (${res.body.slice(0, 160)})`;
    const where = ['paths', at.template, at.method, 'responses', code];
    for (const [name, header] of Object.entries(documented.headers ?? {})) {
      const value = res.headers.get(name);
      if (value === null) {
        if (header.required) return `required header ${name} is missing`;
        continue;
      }
      const typed = /^-?\d+$/.test(value) && header.schema?.type === 'integer' ? Number(value) : value;
      if (header.schema && !this.validator([...where, 'headers', name, 'schema'])(typed))
        return `header ${name}: ${value} breaks its schema`;
    }
    const mediaTypes = Object.keys(documented.content ?? {});
    const mediaType = res.headers.get('content-type')?.split(';')[0]?.trim();
    if (mediaTypes.length === 0) return res.body.length > 0 ? `a body where none is documented: ${res.body.slice(0, 160)}` : undefined;
    if (!mediaType || !mediaTypes.includes(mediaType)) return `content-type ${mediaType} is not one of ${mediaTypes.join(', ')}`;
    if (mediaType !== 'application/json') return undefined;
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      return `invalid JSON: ${res.body.slice(0, 160)}`;
    }
    const validate = this.validator([...where, 'content', mediaType, 'schema']);
    if (!validate(body)) return `body breaks its schema: ${this.ajv.errorsText(validate.errors)}: ${res.body.slice(0, 200)}`;
    if (res.status >= 500) {
      const errorCode = (body as { error?: { code?: string } }).error?.code;
      // Health reports have their own 503 body; every other 5xx must be this condition's outage.
      if (errorCode !== undefined && !unavailableCodes.includes(errorCode)) return `${code} ${errorCode} in this condition`;
      if (res.status !== 503) return `${code} is a server fault`;
    }
    return undefined;
  }
}

interface Condition {
  name: string;
  apiUrl: string;
  /** Videos the valid path parameters name, in the states this condition should cover. */
  knownIds: string[];
  /** Error codes a 503 may carry here; none when everything is up. */
  unavailableCodes: string[];
  /** Requests in flight at once. */
  concurrency: number;
  /** Told of each video a request started, e.g. to stop it before it renders. */
  onCreated?: (id: string) => Promise<void>;
}

interface Outcome {
  sent: number;
  problems: string[];
  byStatus: Record<string, number>;
  slowestMs: number;
  slowest: string;
}

interface PlannedRequest {
  template: string;
  method: string;
  op: Operation;
  name: string;
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  body?: { raw: string | undefined; contentType?: string };
}

/** GETs first, then PUTs, then POSTs, so a known video is read and edited before it is approved or cancelled. */
const METHOD_ORDER = ['get', 'put', 'post', 'patch', 'delete'];

function plan(knownIds: string[]): PlannedRequest[] {
  const operations = Object.entries(doc.paths)
    .flatMap(([template, item]) => Object.entries(item).map(([method, op]) => ({ template, method, op })))
    .sort((a, b) => METHOD_ORDER.indexOf(a.method) - METHOD_ORDER.indexOf(b.method) || a.template.localeCompare(b.template));
  const requests: PlannedRequest[] = [];
  for (const { template, method, op } of operations) {
    const fill = (path: Record<string, string>, encode: boolean) =>
      template.replace(/\{(\w+)\}/g, (_m, name: string) => (encode ? encodeURIComponent(path[name] ?? '') : (path[name] ?? '')));
    const bodySchema = op.requestBody?.content?.['application/json']?.schema as Schema | undefined;
    const bodies = bodySchema ? bodyCases(bodySchema, doc.components.schemas) : [{ name: 'no body', raw: undefined as string | undefined }];
    const params = paramCases(op.parameters ?? [], knownIds);
    // Every parameter case with the first (valid) body, every other body case with valid parameters.
    const combos = [...params.map((p) => [p, bodies[0]!] as const), ...bodies.slice(1).map((b) => [params[0]!, b] as const)];
    for (const [p, body] of combos) {
      requests.push({
        template,
        method,
        op,
        name: `${p.name} / ${body.name}`,
        path: fill(p.path, false),
        query: p.query,
        headers: p.headers,
        body,
      });
    }
    const draws = fc.sample(requestArbitrary(op, doc.components.schemas, knownIds), { numRuns: DRAWS_PER_OPERATION, seed });
    draws.forEach((r: GeneratedRequest, i) =>
      requests.push({
        template,
        method,
        op,
        name: `draw #${i}`,
        path: fill(r.path, true),
        query: r.query,
        headers: r.headers,
        body: r.body,
      }),
    );
  }
  return requests;
}

async function fuzz(condition: Condition): Promise<Outcome> {
  const contract = new Contract(doc);
  const outcome: Outcome = { sent: 0, problems: [], byStatus: {}, slowestMs: 0, slowest: '' };
  const queue = plan(condition.knownIds);
  const send = async (r: PlannedRequest) => {
    const query = new URLSearchParams(r.query).toString();
    const label = `${r.method.toUpperCase()} ${r.path}${query ? `?${query}` : ''} [${r.name}]`.slice(0, 300);
    const controller = new AbortController();
    const started = Date.now();
    let res: Response;
    let body = '';
    try {
      res = await fetch(`${condition.apiUrl}${r.path}${query ? `?${query}` : ''}`, {
        method: r.method.toUpperCase(),
        headers: { ...(r.body?.raw === undefined ? {} : { 'content-type': r.body.contentType ?? 'application/json' }), ...r.headers },
        body: r.body?.raw,
        signal: controller.signal,
      });
      // Event streams of running videos never end on their own; their headers are the answer.
      if (res.headers.get('content-type')?.startsWith('text/event-stream')) controller.abort();
      else body = await res.text();
    } catch (err) {
      outcome.problems.push(`${label}: ${(err as Error).message}`);
      return;
    }
    const elapsed = Date.now() - started;
    outcome.sent++;
    if (elapsed > outcome.slowestMs) Object.assign(outcome, { slowestMs: elapsed, slowest: `${label} -> ${res.status}` });
    outcome.byStatus[res.status] = (outcome.byStatus[res.status] ?? 0) + 1;
    const problem = contract.check(r, { status: res.status, headers: res.headers, body }, condition.unavailableCodes);
    if (problem) outcome.problems.push(`${label} -> ${res.status}: ${problem}`);
    if (r.method === 'post' && !r.template.includes('{') && res.status < 300) {
      const id = (JSON.parse(body) as { id?: string }).id;
      if (id) await condition.onCreated?.(id);
    }
  };
  await Promise.all(
    Array.from({ length: condition.concurrency }, async () => {
      for (let r = queue.shift(); r; r = queue.shift()) await send(r);
    }),
  );
  const statuses = Object.entries(outcome.byStatus)
    .map(([s, n]) => `${s}×${n}`)
    .join(' ');
  reports.push(
    `  ${condition.name}: ${outcome.sent} requests, ${outcome.problems.length} problems, slowest ${outcome.slowestMs} ms (${outcome.slowest}); ${statuses}`,
  );
  return outcome;
}

async function terminateQueue(client: Client, taskQueue: string): Promise<void> {
  for await (const w of client.workflow.list({
    query: `WorkflowType = '${WORKFLOW_TYPE}' AND TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`,
  })) {
    await client.workflow
      .getHandle(w.workflowId)
      .terminate('test over')
      .catch(() => undefined);
  }
}

test('health is 503 and names every task queue without a worker', async () => {
  const taskQueue = uniqueName('tq-fuzz-health');
  const api = await serveApp(
    createApp({ client: env.client, config: appConfig(taskQueue), store: new LocalArtifactStore('/nonexistent') }),
  );
  try {
    const res = await fetch(`${api.url}/health`);
    const body = (await res.json()) as { ok: boolean; temporal: string; problems: string[] };
    expect(res.status).toBe(503);
    expect(body).toMatchObject({ ok: false, temporal: 'reachable' });
    expect(body.problems).toHaveLength(1 + ACTIVITY_QUEUES.length);
    expect(body.problems).toContain(`no worker polls the workflow task queue ${taskQueue}`);
    for (const queue of ACTIVITY_QUEUES) {
      expect(body.problems).toContain(`no worker polls the activity task queue ${taskQueue}-${queue}`);
    }
  } finally {
    await api.close();
  }
});

test('the OpenAPI document is structurally valid 3.1: ids, parameters, responses and every $ref resolve', () => {
  expect(doc.openapi).toBe('3.1.0');
  const operationIds = new Set<string>();
  const refs: string[] = [];
  JSON.stringify(doc, (key, value: unknown) => {
    if (key === '$ref') refs.push(value as string);
    return value;
  });
  for (const r of refs) {
    expect(r).toMatch(/^#\/components\/schemas\//);
    expect(doc.components.schemas[r.split('/').pop()!]).toBeDefined();
  }
  for (const [path, item] of Object.entries(doc.paths)) {
    const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(item)) {
      expect(['get', 'put', 'post', 'delete', 'patch']).toContain(method);
      expect(typeof op.operationId).toBe('string');
      expect(operationIds.has(op.operationId)).toBe(false);
      operationIds.add(op.operationId);
      expect(Object.keys(op.responses).length).toBeGreaterThan(0);
      for (const [code, response] of Object.entries(op.responses)) {
        expect(code).toMatch(/^[1-5]\d\d$/);
        expect(typeof response.description).toBe('string');
      }
      for (const p of op.parameters ?? []) {
        expect(['path', 'query', 'header', 'cookie']).toContain(p.in);
        expect(p.schema).toEqual(expect.any(Object));
        if (p.in === 'path') expect(p.required).toBe(true);
      }
      expect((op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name)).toEqual(pathParams);
      // Every route that asks Temporal documents the 503 of an outage, with its retry hint (uploads only touch the store).
      if (path.startsWith('/api/') && path !== '/api/health' && !path.startsWith('/api/uploads')) {
        expect(op.responses['503']?.headers?.['Retry-After']?.required).toBe(true);
      }
    }
  }
  expect(operationIds.size).toBeGreaterThanOrEqual(12);
});

test('no worker: every answer is documented; a started video reads stale, its script routes 503, health 503', async () => {
  const taskQueue = uniqueName('tq-fuzz-none');
  const config = appConfig(taskQueue);
  const api = await serveApp(createApp({ client: env.client, config, store: new LocalArtifactStore(config.mediaRoot) }));
  try {
    // A video that reached review while a worker ran, then lost it; and one no worker ever took.
    const stack = await startVideoStack(env, { taskQueue });
    const orphan = await createVideo(api.url, { review: true, maxScenes: 2 });
    await pollUntil(
      () => statusOf(api.url, orphan),
      (s) => s.stage === 'awaiting_review',
    );
    await stack.stop();
    const queued = await createVideo(api.url, {});
    expect(await statusOf(api.url, orphan)).toMatchObject({ status: 'running', stage: 'awaiting_review', stale: true });
    expect(await statusOf(api.url, queued)).not.toHaveProperty('stale');
    expect(await statusOf(api.url, queued)).toMatchObject({ status: 'queued', stage: 'queued' });

    const outcome = await fuzz({
      name: 'no worker',
      apiUrl: api.url,
      knownIds: [orphan, queued],
      unavailableCodes: ['worker_unavailable'],
      // Each question to the orphan waits about 2 s for Temporal to say no worker is there.
      concurrency: 8,
    });
    expect(outcome.problems).toEqual([]);
    expect(outcome.sent).toBeGreaterThan(500);
    expect(outcome.byStatus['503']).toBeGreaterThan(0);
    expect(outcome.slowestMs).toBeLessThan(OUTAGE_ANSWER_MS);
  } finally {
    await api.close();
    await terminateQueue(env.client, taskQueue);
  }
}, 400_000);

test('with a worker: every answer is documented and none is a 5xx', async () => {
  let stack: VideoStack | undefined;
  try {
    stack = await startVideoStack(env, { api: true, env: OPEN_LIMITS });
    const apiUrl = stack.apiUrl;
    await pollUntil(
      async () => (await fetch(`${apiUrl}/health`)).status,
      (status) => status === 200,
    );
    // A completed video (its MP4 and ranges) and one waiting in review (its script routes).
    const completed = await createVideo(apiUrl, { maxScenes: 2 });
    const inReview = await createVideo(apiUrl, { review: true, maxScenes: 2 });
    await pollUntil(
      () => statusOf(apiUrl, completed),
      (s) => s.status === 'completed',
      120_000,
    );
    await pollUntil(
      () => statusOf(apiUrl, inReview),
      (s) => s.stage === 'awaiting_review',
      60_000,
    );

    // Videos the fuzz starts are stopped at once, so the run stays short.
    const client = env.client;
    const outcome = await fuzz({
      name: 'with a worker',
      apiUrl,
      knownIds: [completed, inReview],
      unavailableCodes: [],
      concurrency: 1,
      onCreated: async (id) => {
        await client.workflow
          .getHandle(id)
          .terminate('fuzz')
          .catch(() => undefined);
        // A schedule would go on starting videos.
        await client.schedule
          .getHandle(id)
          .delete()
          .catch(() => undefined);
      },
    });
    expect(outcome.problems).toEqual([]);
    expect(outcome.sent).toBeGreaterThan(500);
    expect(Object.keys(outcome.byStatus).filter((s) => Number(s) >= 500)).toEqual([]);
    expect(outcome.byStatus['200']).toBeGreaterThan(0);
    expect(outcome.byStatus['206']).toBeGreaterThan(0);
  } finally {
    if (stack) await terminateQueue(env.client, stack.taskQueue);
    await stack?.stop();
  }
}, 400_000);

test('Temporal down: every route that needs it answers a documented 503 with Retry-After within seconds', async () => {
  const taskQueue = uniqueName('tq-fuzz-down');
  const config = appConfig(taskQueue);
  // The API's own connection, as `npm run api` opens it; the test server's closes with it.
  const connection = await connectClient(config);
  const client = new Client({ connection, namespace: config.temporal.namespace });
  const api = await serveApp(createApp({ client, config, store: new LocalArtifactStore(config.mediaRoot) }));
  try {
    const known = await createVideo(api.url, {});
    serverStopped = true;
    await env.teardown();
    const outcome = await fuzz({
      name: 'Temporal down',
      apiUrl: api.url,
      knownIds: [known],
      unavailableCodes: ['temporal_unavailable'],
      concurrency: 16,
    });
    expect(outcome.problems).toEqual([]);
    expect(outcome.sent).toBeGreaterThan(500);
    expect(outcome.byStatus['503']).toBeGreaterThan(0);
    expect(outcome.slowestMs).toBeLessThan(OUTAGE_ANSWER_MS);
  } finally {
    await api.close();
    await connection.close();
  }
}, 400_000);
