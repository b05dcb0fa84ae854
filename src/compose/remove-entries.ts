/**
 * Text edits that take entries out of a service, for `obs remove`: environment keys (the whole
 * `environment:` when every entry goes) and `depends_on` entries naming a service taken out.
 * What is not safe as text (flow style, anchors, shared lines) is returned for the caller to say.
 */
import { isMap, isPair, isScalar, isSeq, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { findEnvEntry, removeEnvEntry } from './edit-env.js';
import { findPair, locateEnvironment, mergedEnvironment } from './environment.js';
import type { ComposeFile } from './parse.js';
import type { ComposeService } from './project.js';
import { lineStartOf, type TextEdit } from '../text/edits.js';

/** The key of an environment item: `KEY: v` (map) or `- KEY=v` (list). */
function itemKey(item: unknown): string | undefined {
  if (isPair(item) && isScalar(item.key)) return String(item.key.value);
  if (isScalar(item) && typeof item.value === 'string') return item.value.split('=')[0];
  return undefined;
}

/** From the start of the line of `start` to past the line break after `end` (a trailing comment included). */
function wholeLines(text: string, start: number, end: number): { start: number; end: number } {
  const lineEnd = text.indexOf('\n', end);
  return { start: lineStartOf(text, start), end: lineEnd === -1 ? text.length : lineEnd + 1 };
}

/**
 * Edits removing `keys` from the environment the service writes itself in `file` (`map`).
 * When they are all its entries, `environment:` goes with them. `byHand` lists what cannot go as text.
 */
export function removeEnvironmentKeys(file: ComposeFile, map: YAMLMap, keys: readonly string[]): { edits: TextEdit[]; byHand: string[] } {
  const location = locateEnvironment(file.doc, map);
  if (location.kind !== 'own' || keys.length === 0) return { edits: [], byHand: [...keys] };
  const node = location.node;
  const present = keys.filter((k) => findEnvEntry(file.doc, map, k) && !findEnvEntry(file.doc, map, k)!.inherited);
  const byHand = keys.filter((k) => !present.includes(k));
  const itemKeys = node.items.map(itemKey);
  // Every entry goes, or what is left is the very list the service merges in (`<<: *app_base`):
  // init copied it only to add obs's keys, so without them the shared list serves again.
  const all = (itemKeys.length > 0 && itemKeys.every((k) => k !== undefined && present.includes(k))) || (present.length > 0 && leftIsInherited(file, map, node, present));
  if (all && !node.flow && !map.flow) {
    const pair = location.pair;
    const span = wholeLines(file.text, (pair.key as Node).range![0], (node as Node).range![1] - 1);
    // The key's line holds only `environment:` (its own comment allowed).
    if (file.text.slice(span.start, (pair.key as Node).range![0]).trim() === '') return { edits: [{ start: span.start, end: span.end, text: '' }], byHand };
  }
  const edits: TextEdit[] = [];
  // removeEnvEntry keeps the last item of a collection: each removal is checked against what stays.
  const remaining = new Set(itemKeys);
  for (const key of present) {
    const edit = remaining.size > 1 ? removeEnvEntry(file, map, key) : undefined;
    if (edit) {
      edits.push(edit);
      remaining.delete(key);
    } else byHand.push(key);
  }
  return { edits, byHand };
}

/** The entries of `node` that stay (not keyed by `removed`) are, in order, those of the list the service merges in (but `removed`). */
function leftIsInherited(file: ComposeFile, map: YAMLMap, node: YAMLMap | YAMLSeq, removed: readonly string[]): boolean {
  const inherited = mergedEnvironment(file.doc, map);
  if (!isSeq(node) || !isSeq(inherited)) return false;
  const text = (item: unknown) => (isScalar(item) ? String(item.value ?? '') : undefined);
  const left = node.items.filter((item) => !removed.includes(itemKey(item) ?? '')).map(text);
  // The shared list holds obs's keys for its own service (app's OTEL_SERVICE_NAME), which go with this run too.
  const shared = inherited.items.filter((item) => !removed.includes(itemKey(item) ?? '')).map(text);
  return left.length === shared.length && left.every((t, i) => t !== undefined && t === shared[i]);
}

/**
 * Edits removing `keys` from a service defined in several files (compose.yml plus
 * compose.override.yml): each key is taken from the last definition that sets it in its own
 * environment, the value compose uses. Keys no definition sets that way are left by hand, named
 * with the file of the last definition.
 */
export function removeServiceEnvironmentKeys(service: ComposeService, keys: readonly string[]): { edits: Map<ComposeFile, TextEdit[]>; byHand: { file: string; keys: string[] }[] } {
  const edits = new Map<ComposeFile, TextEdit[]>();
  const byHand: { file: string; keys: string[] }[] = [];
  const definitions = [...service.definitions].reverse();
  const owner = (key: string) =>
    definitions.find((d) => {
      if (!d.map) return false;
      const entry = findEnvEntry(d.file.doc, d.map, key);
      return entry !== undefined && !entry.inherited;
    });
  const groups = new Map<(typeof definitions)[number] | undefined, string[]>();
  for (const key of keys) {
    const definition = owner(key);
    groups.set(definition, [...(groups.get(definition) ?? []), key]);
  }
  for (const [definition, group] of groups) {
    if (!definition?.map) {
      byHand.push({ file: (definitions[0] ?? service.definitions[0])!.file.path, keys: group });
      continue;
    }
    const result = removeEnvironmentKeys(definition.file, definition.map, group);
    edits.set(definition.file, [...(edits.get(definition.file) ?? []), ...result.edits]);
    if (result.byHand.length > 0) byHand.push({ file: definition.file.path, keys: result.byHand });
  }
  return { edits, byHand };
}

/**
 * Edits removing `depends_on` entries that name one of `names` from `service` (list or map form,
 * its own map only), the whole `depends_on:` when none is left. Returns the names left by hand.
 */
export function removeDependencies(service: ComposeService, names: ReadonlySet<string>): { file: ComposeFile; edits: TextEdit[]; byHand: string[] }[] {
  const out: { file: ComposeFile; edits: TextEdit[]; byHand: string[] }[] = [];
  for (const { file, map } of service.definitions) {
    if (!map) continue;
    const pair = findPair(map, 'depends_on');
    const value = pair?.value;
    if (!pair || !(isSeq(value) || isMap(value))) continue;
    const items = value.items as unknown[];
    const named = items.filter((item) => {
      const key = isPair(item) ? (isScalar(item.key) ? item.key.value : undefined) : isScalar(item) ? item.value : undefined;
      return typeof key === 'string' && names.has(key);
    });
    if (named.length === 0) continue;
    const nameOf = (item: unknown) => String(isPair(item) ? (item.key as { value: unknown }).value : (item as { value: unknown }).value);
    if (value.flow || map.flow) {
      out.push({ file, edits: [], byHand: named.map(nameOf) });
      continue;
    }
    if (named.length === items.length) {
      const span = wholeLines(file.text, (pair.key as Node).range![0], (value as Node).range![1] - 1);
      out.push({ file, edits: [{ start: span.start, end: span.end, text: '' }], byHand: [] });
      continue;
    }
    const edits: TextEdit[] = [];
    for (const item of named) {
      const node = (isPair(item) ? item.key : item) as Node;
      const end = isPair(item) ? ((item.value as Node | null)?.range?.[1] ?? node.range![1]) : node.range![1];
      edits.push({ ...wholeLines(file.text, node.range![0], Math.max(node.range![0], end - 1)), text: '' });
    }
    out.push({ file, edits, byHand: [] });
  }
  return out;
}
