/**
 * Request generation for the OpenAPI test, all derived from the document's JSON Schemas: fixed
 * cases (valid values, then mutations of them: wrong types, missing and extra fields, huge and odd
 * strings, negative and huge numbers, deep nesting, broken JSON, odd path, query and header
 * values), and fast-check arbitraries that draw random requests, valid and mutated, per operation.
 */
import fc from 'fast-check';

export interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  additionalProperties?: boolean | Schema;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const PATTERN_SAMPLES = ['12345', 'en-us', 'video-1', 'abc'];
const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\u202e💥𝔘 é',
  '\ud800',
  '<script>alert(1)</script>',
  "'; DROP TABLE x; --",
  '../../etc/passwd',
  'a'.repeat(60_000),
];
const ODD_VALUES: Json[] = [null, 0, -1, -1e308, 1e308, 1.5, true, [], {}, 'x', ...ODD_STRINGS];

function resolve(schema: Schema, components: Record<string, Schema>): Schema {
  return schema.$ref ? resolve(components[schema.$ref.split('/').pop()!] ?? {}, components) : schema;
}

/** One valid value per union branch, each with only required properties and with all of them. */
export function validValues(schema: Schema, components: Record<string, Schema>, full = true): Json[] {
  const s = resolve(schema, components);
  const branches = s.oneOf ?? s.anyOf;
  if (branches) return branches.flatMap((b) => validValues(b, components, full));
  if (s.const !== undefined) return [s.const as Json];
  if (s.enum) return [s.enum[0] as Json];
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': {
      const variants = full ? [false, true] : [false];
      return variants.flatMap((all) => {
        let objects: Record<string, Json>[] = [{}];
        for (const [key, prop] of Object.entries(s.properties ?? {})) {
          if (!all && !s.required?.includes(key)) continue;
          const values = validValues(prop, components, false);
          objects = objects.flatMap((o) => values.slice(0, 2).map((v) => ({ ...o, [key]: v })));
        }
        return objects;
      });
    }
    case 'array':
      return [
        Array.from({ length: Math.max(1, s.minItems ?? 0) }, (_v, i) =>
          withIndex(validValues(s.items ?? {}, components, false)[0] ?? null, i),
        ),
      ];
    case 'integer':
    case 'number':
      return [Math.max(s.minimum ?? 1, Math.min(s.maximum ?? 2, 2))];
    case 'boolean':
      return [true];
    case 'string': {
      const regex = s.pattern ? new RegExp(s.pattern) : undefined;
      const sample = PATTERN_SAMPLES.find((p) => !regex || regex.test(p)) ?? 'a';
      return [sample.padEnd(s.minLength ?? 0, 'a')];
    }
    default:
      return ['x'];
  }
}

/** Array items that carry an `index` (script scenes) must count up from 0. */
const withIndex = (value: Json, i: number): Json =>
  value && typeof value === 'object' && !Array.isArray(value) && 'index' in value ? { ...value, index: i } : value;

function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function setAt(value: Json, path: (string | number)[], next: Json | undefined): Json {
  if (path.length === 0) return next ?? null;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
  if (rest.length === 0 && next === undefined) delete copy[head];
  else copy[head] = setAt(copy[head] as Json, rest, next);
  return copy as Json;
}

export interface BodyCase {
  name: string;
  raw: string | undefined;
  contentType?: string;
}

