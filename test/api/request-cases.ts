/**
 * Request generation for the OpenAPI test: valid values derived from the document's JSON
 * Schemas, then mutations of them (wrong types, missing and extra fields, huge and odd strings,
 * negative and huge numbers, deep nesting, broken JSON), plus odd path, query and header values.
 */
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
  minItems?: number;
  pattern?: string;
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

/** A valid set of parameters first, then one odd value at a time. */
export function paramCases(parameters: { name: string; in: string; schema: Schema }[], knownId: string): ParamCase[] {
  const valid: ParamCase = { name: 'valid', path: {}, query: [], headers: {} };
  for (const p of parameters) if (p.in === 'path') valid.path[p.name] = knownId;
  const cases = [valid];
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
