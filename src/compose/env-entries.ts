/**
 * The variables one service definition writes in its `environment:` (map or list, merge keys and
 * aliases resolved), each with its value as written and its line.
 */
import { isAlias, isPair, isScalar, isSeq, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { envNodeOf, isMergeKey, locateEnvironment, mergeSources } from './environment.js';
import { lineOf } from './nodes.js';
import type { ComposeFile } from './parse.js';
import type { ServiceDefinition } from './project.js';

export interface WrittenEnvEntry {
  /** The value as written, before interpolation; null for `KEY:` / `- KEY`. */
  value: string | null;
  line: number;
  form: 'map' | 'list';
  /** Written on the service itself, or reached through an anchor (`environment: *x`, a `<<:` merge). */
  source: 'inline' | 'anchor';
  /** The YAML node the entry is written as: the list item, or the map key. */
  node: Node;
}

/** The entries of a definition's `environment:`, merge sources under the map's own keys. */
export function definitionEnvironment(def: ServiceDefinition): Map<string, WrittenEnvEntry> {
  if (!def.map) return new Map();
  const location = locateEnvironment(def.file.doc, def.map);
  const node = envNodeOf(location);
  if (!node) return new Map();
  const entries = entriesOf(def.file, node, new Set());
  // The whole environment is another node's (an alias, or `environment:` of a merged service).
  if (location.kind !== 'own') for (const entry of entries.values()) entry.source = 'anchor';
  return entries;
}

function scalarText(node: unknown): string | null | undefined {
  if (node === null || node === undefined) return null;
  if (!isScalar(node)) return undefined;
  if (node.value === null || node.value === undefined) return null;
  return typeof node.value === 'string' ? node.value : String(node.value);
}

function entriesOf(file: ComposeFile, node: YAMLMap | YAMLSeq, seen: Set<Node>): Map<string, WrittenEnvEntry> {
  const out = new Map<string, WrittenEnvEntry>();
  if (seen.has(node)) return out;
  seen.add(node);
  if (isSeq(node)) {
    for (const item of node.items) {
      const text = scalarText(item);
      if (typeof text !== 'string') continue;
      const eq = text.indexOf('=');
      out.set(eq === -1 ? text : text.slice(0, eq), { value: eq === -1 ? null : text.slice(eq + 1), line: lineOf(file, item as Node), form: 'list', source: 'inline', node: item as Node });
    }
    return out;
  }
  // Merge sources are weaker than the map's own keys; among them the first listed wins.
  for (const source of [...mergeSources(file.doc, node)].reverse()) {
    for (const [k, v] of entriesOf(file, source, seen)) out.set(k, { ...v, source: 'anchor' });
  }
  for (const pair of node.items) {
    if (!isPair(pair) || isMergeKey(pair.key) || !isScalar(pair.key)) continue;
    const value = isAlias(pair.value) ? pair.value.resolve(file.doc) : pair.value;
    const text = scalarText(value);
    if (text === undefined) continue;
    out.set(String(pair.key.value), { value: text, line: lineOf(file, pair.key), form: 'map', source: 'inline', node: pair.key as Node });
  }
  return out;
}