/** Valid bodies first (the first is the one other cases start from), then mutated ones. */
export function bodyCases(schema: Schema, components: Record<string, Schema>): BodyCase[] {
  const valid = validValues(schema, components);
  const base = valid[0] ?? {};
  const cases: BodyCase[] = valid.map((v, i) => ({ name: `valid #${i}`, raw: JSON.stringify(v) }));
  for (const path of paths(base)) {
    const where = path.join('.') || '(root)';
    for (const odd of ODD_VALUES)
      cases.push({ name: `${where} = ${JSON.stringify(odd).slice(0, 20)}`, raw: JSON.stringify(setAt(base, path, odd)) });
    if (path.length > 0) cases.push({ name: `${where} removed`, raw: JSON.stringify(setAt(base, path, undefined)) });
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    cases.push({ name: `${where} deeply nested`, raw: JSON.stringify(setAt(base, path, '__DEEP__')).replace('"__DEEP__"', deep) });
  }
  for (const extra of ['extra', '__proto__', 'constructor']) {
    cases.push({ name: `extra field ${extra}`, raw: JSON.stringify(base).replace(/^\{/, `{"${extra}":{"polluted":true},`) });
  }
  cases.push(
    { name: 'huge body', raw: JSON.stringify(setAt(base, [], { pad: 'a'.repeat(300_000) })) },
    { name: 'empty', raw: '' },
    { name: 'broken JSON', raw: '{"source": ' },
    { name: 'JSON null', raw: 'null' },
    { name: 'JSON string', raw: '"text"' },
    { name: 'as text/plain', raw: JSON.stringify(base), contentType: 'text/plain' },
    { name: 'as form data', raw: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' },
    { name: 'charset latin1', raw: JSON.stringify(base), contentType: 'application/json; charset=latin1' },
  );
  return cases;
}

export interface ParamCase {
  name: string;
  path: Record<string, string>;
  query: [string, string][];
  headers: Record<string, string>;
}

const ODD_IDS = [
  'video-unknown',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e',
  '..',
  'a'.repeat(3000),
  '%F0%9F%92%A5',
  '%00',
  '-1',
  '%20',
  'video-1%3Fx%3D1',
];
const ODD_QUERY = ['', '-1', '0', '1e309', '999999999999', 'abc', '💥', '\u0000', 'a'.repeat(5000)];
const ODD_HEADERS = ['', 'x', 'a'.repeat(300), 'a'.repeat(6000), 'bytes=0-1', 'bytes=-5', 'bytes=99999999-', 'sha256=zz'];

/** A valid set of parameters for each known video first, then one odd value at a time. */
export function paramCases(parameters: { name: string; in: string; schema: Schema }[], knownIds: string[]): ParamCase[] {
  const withId = (id: string): ParamCase => ({
    name: `valid ${id.slice(0, 14)}`,
    path: Object.fromEntries(parameters.filter((p) => p.in === 'path').map((p) => [p.name, id])),
    query: [],
    headers: {},
  });
  const hasPath = parameters.some((p) => p.in === 'path');
  const valids = hasPath ? knownIds.map(withId) : [{ ...withId(''), name: 'valid' }];
  const valid = valids[0]!;
  const cases = [...valids];
  for (const p of parameters) {
    if (p.in === 'path')
      for (const id of ODD_IDS) cases.push({ ...valid, name: `${p.name}=${id.slice(0, 20)}`, path: { ...valid.path, [p.name]: id } });
    if (p.in === 'query') {
      const good = JSON.stringify(validValues(p.schema, {})[0]).replace(/^"|"$/g, '');
      const values = [good, ...ODD_QUERY];
      for (const v of values) cases.push({ ...valid, name: `?${p.name}=${v.slice(0, 20)}`, query: [[p.name, v]] });
      cases.push({
        ...valid,
        name: `?${p.name} twice`,
        query: [
          [p.name, good],
          [p.name, good],
        ],
      });
    }
    if (p.in === 'header')
      for (const v of ODD_HEADERS) cases.push({ ...valid, name: `${p.name}: ${v.slice(0, 20)}`, headers: { [p.name]: v } });
  }
  return cases;
}

/** One generated request: values to put in the path, the query, the headers and the body. */
export interface GeneratedRequest {
  path: Record<string, string>;
  query: [string, string][];
  headers: Record<string, string>;
  body?: { raw: string; contentType: string };
}

/** Strings longer than this are drawn only up to it: a bound on what each request costs. */
const MAX_DRAWN_LENGTH = 80;
/** Header values a client can send at all: visible ASCII and spaces inside. */
const headerValue = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,60}[\x21-\x7e])?$/);

