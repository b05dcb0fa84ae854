import { isAlias, isMap, isPair, isScalar, isSeq, type Alias, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';

/** A service's `environment` as compose reads it: KEY -> value (null = taken from the project env). */
export type EnvMap = Map<string, string | null>;

/** Converts a resolved (toJS) `environment` value, map or list form, into one ordered map. */
export function envFromJs(value: unknown): EnvMap {
  const env: EnvMap = new Map();
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item !== 'string') continue;
      const eq = item.indexOf('=');
      if (eq === -1) env.set(item, null);
      else env.set(item.slice(0, eq), item.slice(eq + 1));
    }
  } else if (value && typeof value === 'object') {
    for (const [key, raw] of Object.entries(value as Record<string, unknown>)) env.set(key, envValue(raw));
  }
  return env;
}

/** One value of a map-form `environment` as compose reads it (null: taken from the project env). */
export function envValue(raw: unknown): string | null {
  return raw === null || raw === undefined ? null : stringifyEnvValue(raw);
}

/** Compose stringifies non-string values with Go's fmt.Sprint: true -> "true", 1.0 -> "1". */
function stringifyEnvValue(raw: unknown): string {
  if (typeof raw === 'number') return Number.isInteger(raw) ? String(raw) : String(raw);
  return String(raw);
}

/**
 * Where a service's environment lives in the YAML tree. obs edits the node the service
 * reads, never a node shared with a service it must not touch.
 */
export type EnvLocation =
  /** `environment:` written on the service as a map or list. */
  | { kind: 'own'; pair: Pair; node: YAMLMap | YAMLSeq }
  /** `environment:` written with no value. */
  | { kind: 'empty'; pair: Pair }
  /** `environment: *anchor`: the service reads another node through an alias. */
  | { kind: 'alias'; pair: Pair; alias: Alias; target: YAMLMap | YAMLSeq }
  /** No `environment:` on the service, but one arrives through a `<<:` merge. */
  | { kind: 'inherited'; target: YAMLMap | YAMLSeq }
  | { kind: 'none' };

export function locateEnvironment(doc: Document, service: YAMLMap): EnvLocation {
  const own = findPair(service, 'environment');
  if (own) {
    const value = own.value as Node | null;
    if (isAlias(value)) {
      const target = value.resolve(doc);
      if (isMap(target) || isSeq(target)) return { kind: 'alias', pair: own, alias: value, target };
      return { kind: 'none' };
    }
    if (isMap(value) || isSeq(value)) return { kind: 'own', pair: own, node: value };
    if (value === null || (isScalar(value) && (value.value === null || value.value === ''))) return { kind: 'empty', pair: own };
    return { kind: 'none' };
  }
  const inherited = findInMergeSources(doc, service, 'environment', new Set());
  if (isMap(inherited) || isSeq(inherited)) return { kind: 'inherited', target: inherited };
  return { kind: 'none' };
}

/** The collection a service reads its environment from, wherever it is written. */
export function envNodeOf(location: EnvLocation): YAMLMap | YAMLSeq | undefined {
  if (location.kind === 'own') return location.node;
  if (location.kind === 'alias' || location.kind === 'inherited') return location.target;
  return undefined;
}

/** The pair `key:` written directly in `map` (not through a merge). */
export function findPair(map: YAMLMap, key: string): Pair | undefined {
  return map.items.find((pair) => isPair(pair) && isScalar(pair.key) && pair.key.value === key);
}

/** Merge sources of a map in precedence order (`<<: [*a, *b]`: a wins over b). */
export function mergeSources(doc: Document, map: YAMLMap): YAMLMap[] {
  const sources: YAMLMap[] = [];
  for (const pair of map.items) {
    if (!isPair(pair) || !isMergeKey(pair.key)) continue;
    const values = isSeq(pair.value) ? pair.value.items : [pair.value];
    for (const value of values) {
      const resolved = isAlias(value) ? value.resolve(doc) : value;
      if (isMap(resolved)) sources.push(resolved);
    }
  }
  return sources;
}

export function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  return key.value === '<<' || (typeof key.value === 'symbol' && key.value.description === '<<');
}

/** The environment a service would read through its `<<:` merges if it wrote none of its own. */
export function mergedEnvironment(doc: Document, service: YAMLMap): Node | undefined {
  return findInMergeSources(doc, service, 'environment', new Set());
}

function findInMergeSources(doc: Document, map: YAMLMap, key: string, seen: Set<YAMLMap>): Node | undefined {
  for (const source of mergeSources(doc, map)) {
    if (seen.has(source)) continue;
    seen.add(source);
    const pair = findPair(source, key);
    if (pair) {
      const value = pair.value as Node | null;
      return isAlias(value) ? value.resolve(doc) : (value ?? undefined);
    }
    const deeper = findInMergeSources(doc, source, key, seen);
    if (deeper) return deeper;
  }
  return undefined;
}
