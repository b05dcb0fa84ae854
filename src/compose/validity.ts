/**
 * What makes compose refuse a file that is well-formed YAML: text that is not UTF-8, nesting no
 * compose file needs, aliases that resolve to nothing or explode, `<<:` of something other than
 * a mapping, and anything the compose-spec schema rejects. Each is one UsageError naming
 * file:line:col, found before obs plans an edit, so such a file is never edited.
 */
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, Parser, type Document, type Node, type Pair } from 'yaml';
import { UsageError } from '../errors.js';
import { isMergeKey } from './environment.js';
import { validateCompose, type PathSegment } from './schema/validate.js';
import { lineColOf } from '../text/edits.js';

/**
 * The deepest nesting obs reads. Compose files need fewer than 10 levels (services → web →
 * deploy → resources → reservations → devices → item → capabilities → item); 100 leaves room
 * for any `x-` extension and keeps every recursive walk (the parser's, obs's) far from the stack limit.
 */
export const MAX_DEPTH = 100;

/**
 * Alias expansions allowed while resolving the file (the yaml library's default is 100). An alias
 * bomb (`a: &a [x,x]`, `b: &b [*a,*a]`, ...) needs millions; a real compose file a handful per service.
 */
export const MAX_ALIAS_COUNT = 10_000;

/** Refuses text that is not UTF-8 compose: a UTF-16/32 file (its byte-order mark or NUL bytes) or binary. */
export function checkEncoding(path: string, text: string): void {
  const nul = text.indexOf('\0');
  const bomLost = text.startsWith('\ufffd\ufffd');
  if (nul === -1 && !bomLost) return;
  const body = bomLost ? text.slice(2) : text;
  let encoding: string | undefined;
  if (/^(?:\0\0\0[^\0]){2}/.test(body)) encoding = 'UTF-32 (big-endian)';
  else if (/^(?:[^\0]\0\0\0){2}/.test(body)) encoding = 'UTF-32 (little-endian)';
  else if (/^(?:\0[^\0]){2}/.test(body)) encoding = 'UTF-16 (big-endian)';
  else if (/^(?:[^\0]\0){2}/.test(body)) encoding = 'UTF-16 (little-endian)';
  if (encoding) {
    throw new UsageError(`the file is ${encoding} text; obs reads compose files as UTF-8: convert it (iconv -f UTF-16 -t UTF-8) and run obs again`, {
      file: path,
      line: 1,
      col: 1,
    });
  }
  throw new UsageError('the file holds a NUL byte: it is not a text file compose can read', { file: path, ...lineColOf(text, Math.max(nul, 0)) });
}

/**
 * Where the text first nests deeper than MAX_DEPTH, found on the parser's concrete syntax tree,
 * which is built without recursion: for a file so deep that building the Document ran out of
 * stack (the point where that happens depends on the stack left, so it is not a location to show).
 */
export function tooDeepOffset(text: string): number {
  type Token = { type?: string; offset?: number; value?: Token; key?: Token | null; items?: { key?: Token | null; value?: Token | null }[] };
  for (const document of new Parser().parse(text) as Iterable<Token>) {
    const stack: { token: Token | null | undefined; depth: number }[] = [{ token: document.value, depth: 0 }];
    while (stack.length > 0) {
      const { token, depth } = stack.pop()!;
      if (!token?.items) continue;
      if (depth >= MAX_DEPTH) return token.offset ?? 0;
      for (const item of token.items) stack.push({ token: item.key, depth: depth + 1 }, { token: item.value, depth: depth + 1 });
    }
  }
  return 0;
}

export function depthError(path: string, text: string, offset: number): UsageError {
  return new UsageError(`the YAML is nested more than ${MAX_DEPTH} levels deep; compose files need fewer than 10, so obs does not read this one`, {
    file: path,
    ...lineColOf(text, offset),
  });
}

/**
 * Checks the parsed document, then returns its value as compose reads it (aliases and merges
 * resolved), already checked against the compose-spec schema.
 */
export function resolveComposeDocument(path: string, text: string, doc: Document.Parsed): Record<string, unknown> {
  checkNodes(path, text, doc);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw resolveError(path, text, doc, err);
  }
  const deep = deepestPath(value);
  if (deep) throw depthError(path, text, offsetOf(doc, deep).offset);
  const problem = validateCompose(value);
  if (problem) {
    const { offset } = offsetOf(doc, problem.path, problem.atKey);
    if (problem.path.length === 1 && problem.path[0] === 'services' && (value as Record<string, unknown>).services === null) {
      throw new UsageError('no services are defined in it', { file: path, hint: 'add your services under `services:` and run obs again' });
    }
    const where = problem.path.length === 0 ? 'the file' : `\`${renderPath(problem.path)}\``;
    throw new UsageError(`${where} ${problem.message} (compose refuses this file too)`, { file: path, ...lineColOf(text, offset) });
  }
  return value as Record<string, unknown>;
}