/** Values that satisfy `schema` (refinements JSON Schema cannot state, like word counts, aside). */
export function validArbitrary(schema: Schema, components: Record<string, Schema>): fc.Arbitrary<Json> {
  const s = resolve(schema, components);
  const branches = s.oneOf ?? s.anyOf;
  if (branches) return fc.oneof(...branches.map((b) => validArbitrary(b, components)));
  if (s.const !== undefined) return fc.constant(s.const as Json);
  if (s.enum) return fc.constantFrom(...(s.enum as Json[]));
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': {
      const properties = Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, validArbitrary(v, components)]));
      return fc.record(properties, { requiredKeys: s.required ?? [] });
    }
    case 'array': {
      const minLength = s.minItems ?? 0;
      return fc
        .array(validArbitrary(s.items ?? {}, components), { minLength, maxLength: Math.min(s.maxItems ?? minLength + 3, minLength + 3) })
        .map((items) => items.map(withIndex));
    }
    case 'integer':
      return fc.integer({ min: Math.max(s.minimum ?? -1e9, -1e9), max: Math.min(s.maximum ?? 1e9, 1e9) });
    case 'number':
      return fc.double({ min: s.minimum ?? -1e9, max: s.maximum ?? 1e9, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'string': {
      const minLength = s.minLength ?? 0;
      const maxLength = Math.min(s.maxLength ?? MAX_DRAWN_LENGTH, Math.max(minLength, MAX_DRAWN_LENGTH));
      const text = s.pattern
        ? fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length >= minLength && v.length <= (s.maxLength ?? Infinity))
        : fc.string({ minLength, maxLength, unit: 'grapheme' });
      // Leading and trailing blanks are trimmed before length checks; keep valid values valid.
      return text.filter((v) => v.trim().length >= minLength);
    }
    default:
      return fc.jsonValue() as fc.Arbitrary<Json>;
  }
}

/** A valid value with one place in it (or the whole of it) replaced by any JSON value. */
function mutatedArbitrary(schema: Schema, components: Record<string, Schema>): fc.Arbitrary<Json> {
  return fc
    .tuple(validArbitrary(schema, components), fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>, fc.nat(), fc.boolean())
    .map(([value, junk, n, remove]) => {
      const all = paths(value);
      const at = all[n % all.length]!;
      return setAt(value, at, remove && at.length > 0 ? undefined : junk);
    });
}

/** Random requests for one operation: mostly valid, some mutated, some arbitrary. */
export function requestArbitrary(
  operation: { parameters?: { name: string; in: string; required?: boolean; schema: Schema }[]; requestBody?: any },
  components: Record<string, Schema>,
  knownIds: string[],
): fc.Arbitrary<GeneratedRequest> {
  const parameters = operation.parameters ?? [];
  const asText = (v: Json) => (typeof v === 'string' ? v : JSON.stringify(v));
  const path = fc.record(
    Object.fromEntries(
      parameters
        .filter((p) => p.in === 'path')
        .map((p) => [
          p.name,
          fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom(...knownIds) },
            { weight: 1, arbitrary: validArbitrary(p.schema, components).map(asText) },
            { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: 'grapheme' }).filter((v) => v.length > 0) },
          ),
        ]),
    ),
  );
  const valueOf = (p: { schema: Schema }, anyValue: fc.Arbitrary<string>) =>
    fc.option(fc.oneof({ weight: 3, arbitrary: validArbitrary(p.schema, components).map(asText) }, { weight: 1, arbitrary: anyValue }), {
      nil: undefined,
    });
  const query = fc
    .tuple(
      ...parameters.filter((p) => p.in === 'query').map((p) => valueOf(p, fc.string({ maxLength: 40 })).map((v) => [p.name, v] as const)),
    )
    .map((pairs) => pairs.filter((pair): pair is [string, string] => pair[1] !== undefined));
  const headers = fc
    .tuple(
      ...parameters
        .filter((p) => p.in === 'header')
        .map((p) => valueOf(p, headerValue).map((v) => [p.name, v?.replace(/[^\x20-\x7e]/g, '').trim()] as const)),
    )
    .map((pairs) => Object.fromEntries(pairs.filter(([, v]) => v !== undefined && v.length > 0)) as Record<string, string>);
  const bodySchema = operation.requestBody?.content?.['application/json']?.schema as Schema | undefined;
  const body = bodySchema
    ? fc
        .oneof(
          { weight: 4, arbitrary: validArbitrary(bodySchema, components) },
          { weight: 2, arbitrary: mutatedArbitrary(bodySchema, components) },
          { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
        )
        .map((v) => ({ raw: JSON.stringify(v), contentType: 'application/json' }))
    : fc.constant(undefined);
  return fc.record({ path, query, headers, body }).map((r) => ({ ...r, body: r.body ?? undefined }));
}
