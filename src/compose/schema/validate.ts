/**
 * Checks a compose file's value (anchors and merges resolved) against the official
 * compose-spec JSON schema (compose-spec.json, next to this file), the way docker compose does
 * before it reads a file. A file compose would refuse is refused by obs too, before any edit.
 *
 * Why a small interpreter and not ajv: ajv compiles this schema in ~250 ms at run time, and its
 * build-time standalone output is ~310 kB of minified code; the schema itself is 49 kB of JSON
 * and uses only the draft-07 keywords below (KNOWN_KEYWORDS; a test fails when an updated schema
 * uses another). The rules stay the schema's: only the walking is written here, and a test
 * compares every verdict with ajv's on thousands of generated files.
 */
import schemaJson from './compose-spec.json' with { type: 'json' };

export type PathSegment = string | number;

export interface SchemaProblem {
  /** Where in the file's value: `['services', 'web', 'environment', 0]`. */
  path: PathSegment[];
  /** Says what is wrong at `path`, without naming it: "must be a string, not a mapping". */
  message: string;
  /** The problem is the key at `path` itself (an unknown key), not its value. */
  atKey?: boolean;
}

interface Schema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  patternProperties?: Record<string, SchemaNode>;
  additionalProperties?: SchemaNode;
  required?: string[];
  items?: SchemaNode | SchemaNode[];
  uniqueItems?: boolean;
  oneOf?: SchemaNode[];
  anyOf?: SchemaNode[];
  allOf?: SchemaNode[];
  not?: SchemaNode;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minProperties?: number;
  maxProperties?: number;
  pattern?: string;
  definitions?: Record<string, SchemaNode>;
}
type SchemaNode = Schema | boolean;

/** The keywords this interpreter applies; annotations (description, default…) change no verdict. */
export const KNOWN_KEYWORDS = new Set([
  '$ref',
  'type',
  'properties',
  'patternProperties',
  'additionalProperties',
  'required',
  'items',
  'uniqueItems',
  'oneOf',
  'anyOf',
  'allOf',
  'not',
  'enum',
  'const',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'minProperties',
  'maxProperties',
  'pattern',
  'definitions',
  // annotations
  '$schema',
  '$id',
  'title',
  'description',
  'default',
  'deprecated',
  'examples',
  'format',
]);

const ROOT = schemaJson as unknown as Schema;

/** JSON Schema patterns are ECMA-262 regular expressions, unanchored. */
const patterns = new Map<string, RegExp>();
function regex(source: string): RegExp {
  let re = patterns.get(source);
  if (!re) patterns.set(source, (re = new RegExp(source, 'u')));
  return re;
}

const refs = new Map<string, SchemaNode>();
function resolveRef(ref: string): SchemaNode {
  let node = refs.get(ref);
  if (node === undefined) refs.set(ref, (node = lookUpRef(ref)));
  return node;
}

