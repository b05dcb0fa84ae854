/**
 * Reading a collector config file (hand-written or obs's) for doctor: the settings as plain JS,
 * where each one is written, and the `${env:NAME}` references the collector expands.
 * The only place outside src/compose/ and src/config/ that walks YAML for reading.
 */
import { isMap, isScalar, isSeq, parseDocument, visit, type Document, type Node, type Scalar } from 'yaml';
import { lineColOf } from '../text/edits.js';

export interface CollectorConfig {
  path: string;
  text: string;
  doc: Document.Parsed;
  /** The whole file as plain JS (a mapping; checked when parsed). */
  value: Record<string, unknown>;
}

export interface CollectorConfigProblem {
  path: string;
  line: number;
  col: number;
  message: string;
}

/** The config, or why it cannot be read (invalid YAML, several documents, not a mapping), with its place. */
export function parseCollectorConfig(path: string, text: string): CollectorConfig | { problem: CollectorConfigProblem } {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, merge: true });
  const error = doc.errors[0];
  if (error) {
    const { line, col } = lineColOf(text, error.pos?.[0] ?? 0);
    return { problem: { path, line, col, message: `invalid YAML: ${error.message.split('\n')[0]}` } };
  }
  const root = doc.contents;
  if (!isMap(root)) {
    const { line, col } = lineColOf(text, root?.range?.[0] ?? 0);
    return { problem: { path, line, col, message: 'a collector config must be a mapping (receivers, processors, exporters, service)' } };
  }
  const value = doc.toJS({ maxAliasCount: 10_000 }) as Record<string, unknown>;
  return { path, text, doc, value };
}

/**
 * The line a setting is written on: the key (or list item) at the end of `keys`, or the
 * deepest one that exists on the way there.
 */
export function lineAt(config: CollectorConfig, keys: readonly (string | number)[]): number {
  let node: unknown = config.doc.contents;
  let at = (node as Node | null)?.range?.[0] ?? 0;
  for (const key of keys) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) break;
      at = (pair.key as Node).range?.[0] ?? at;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as Node | undefined;
      if (!item) break;
      at = item.range?.[0] ?? at;
      node = item;
    } else break;
  }
  return lineColOf(config.text, at).line;
}

/** One `${env:NAME}` (or `${NAME}`) in a value: the collector replaces it with the variable when it loads. */
export interface EnvReference {
  name: string;
  /** `${env:NAME:-fallback}`: used when the variable is unset or empty. */
  fallback?: string;
  text: string;
  line: number;
}

const ENV_REF = /\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** The references in one string, in order. */
export function envReferencesIn(value: string): Omit<EnvReference, 'line'>[] {
  return [...value.matchAll(ENV_REF)].map((m) => ({ name: m[1]!, ...(m[2] !== undefined && { fallback: m[2] }), text: m[0] }));
}

/** Every reference in the file's values (not keys, not comments), with its line. */
export function envReferences(config: CollectorConfig): EnvReference[] {
  const out: EnvReference[] = [];
  visit(config.doc, {
    Scalar(key, node: Scalar) {
      if (key === 'key' || typeof node.value !== 'string') return;
      const start = node.range?.[0] ?? 0;
      for (const ref of envReferencesIn(node.value)) {
        const at = config.text.indexOf(ref.text, start);
        out.push({ ...ref, line: lineColOf(config.text, at !== -1 && at < (node.range?.[1] ?? start) ? at : start).line });
      }
    },
  });
  return out;
}

/** A value with each reference replaced by its fallback (or left as written): what an endpoint points at by default. */
export function withFallbacks(value: string): string {
  return value.replace(ENV_REF, (whole, _name: string, fallback: string | undefined) => fallback ?? whole);
}

/** A component id's type: `otlphttp/honeycomb` → `otlphttp`. */
export function componentType(id: string): string {
  return id.split('/')[0]!;
}

export const COMPONENT_KINDS = ['receivers', 'processors', 'exporters', 'connectors', 'extensions'] as const;
export type ComponentKind = (typeof COMPONENT_KINDS)[number];

/** The ids defined under a top-level section (`receivers:` ...); an id with no settings (`batch:`) counts. */
export function definedIds(config: CollectorConfig, kind: ComponentKind): string[] {
  const section = config.value[kind];
  return section && typeof section === 'object' && !Array.isArray(section) ? Object.keys(section) : [];
}

/** A component's settings as plain JS, or an empty object. */
export function settingsOf(config: CollectorConfig, kind: ComponentKind, id: string): Record<string, unknown> {
  const section = config.value[kind] as Record<string, unknown> | undefined;
  const settings = section?.[id];
  return settings && typeof settings === 'object' && !Array.isArray(settings) ? (settings as Record<string, unknown>) : {};
}
