import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApp } from '../../src/api/create-app';
import { loadConfig } from '../../src/config';
import { ACTIVITY_QUEUES, WORKFLOW_TYPE } from '../../src/shared/temporal-names';
import { MediaStore } from '../../src/storage/media-store';
import { startTestEnv } from '../helpers/temporal-test-env';
import { uniqueName } from '../helpers/unique';
import { bodyCases, paramCases, type Schema } from './request-cases';
import { serveApp, type ServedApp } from './serve-app';

type Operation = {
  parameters?: { name: string; in: string; required?: boolean; schema: Schema }[];
  requestBody?: any;
  responses: Record<string, any>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: object };
};

let env: TestWorkflowEnvironment;
let api: ServedApp;
let taskQueue: string;
let doc: Document;

beforeAll(async () => {
  env = await startTestEnv();
  // No worker polls this queue: started videos stay queued, so the run costs no rendering.
  taskQueue = uniqueName('tq-fuzz');
  const config = loadConfig({
    TASK_QUEUE: taskQueue,
    MEDIA_ROOT: '/nonexistent-media-root',
    TEMPORAL_ADDRESS: env.address,
    CREATE_RATE_LIMIT: '100000',
  });
  api = await serveApp(createApp({ client: env.client, config, store: new MediaStore(config.mediaRoot) }));
  doc = (await (await fetch(`${api.url}/openapi.json`)).json()) as Document;
});
afterAll(async () => {
  await api?.close();
  for await (const w of env.client.workflow.list({
    query: `WorkflowType = '${WORKFLOW_TYPE}' AND TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`,
  })) {
    await env.client.workflow.getHandle(w.workflowId).terminate('test over');
  }
  await env?.teardown();
});

test('health is 503 and names every task queue without a worker', async () => {
  const res = await fetch(`${api.url}/health`);
  const body = (await res.json()) as { ok: boolean; temporal: string; problems: string[] };
  expect(res.status).toBe(503);
  expect(body.ok).toBe(false);
  expect(body.temporal).toBe('reachable');
  expect(body.problems).toHaveLength(1 + ACTIVITY_QUEUES.length);
  expect(body.problems).toContain(`no worker polls the workflow task queue ${taskQueue}`);
  for (const queue of ACTIVITY_QUEUES) {
    expect(body.problems).toContain(`no worker polls the activity task queue ${taskQueue}-${queue}`);
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
      expect(['get', 'post', 'put', 'delete', 'patch']).toContain(method);
      expect(typeof (op as any).operationId).toBe('string');
      expect(operationIds.has((op as any).operationId)).toBe(false);
      operationIds.add((op as any).operationId);
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
    }
  }
  expect(operationIds.size).toBe(12);
});

test('generated requests for every operation, valid and mutated, never get a 5xx nor an undocumented status', async () => {
  const created = await fetch(`${api.url}/api/videos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ source: { type: 'text', title: 'Known', text: 'A video for path parameters.' } }),
  });
  const knownId = ((await created.json()) as { id: string }).id;
  const problems: string[] = [];
  let sent = 0;

  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (template === '/health') continue; // 503 by design here: no workers.
      const bodySchema = op.requestBody?.content?.['application/json']?.schema as Schema | undefined;
      const bodies = bodySchema
        ? bodyCases(bodySchema, doc.components.schemas)
        : [{ name: 'no body', raw: undefined as string | undefined }];
      const params = paramCases(op.parameters ?? [], knownId);
      // Every parameter case with the first (valid) body, every body case with valid parameters.
      const combos = [...params.map((p) => [p, bodies[0]!] as const), ...bodies.slice(1).map((b) => [params[0]!, b] as const)];
      {
        for (const [params, body] of combos) {
          const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => params.path[name] ?? '');
          const query = new URLSearchParams(params.query).toString();
          const controller = new AbortController();
          let status: number;
          try {
            const res = await fetch(`${api.url}${path}${query ? `?${query}` : ''}`, {
              method: method.toUpperCase(),
              headers: { ...(body.raw === undefined ? {} : { 'content-type': body.contentType ?? 'application/json' }), ...params.headers },
              body: body.raw,
              signal: controller.signal,
            });
            status = res.status;
            // Event streams of running videos never end on their own.
            if (res.headers.get('content-type')?.startsWith('text/event-stream')) controller.abort();
            else await res.arrayBuffer();
          } catch (err) {
            problems.push(`${method} ${path} [${params.name} / ${body.name}]: ${(err as Error).message}`);
            continue;
          }
          sent++;
          if (status >= 500 || !(String(status) in op.responses)) {
            problems.push(`${method.toUpperCase()} ${path}?${query} [${params.name} / ${body.name}] -> ${status}`);
          }
        }
      }
    }
  }
  process.stdout.write(`generated requests: ${sent}\n`);
  expect(problems).toEqual([]);
  expect(sent).toBeGreaterThan(300);
});