function lookUpRef(ref: string): SchemaNode {
  if (!ref.startsWith('#/')) throw new Error(`compose schema: unsupported $ref ${ref}`);
  let node: unknown = ROOT;
  for (const part of ref.slice(2).split('/')) node = (node as Record<string, unknown>)[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  if (node === undefined) throw new Error(`compose schema: unresolved $ref ${ref}`);
  return node as SchemaNode;
}

/** The first problem in `value` (the deepest one compose would name), or undefined when it is valid. */
export function validateCompose(value: unknown): SchemaProblem | undefined {
  return check(ROOT, value, []);
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value; // string, boolean, object
}

function typeMatches(type: string, value: unknown): boolean {
  const actual = jsonType(value);
  return type === actual || (type === 'number' && actual === 'integer');
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  null: 'empty',
};

export function describeValue(value: unknown): string {
  const type = jsonType(value);
  if (type === 'integer') return 'a number';
  return TYPE_WORDS[type] ?? type;
}

function orList(words: string[]): string {
  const unique = [...new Set(words)];
  return unique.length <= 1 ? (unique[0] ?? 'nothing') : `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Whether `value` could be meant for `schema`: its type fits, so a problem inside is the one to name. */
function shapeFits(schema: SchemaNode, value: unknown, depth = 0): boolean {
  if (typeof schema === 'boolean') return schema;
  if (depth > 8) return true;
  if (schema.$ref) return shapeFits(resolveRef(schema.$ref), value, depth + 1);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(t, value))) return false;
  }
  if (schema.enum && !schema.enum.some((e) => deepEqual(e, value))) return false;
  const branches = schema.oneOf ?? schema.anyOf;
  if (branches) return branches.some((b) => shapeFits(b, value, depth + 1));
  return true;
}

/** What a schema accepts, in words, for "must be X or Y" messages. */
function expected(schema: SchemaNode, depth = 0): string[] {
  if (typeof schema === 'boolean' || depth > 8) return [];
  if (schema.$ref) return expected(resolveRef(schema.$ref), depth + 1);
  if (schema.enum) return [schema.enum.map(show).join(', ')];
  const branches = schema.oneOf ?? schema.anyOf;
  if (branches) return branches.flatMap((b) => expected(b, depth + 1));
  if (schema.type === undefined) return [];
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  return types.map((t) => (t === 'array' && typeof schema.items === 'object' && !Array.isArray(schema.items) ? listOf(schema.items, depth) : (TYPE_WORDS[t] ?? t)));
}

function listOf(items: SchemaNode, depth: number): string {
  const inner = expected(items, depth + 1);
  if (inner.length === 0) return 'a list';
  return `a list of ${orList(inner.map((w) => w.replace(/^an? /, '')).map((w) => (w === 'mapping' ? 'mappings' : w === 'string' ? 'strings' : w === 'number' ? 'numbers' : w)))}`;
}

function check(schema: SchemaNode, value: unknown, path: PathSegment[]): SchemaProblem | undefined {
  if (schema === true) return undefined;
  if (schema === false) return { path, message: 'is not allowed here' };
  if (schema.$ref) {
    const problem = check(resolveRef(schema.$ref), value, path);
    if (problem) return problem;
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(t, value))) {
      return { path, message: `must be ${orList(expected({ ...schema, enum: undefined }))}, not ${describeValue(value)}` };
    }
  }
  if (schema.enum && !schema.enum.some((e) => deepEqual(e, value))) {
    return { path, message: `must be one of ${schema.enum.map(show).join(', ')}, not ${show(value)}` };
  }
  if (schema.const !== undefined && !deepEqual(schema.const, value)) return { path, message: `must be ${show(schema.const)}` };
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) return { path, message: `must be at least ${schema.minimum}, not ${value}` };
    if (schema.maximum !== undefined && value > schema.maximum) return { path, message: `must be at most ${schema.maximum}, not ${value}` };
  }
  if (typeof value === 'string') {
    const length = schema.minLength !== undefined || schema.maxLength !== undefined ? [...value].length : 0;
    if (schema.minLength !== undefined && length < schema.minLength) return { path, message: `must be at least ${schema.minLength} characters long` };
    if (schema.maxLength !== undefined && length > schema.maxLength) return { path, message: `must be at most ${schema.maxLength} characters long` };
    if (schema.pattern !== undefined && !regex(schema.pattern).test(value)) return { path, message: `${show(value)} does not have the form compose expects (${schema.pattern})` };
  }
  if (Array.isArray(value)) {
    const problem = checkArray(schema, value, path);
    if (problem) return problem;
  } else if (value !== null && typeof value === 'object') {
    const problem = checkObject(schema, value as Record<string, unknown>, path);
    if (problem) return problem;
  }
  if (schema.allOf) {
    for (const sub of schema.allOf) {
      const problem = check(sub, value, path);
      if (problem) return problem;
    }
  }
  if (schema.anyOf && !schema.anyOf.some((sub) => check(sub, value, path) === undefined)) return branchProblem(schema.anyOf, value, path);
  if (schema.oneOf) {
    const passing = schema.oneOf.filter((sub) => check(sub, value, path) === undefined).length;
    if (passing === 0) return branchProblem(schema.oneOf, value, path);
    if (passing > 1) return { path, message: 'matches more than one of the forms compose allows' };
  }
  if (schema.not && check(schema.not, value, path) === undefined) return { path, message: 'has a form compose does not allow here' };
  return undefined;
}

/**
 * None of the alternatives accepts the value. When some have the value's shape (a list where a
 * list of strings is expected), the problem inside the closest one is the useful one to name;
 * otherwise, what would have been accepted.
 */
function branchProblem(branches: SchemaNode[], value: unknown, path: PathSegment[]): SchemaProblem {
  const fitting = branches.filter((b) => shapeFits(b, value));
  const problems = fitting.map((b) => check(b, value, path)).filter((p): p is SchemaProblem => p !== undefined);
  if (problems.length > 0) return problems.reduce((best, p) => (p.path.length > best.path.length ? p : best));
  return { path, message: `must be ${orList(branches.flatMap((b) => expected(b)))}, not ${describeValue(value)}` };
}

function checkArray(schema: Schema, value: unknown[], path: PathSegment[]): SchemaProblem | undefined {
  if (schema.minItems !== undefined && value.length < schema.minItems) return { path, message: `must list at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}` };
  if (schema.maxItems !== undefined && value.length > schema.maxItems) return { path, message: `must list at most ${schema.maxItems} items` };
  if (schema.items !== undefined) {
    for (let i = 0; i < value.length; i++) {
      const itemSchema = Array.isArray(schema.items) ? schema.items[i] : schema.items;
      if (itemSchema === undefined) continue;
      const problem = check(itemSchema, value[i], [...path, i]);
      if (problem) return problem;
    }
  }
  if (schema.uniqueItems) {
    // Lists of strings and numbers (nearly all of them) by a map; others pairwise.
    const seen = new Map<unknown, number>();
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item !== null && typeof item === 'object') continue;
      const first = seen.get(item);
      if (first !== undefined) return { path: [...path, i], message: `repeats item ${first + 1} (${show(item)}); compose wants each item once` };
      seen.set(item, i);
    }
    for (let i = 1; i < value.length; i++) {
      if (value[i] === null || typeof value[i] !== 'object') continue;
      for (let j = 0; j < i; j++) {
        if (deepEqual(value[i], value[j])) return { path: [...path, i], message: `repeats item ${j + 1} (${show(value[i])}); compose wants each item once` };
      }
    }
  }
  return undefined;
}

function checkObject(schema: Schema, value: Record<string, unknown>, path: PathSegment[]): SchemaProblem | undefined {
  const keys = Object.keys(value);
  if (schema.minProperties !== undefined && keys.length < schema.minProperties) return { path, message: `must have at least ${schema.minProperties} key${schema.minProperties === 1 ? '' : 's'}` };
  if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) return { path, message: `must have at most ${schema.maxProperties} keys` };
  for (const key of schema.required ?? []) {
    if (!Object.hasOwn(value, key)) return { path, message: `needs a \`${key}\` key` };
  }
  for (const key of keys) {
    let matched = false;
    const own = schema.properties && Object.hasOwn(schema.properties, key) ? schema.properties[key] : undefined;
    if (own !== undefined) {
      matched = true;
      const problem = check(own, value[key], [...path, key]);
      if (problem) return problem;
    }
    for (const [pattern, sub] of patternEntries(schema)) {
      if (!pattern.test(key)) continue;
      matched = true;
      const problem = check(sub, value[key], [...path, key]);
      if (problem) return problem;
    }
    if (matched || schema.additionalProperties === undefined || schema.additionalProperties === true) continue;
    if (schema.additionalProperties === false) return { path: [...path, key], message: unknownKeyMessage(schema, key), atKey: true };
    const problem = check(schema.additionalProperties, value[key], [...path, key]);
    if (problem) return problem;
  }
  return undefined;
}

const compiledPatterns = new WeakMap<Schema, [RegExp, SchemaNode][]>();
function patternEntries(schema: Schema): [RegExp, SchemaNode][] {
  let entries = compiledPatterns.get(schema);
  if (!entries) compiledPatterns.set(schema, (entries = Object.entries(schema.patternProperties ?? {}).map(([p, sub]) => [regex(p), sub])));
  return entries;
}

function unknownKeyMessage(schema: Schema, key: string): string {
  const known = Object.keys(schema.properties ?? {});
  const patterns = Object.keys(schema.patternProperties ?? {});
  if (known.length === 0 && patterns.length > 0) return `is not a name compose allows here (names must match ${patterns.join(' or ')})`;
  if (known.length === 0) return 'is not allowed here';
  return `is not a key compose knows here${nearest(key, known)}`;
}

/** ", did you mean `environment`?" for a key one or two edits away from a known one. */
function nearest(key: string, known: string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase(), bestDistance);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best ? `; did you mean \`${best}\`?` : '';
}

function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b as object, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
