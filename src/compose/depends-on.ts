/**
 * Taking a service's `depends_on` entry out as text, for a service the same plan removes (a
 * `depends_on` naming a service that is gone makes the whole file invalid to compose).
 */
import { isMap, isPair, isScalar, isSeq, type Node, type Pair } from 'yaml';
import type { ComposeService } from './project.js';
import type { ComposeFile } from './parse.js';
import { lineStartOf, type TextEdit } from '../text/edits.js';

export interface DependencyDrop {
  edits: { file: ComposeFile; edit: TextEdit }[];
  /** Whether `service` depends on the removed one at all (in any definition, merges included). */
  found: boolean;
  /** An entry obs cannot take out as text (inherited through an anchor, a flow-style service). */
  byHand: boolean;
}

/**
 * The edits that take `name` out of `service`'s depends_on (list or map form, block or flow); the
 * whole `depends_on` goes when that was its only entry.
 */
export function dropDependency(service: ComposeService, name: string): DependencyDrop {
  const out: DependencyDrop = { edits: [], found: false, byHand: false };
  for (const definition of service.definitions) {
    if (!dependsOn(definition.resolved['depends_on'], name)) continue;
    out.found = true;
    const { file, map } = definition;
    const pair = map?.items.find((p): p is Pair => isPair(p) && isScalar(p.key) && p.key.value === 'depends_on');
    const edit = map && !map.flow && pair ? dropEntry(file.text, pair, name) : undefined;
    if (edit) out.edits.push({ file, edit });
    else out.byHand = true;
  }
  return out;
}

function dependsOn(value: unknown, name: string): boolean {
  if (Array.isArray(value)) return value.includes(name);
  return typeof value === 'object' && value !== null && Object.hasOwn(value, name);
}

function dropEntry(text: string, pair: Pair, name: string): TextEdit | undefined {
  const value = pair.value;
  if (!isSeq(value) && !isMap(value)) return undefined;
  const items = value.items as (Node | Pair)[];
  const index = items.findIndex((item) => (isPair(item) ? isScalar(item.key) && item.key.value === name : isScalar(item) && item.value === name));
  // Not in this map's own text (merged in through `<<`): said, not guessed.
  if (index === -1) return undefined;
  if (items.length === 1) return wholeLines(text, (pair.key as Node).range![0], endOf(value));
  const item = items[index]!;
  const start = startOf(item);
  const end = endOf(item);
  if (value.flow) {
    // `[db, xray-daemon]`: the item and the comma before it (or after it, for the first).
    return index > 0 ? { start: endOf(items[index - 1]!), end, text: '' } : { start, end: startOf(items[1]!), text: '' };
  }
  // A block item: its line (from the `-` for a list) and the lines of its value.
  return wholeLines(text, isPair(item) ? start : lineStartOf(text, start) + indentOf(text, start), end);
}

function startOf(item: Node | Pair): number {
  return isPair(item) ? (item.key as Node).range![0] : item.range![0];
}

function endOf(item: Node | Pair): number {
  if (!isPair(item)) return item.range![1];
  return (item.value as Node | null)?.range?.[1] ?? (item.key as Node).range![1];
}

function indentOf(text: string, offset: number): number {
  const start = lineStartOf(text, offset);
  return text.slice(start, offset).length - text.slice(start, offset).trimStart().length;
}

/**
 * Whole lines from the line of `at` to the line of the last character before `end` (trailing
 * spaces and line breaks skipped), and any deeper-indented lines right after (comments of the
 * entry); blank lines after it stay.
 */
function wholeLines(text: string, at: number, end: number): TextEdit | undefined {
  const start = lineStartOf(text, at);
  // Only whole lines can go: the entry must begin its line.
  if (text.slice(start, at).trim() !== '') return undefined;
  const indent = at - start;
  let last = end - 1;
  while (last > at && /\s/.test(text[last]!)) last--;
  let stop = text.indexOf('\n', last) + 1 || text.length;
  for (let pos = stop; pos < text.length;) {
    const next = text.indexOf('\n', pos);
    const lineEnd = next === -1 ? text.length : next + 1;
    const line = text.slice(pos, lineEnd).replace(/\r?\n$/, '');
    if (line.trim() === '' || line.length - line.trimStart().length <= indent) break;
    stop = lineEnd;
    pos = lineEnd;
  }
  return { start, end: stop, text: '' };
}