/** Every node within MAX_DEPTH, every alias resolving to an anchor, every `<<:` merging mappings. */
function checkNodes(path: string, text: string, doc: Document.Parsed): void {
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (isAlias(node)) {
      if (node.resolve(doc) === undefined) {
        throw new UsageError(`the alias *${node.source} names no anchor defined before it (compose refuses this file too)`, { file: path, ...lineColOf(text, node.range?.[0] ?? 0) });
      }
      continue;
    }
    if (!isCollection(node)) continue;
    if (depth >= MAX_DEPTH) throw depthError(path, text, node.range?.[0] ?? 0);
    for (const item of node.items as unknown[]) {
      if (isPair(item)) {
        if (isMap(node) && isMergeKey(item.key)) checkMerge(path, text, doc, item);
        stack.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
      } else stack.push({ node: item, depth: depth + 1 });
    }
  }
}

function checkMerge(path: string, text: string, doc: Document.Parsed, pair: Pair): void {
  const value = pair.value as Node | null;
  const sources = isSeq(value) ? (value.items as Node[]) : [value];
  for (const source of sources) {
    const resolved = isAlias(source) ? source.resolve(doc) : source;
    if (isAlias(source) && resolved === undefined) continue; // reported as an unresolved alias
    if (!isMap(resolved)) {
      const at = source?.range?.[0] ?? (pair.key as Node).range?.[0] ?? 0;
      throw new UsageError('`<<:` merges mappings only (a mapping, an alias of one, or a list of those); compose refuses this file too', {
        file: path,
        ...lineColOf(text, at),
      });
    }
  }
}

function resolveError(path: string, text: string, doc: Document.Parsed, err: unknown): UsageError {
  const message = (err as Error)?.message ?? String(err);
  if (err instanceof RangeError) return depthError(path, text, 0);
  if (/alias count/i.test(message)) {
    const first = firstAlias(doc);
    return new UsageError(`the file expands its aliases more than ${MAX_ALIAS_COUNT.toLocaleString('en-US')} times (an alias bomb?); compose refuses such files too`, {
      file: path,
      ...lineColOf(text, first?.range?.[0] ?? 0),
    });
  }
  return new UsageError(`cannot read the YAML: ${message.split('\n')[0]}`, { file: path, line: 1, col: 1 });
}

function firstAlias(doc: Document.Parsed): Node | undefined {
  const stack: unknown[] = [doc.contents];
  let first: Node | undefined;
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) {
      if (!first || (node.range?.[0] ?? 0) < (first.range?.[0] ?? 0)) first = node;
    } else if (isCollection(node)) {
      for (const item of node.items as unknown[]) stack.push(...(isPair(item) ? [item.key, item.value] : [item]));
    }
  }
  return first;
}

/** The path to a value nested deeper than MAX_DEPTH (aliases can nest what the text does not), or undefined. */
function deepestPath(value: unknown): PathSegment[] | undefined {
  const stack: { value: unknown; path: PathSegment[] }[] = [{ value, path: [] }];
  // Aliases make one object appear in several places: walk below it again only when deeper.
  const seenAt = new Map<object, number>();
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (path.length >= MAX_DEPTH) return path;
    if ((seenAt.get(v) ?? -1) >= path.length) continue;
    seenAt.set(v, path.length);
    if (Array.isArray(v)) v.forEach((item, i) => stack.push({ value: item, path: [...path, i] }));
    else for (const [k, item] of Object.entries(v)) stack.push({ value: item, path: [...path, k] });
  }
  return undefined;
}

export function renderPath(path: readonly PathSegment[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : /^[A-Za-z0-9_-]+$/.test(s) ? (i === 0 ? s : `.${s}`) : `[${JSON.stringify(s)}]`)).join('');
}

/**
 * The text offset of the node at `path` in the document (its key with `atKey`), following aliases
 * and `<<:` merges; the nearest enclosing node when the path leaves what is written.
 */
export function offsetOf(doc: Document.Parsed, path: readonly PathSegment[], atKey = false): { offset: number } {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i]!;
    const last = i === path.length - 1;
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = findKey(doc, node, String(segment), new Set());
      if (!pair) break;
      const keyAt = (pair.key as Node | null)?.range?.[0];
      const valueAt = (pair.value as Node | null)?.range?.[0];
      offset = (last && atKey) || valueAt === undefined ? (keyAt ?? offset) : valueAt;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return { offset };
}

/** The pair for `key` in `map`, written there or merged in through `<<:` (the first source wins). */
function findKey(doc: Document.Parsed, map: unknown, key: string, seen: Set<unknown>): Pair | undefined {
  if (!isMap(map) || seen.has(map)) return undefined;
  seen.add(map);
  const own = map.items.find((p) => isPair(p) && !isMergeKey(p.key) && keyText(p.key) === key);
  if (own) return own;
  for (const pair of map.items) {
    if (!isPair(pair) || !isMergeKey(pair.key)) continue;
    const value = pair.value as Node | null;
    for (const source of isSeq(value) ? (value.items as Node[]) : [value]) {
      const found = findKey(doc, isAlias(source) ? source.resolve(doc) : source, key, seen);
      if (found) return found;
    }
  }
  return undefined;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}
