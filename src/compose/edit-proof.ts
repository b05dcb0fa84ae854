/**
 * What a compose file's text edits do to every service's environment, proven without parsing
 * the whole edited file again. Re-parsing a file of a few hundred kilobytes costs as much as
 * reading it the first time; the edits obs makes touch a few lines per service.
 *
 * Why reading only the edited lines is enough. In block style YAML, where a line belongs is
 * decided by its indentation and by the line before it: a line indented like the items of an
 * open block collection, after an item that is complete on its own line, starts the next item
 * of that collection; a less indented line closes it. So the proof accepts only edits of two
 * shapes, and leaves every other shape to the full re-parse (`undefined`):
 *
 * 1. Whole lines inserted at a line start, right after the last item of a block collection X
 *    (the services map, a service's map, or a service's own `environment`), where that last
 *    item ends in a one-line scalar or flow collection and only blank or comment lines follow
 *    it up to the insertion point, and the next content line after the insertion is indented
 *    no deeper than X's items. The inserted lines are cut into items at X's column; each item
 *    parses alone as exactly one item of a block collection at that column, ending in a
 *    one-line scalar or flow collection. Such items cannot join the item before them nor
 *    swallow the line after them, so X reads as its old items followed by the new ones, and
 *    every other line of the file reads as before.
 * 2. Changes within one line that holds a whole item of a service's own `environment` (key and
 *    one-line value), where the changed line parses alone as one such item with the same key
 *    and the next content line is indented no deeper: only that item's value changes.
 *
 * The items and lines are parsed by the same YAML parser with the same options, all in one
 * document. Nothing may carry an anchor, alias, tag or merge key, and the file may not change
 * the YAML version: those are the ways a node is read somewhere other than where it is written.
 * New keys must be new in X, new services new in the project. From the parsed items and the
 * settings each service definition had, the environments are computed as `buildProject` does.
 */
import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, parseDocument, visit, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { envFromJs, envValue, isMergeKey, locateEnvironment, type EnvMap } from './environment.js';
import { COMPOSE_PARSE_OPTIONS, servicesMap, type ComposeFile } from './parse.js';
import type { ComposeProject, ServiceDefinition } from './project.js';
import { lineStartOf, type TextEdit } from '../text/edits.js';

export interface FileEdits {
  file: ComposeFile;
  /** Non-overlapping edits against file.text, as applyTextEdits takes them. */
  edits: readonly TextEdit[];
}

/**
 * Every service's environment after the edits (the project's services in order, then new
 * ones), or undefined when the edits are not of the shapes proven here: parse the result then.
 */
export function environmentsAfterEdits(project: ComposeProject, edited: readonly FileEdits[]): Map<string, EnvMap> | undefined {
  const pieces = new PieceParser();
  const located: { file: ComposeFile; unit: Unit; target: Target; refs: PieceRef[] }[] = [];
  for (const { file, edits } of edited) {
    if (edits.length === 0) continue;
    if (file.doc.schema.name !== 'core') return undefined; // `%YAML 1.1` reads scalars differently
    const units = unitsOf(file.text, edits);
    if (!units) return undefined;
    for (const unit of units) {
      const parts = unit.kind === 'insert' ? locateInsertion(file, unit) : locateRewrite(file, unit);
      if (!parts) return undefined;
      for (const { target, items } of parts) located.push({ file, unit, target, refs: items.map((t) => pieces.add(t)) });
    }
  }
  if (located.length === 0) return new Map(project.services.map((s) => [s.name, s.config.environment]));
  const itemOf = pieces.parse();
  if (!itemOf) return undefined;

  const definitions = new Map<YAMLMap, { definition: ServiceDefinition; service: string }>();
  for (const service of project.services) for (const d of service.definitions) if (d.map) definitions.set(d.map, { definition: d, service: service.name });
  const changed = new Map<ServiceDefinition, DefinitionEnv>();
  const added = new Map<string, EnvMap>();
  const names = new Set(project.services.map((s) => s.name));

  for (const { unit, target, refs } of located) {
    const items = refs.map(itemOf);
    if (items.some((item) => item.list !== target.list || item.column !== target.column)) return undefined;
    if (target.kind === 'services') {
      for (const item of items) {
        const name = item.key;
        if (name === undefined || names.has(name)) return undefined;
        names.add(name);
        const settings = (item.js as Record<string, unknown>)[name];
        added.set(name, envFromJs(settings && typeof settings === 'object' ? (settings as Record<string, unknown>).environment : undefined));
      }
      continue;
    }
    const owner = definitions.get(target.service);
    if (!owner) return undefined;
    if (target.kind === 'service') {
      // Only a new `environment:` where the service had none and inherits none.
      if (items.length !== 1 || items[0]!.key !== 'environment' || target.service.has('environment') || changed.has(owner.definition)) return undefined;
      changed.set(owner.definition, { map: envFromJs((items[0]!.js as Record<string, unknown>).environment) });
      continue;
    }
    const state = changed.get(owner.definition) ?? startState(owner.definition, target.collection);
    if (!state) return undefined;
    changed.set(owner.definition, state);
    if (unit.kind === 'rewrite') {
      const item = items[0]!;
      if (!applyRewrite(state, target, item)) return undefined;
    } else {
      for (const item of items) if (!applyInsert(state, target.collection, item)) return undefined;
    }
  }

  const result = new Map<string, EnvMap>();
  for (const service of project.services) {
    if (!service.definitions.some((d) => changed.has(d))) {
      result.set(service.name, service.config.environment);
      continue;
    }
    const only = service.definitions.length === 1 ? changed.get(service.definitions[0]!) : undefined;
    if (only) {
      result.set(service.name, only.list ? envFromJs(only.list) : only.map!);
      continue;
    }
    const env: EnvMap = new Map();
    for (const d of service.definitions) {
      const state = changed.get(d);
      const own = state ? (state.list ? envFromJs(state.list) : state.map!) : envFromJs(d.resolved.environment);
      for (const [key, value] of own) env.set(key, value);
    }
    result.set(service.name, env);
  }
  for (const [name, env] of added) result.set(name, env);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Units: what the edits do, line by line
// ---------------------------------------------------------------------------------------------

type Unit =
  /** Whole lines inserted at a line start. */
  | { kind: 'insert'; at: number; text: string }
  /** One line changed within itself: [start, end) of the old line (no line break), its new text. */
  | { kind: 'rewrite'; start: number; end: number; line: string };

/** The edits as insertions of whole lines and rewrites of single lines, or undefined. */
function unitsOf(text: string, edits: readonly TextEdit[]): Unit[] | undefined {
  const ordered = edits
    .map((edit, index) => ({ edit, index }))
    .filter(({ edit }) => edit.start !== edit.end || edit.text !== '')
    .sort((a, b) => a.edit.start - b.edit.start || a.index - b.index)
    .map(({ edit }) => edit);
  const units: Unit[] = [];
  for (let i = 0; i < ordered.length;) {
    const edit = ordered[i]!;
    if (edit.start === edit.end && (edit.start === 0 || text[edit.start - 1] === '\n') && edit.text.endsWith('\n')) {
      // Insertions at the same offset land in the order given.
      let inserted = '';
      for (; i < ordered.length && ordered[i]!.start === edit.start && ordered[i]!.end === edit.start; i++) inserted += ordered[i]!.text;
      if (!inserted.endsWith('\n')) return undefined;
      units.push({ kind: 'insert', at: edit.start, text: inserted });
      continue;
    }
    const start = lineStartOf(text, edit.start);
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const lineEnd = text[end - 1] === '\r' ? end - 1 : end;
    let line = '';
    let cursor = start;
    for (; i < ordered.length && ordered[i]!.start < end + 1 && !isLineInsertion(text, ordered[i]!); i++) {
      const e = ordered[i]!;
      if (e.start < cursor || e.end > lineEnd || /[\r\n]/.test(e.text)) return undefined;
      line += text.slice(cursor, e.start) + e.text;
      cursor = e.end;
    }
    // Whole lines inserted at this line's start after an edit within it would land after that edit.
    if ((cursor === start && line === '') || ordered[i]?.start === start) return undefined;
    units.push({ kind: 'rewrite', start, end: lineEnd, line: line + text.slice(cursor, lineEnd) });
  }
  return units;
}

function isLineInsertion(text: string, edit: TextEdit): boolean {
  return edit.start === edit.end && (edit.start === 0 || text[edit.start - 1] === '\n') && edit.text.endsWith('\n');
}

/** Lines inserted together: items for one collection, then maybe for collections further out. */
interface Segment {
  column: number;
  list: boolean;
  /** The text of each item, its lines as inserted. */
  items: string[];
}

/**
 * An inserted block cut into items: a content line at the column of the current items starts
 * the next item, a deeper one goes on with the current item, a shallower one starts items of a
 * collection further out (a new service after an `environment:` added to the last one).
 */
function segmentsOf(block: string): Segment[] | undefined {
  const segments: Segment[] = [];
  let pending = '';
  for (let from = 0; from < block.length;) {
    const newline = block.indexOf('\n', from);
    const to = newline === -1 ? block.length : newline + 1;
    const line = block.slice(from, to);
    from = to;
    const content = line.replace(/\r?\n$/, '');
    const current = segments[segments.length - 1];
    if (isBlankOrComment(content)) {
      if (current) current.items[current.items.length - 1] += line;
      else pending += line;
      continue;
    }
    const indent = indentOf(content);
    if (indent === undefined) return undefined;
    const list = content.startsWith('-', indent);
    if (!current || indent < current.column) {
      segments.push({ column: indent, list, items: [pending + line] });
      pending = '';
    } else if (indent === current.column) {
      if (list !== current.list) return undefined;
      current.items.push(line);
    } else {
      current.items[current.items.length - 1] += line;
    }
  }
  return segments.length > 0 ? segments : undefined;
}

// ---------------------------------------------------------------------------------------------
// Targets: the collection a unit writes into, checked against the original document
// ---------------------------------------------------------------------------------------------

interface Target {
  kind: 'services' | 'service' | 'environment';
  collection: YAMLMap | YAMLSeq;
  /** The service map the unit writes into or under ('services': the services map). */
  service: YAMLMap;
  /** Column of the collection's keys, or of its dashes for a list. */
  column: number;
  list: boolean;
  /** For a rewrite: the item it rewrites. */
  item?: Pair | Node;
}

interface Link {
  collection: YAMLMap | YAMLSeq;
  item: Pair | Node;
}

/** Where inserted lines go: for each segment, the collection its items join. */
function locateInsertion(file: ComposeFile, unit: Extract<Unit, { kind: 'insert' }>): { target: Target; items: string[] }[] | undefined {
  const { text } = file;
  const root = file.doc.contents;
  if (!isMap(root) || root.flow) return undefined;
  const path = pathBefore(text, root, unit.at);
  const segments = segmentsOf(unit.text);
  if (!path || !segments) return undefined;
  const parts: { target: Target; items: string[] }[] = [];
  let depth = path.length;
  for (const segment of segments) {
    // Each segment joins an open collection further out than the one before it.
    const index = path.findIndex((link) => columnOf(text, link) === segment.column && isSeq(link.collection) === segment.list);
    if (index === -1 || index >= depth) return undefined;
    depth = index;
    const target = classify(file, path.slice(0, index + 1), segment.column, segment.list);
    if (!target) return undefined;
    parts.push({ target, items: segment.items });
  }
  // The items the new lines follow, and everything they end with, are complete before them.
  for (const link of path.slice(depth)) if (link.collection.items[link.collection.items.length - 1] !== link.item) return undefined;
  const leaf = leafOf(path[path.length - 1]!.item);
  if (!leaf || !oneLineFlow(text, leaf)) return undefined;
  if (!onlyCommentsBetween(text, leaf.range![1], unit.at)) return undefined;
  if (!nextContentIndentAtMost(text, unit.at, segments[segments.length - 1]!.column)) return undefined;
  return parts;
}

/** A rewritten line must hold one whole item of a service's own environment, from its first character. */
function locateRewrite(file: ComposeFile, unit: Extract<Unit, { kind: 'rewrite' }>): { target: Target; items: string[] }[] | undefined {
  const { text } = file;
  const root = file.doc.contents;
  if (!isMap(root) || root.flow) return undefined;
  const first = firstNonSpace(text, unit.start, unit.end);
  if (first === undefined) return undefined;
  const path = pathAt(text, root, first);
  if (!path) return undefined;
  const last = path[path.length - 1]!;
  const leaf = leafOf(last.item);
  if (!leaf || !oneLineFlow(text, leaf) || leaf.range![1] > unit.end) return undefined;
  if (isPair(last.item) && (!isScalar(last.item.key) || last.item.key.range![0] !== first)) return undefined;
  const column = first - unit.start;
  if (!nextContentIndentAtMost(text, unit.end, column)) return undefined;
  const target = classify(file, path, column, isSeq(last.collection));
  if (!target || target.kind !== 'environment') return undefined;
  return [{ target: { ...target, item: last.item }, items: [unit.line] }];
}

/** Which collection a path ends in: the services map, a service's map or its own environment. */
function classify(file: ComposeFile, path: Link[], column: number, list: boolean): Target | undefined {
  const services = servicesMap(file);
  if (!services || services.flow || path.length < 2) return undefined;
  const [top, inServices, inService] = path;
  if (!isPair(top!.item) || !isScalar(top!.item.key) || top!.item.key.value !== 'services' || inServices!.collection !== services) return undefined;
  const collection = path[path.length - 1]!.collection;
  if (path.length === 2) return { kind: 'services', collection, service: services, column, list };
  const service = (inServices!.item as Pair).value;
  if (!isMap(service) || service.anchor || service.items.some((p) => isPair(p) && isMergeKey(p.key))) return undefined;
  if (path.length === 3) return { kind: 'service', collection, service, column, list };
  if (path.length !== 4 || collection.anchor) return undefined;
  const location = locateEnvironment(file.doc, service);
  if (location.kind !== 'own' || location.node !== collection || inService!.item !== location.pair) return undefined;
  if (isMap(collection) && collection.items.some((p) => isPair(p) && isMergeKey(p.key))) return undefined;
  return { kind: 'environment', collection, service, column, list };
}

/** From the root down: in each block collection, the last item starting before `at`. */
function pathBefore(text: string, root: YAMLMap, at: number): Link[] | undefined {
  const path: Link[] = [];
  let collection: YAMLMap | YAMLSeq = root;
  for (;;) {
    const item = lastItemFrom(text, collection, at - 1);
    if (!item) return path.length > 0 ? path : undefined;
    path.push({ collection, item });
    const value = isPair(item) ? (item.value as Node | null) : item;
    if (!(isMap(value) || isSeq(value)) || value.flow || value.items.length === 0 || value.range![0] >= at) return path;
    collection = value;
  }
}

/** From the root down to the item that starts exactly at `at`, or undefined. */
function pathAt(text: string, root: YAMLMap, at: number): Link[] | undefined {
  const path: Link[] = [];
  let collection: YAMLMap | YAMLSeq = root;
  for (;;) {
    const item = lastItemFrom(text, collection, at);
    if (!item) return undefined;
    path.push({ collection, item });
    if (itemStart(text, item, collection) === at) return path;
    const value = isPair(item) ? (item.value as Node | null) : item;
    if (!(isMap(value) || isSeq(value)) || value.flow || value.items.length === 0) return undefined;
    collection = value;
  }
}

/** The last item of a block collection that starts at or before `offset` (items are in text order). */
function lastItemFrom(text: string, collection: YAMLMap | YAMLSeq, offset: number): Pair | Node | undefined {
  const items = collection.items as (Pair | Node)[];
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const start = itemStart(text, items[mid]!, collection);
    if (start === undefined) return undefined;
    if (start <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? items[lo - 1] : undefined;
}

/** Where an item starts: its key, or the dash of a list item. */
function itemStart(text: string, item: Pair | Node, collection: YAMLMap | YAMLSeq): number | undefined {
  if (isPair(item)) return isScalar(item.key) && item.key.range ? item.key.range[0] : undefined;
  const start = item.range?.[0];
  if (start === undefined || !isSeq(collection)) return undefined;
  let i = start - 1;
  while (i >= 0 && text[i] === ' ') i--;
  return text[i] === '-' ? i : undefined;
}

/** Column of a link's item, provided nothing but spaces precedes it on its line. */
function columnOf(text: string, link: Link): number | undefined {
  const start = itemStart(text, link.item, link.collection);
  if (start === undefined) return undefined;
  const lineStart = lineStartOf(text, start);
  return /^ *$/.test(text.slice(lineStart, start)) ? start - lineStart : undefined;
}

/** The node an item ends with: its value, or its key when the value is missing. */
function leafOf(item: Pair | Node): Node | undefined {
  if (isPair(item)) return (item.value as Node | null) ?? (item.key as Node | null) ?? undefined;
  return item;
}

/** The node an item ends with, through the last items of nested block collections. */
function deepLeafOf(item: Pair | Node): Node | undefined {
  let node = leafOf(item);
  while ((isMap(node) || isSeq(node)) && !node.flow && node.items.length > 0) node = leafOf(node.items[node.items.length - 1] as Pair | Node);
  return node;
}

/** A scalar in flow style (plain or quoted) or a flow collection, written on one line, no alias. */
function oneLineFlow(text: string, node: Node): boolean {
  if (isAlias(node) || !node.range || node.anchor || node.tag) return false;
  if (isScalar(node) && node.type !== 'PLAIN' && node.type !== 'QUOTE_DOUBLE' && node.type !== 'QUOTE_SINGLE') return false;
  if (isCollection(node) && !node.flow) return false;
  return !/[\r\n]/.test(text.slice(node.range[0], node.range[1]));
}

/** From `from` to `at`: the rest of a line (spaces, a comment), then only blank or comment lines. */
function onlyCommentsBetween(text: string, from: number, at: number): boolean {
  if (at <= from) return false;
  let cursor = from;
  let first = true;
  while (cursor < at) {
    const newline = text.indexOf('\n', cursor);
    if (newline === -1 || newline >= at) return false;
    const rest = text.slice(cursor, newline).replace(/\r$/, '');
    if (first ? !/^[ \t]*(?:#.*)?$/.test(rest) : !isBlankOrComment(rest)) return false;
    first = false;
    cursor = newline + 1;
  }
  return cursor === at;
}

/** The first line at or after `from` (a line start or a line end) that is not blank or a comment is indented at most `column`. */
function nextContentIndentAtMost(text: string, from: number, column: number): boolean {
  let cursor = text[from] === '\r' || text[from] === '\n' ? text.indexOf('\n', from) + 1 : from;
  if (cursor === 0 && from !== 0) return false;
  while (cursor < text.length) {
    const newline = text.indexOf('\n', cursor);
    const end = newline === -1 ? text.length : newline;
    const content = text.slice(cursor, end).replace(/\r$/, '');
    if (!isBlankOrComment(content)) {
      const indent = indentOf(content);
      return indent !== undefined && indent <= column;
    }
    if (newline === -1) break;
    cursor = newline + 1;
  }
  return true;
}

function firstNonSpace(text: string, start: number, end: number): number | undefined {
  let i = start;
  while (i < end && text[i] === ' ') i++;
  return i < end && text[i] !== '\t' && text[i] !== '#' ? i : undefined;
}

/** Only spaces, then nothing or a comment. */
function isBlankOrComment(line: string): boolean {
  let i = 0;
  while (line.charCodeAt(i) === 32) i++;
  return i === line.length || (line.charCodeAt(i) === 35 && !/[\r\u2028\u2029]/.test(line));
}

/** Leading spaces of a content line; undefined when other white space (a tab) comes first (never proven). */
function indentOf(line: string): number | undefined {
  let i = 0;
  while (line.charCodeAt(i) === 32) i++;
  return i < line.length && /\s/.test(line[i]!) ? undefined : i;
}

// ---------------------------------------------------------------------------------------------
// Pieces: the new items and lines, parsed in one document
// ---------------------------------------------------------------------------------------------

interface ParsedItem {
  list: boolean;
  column: number;
  /** The key of a map item, when it is a string. */
  key?: string;
  /** The item as compose reads it: `{key: value}` for a map item, `[value]` for a list item. */
  js: unknown;
  /** A map item's value as compose reads it. */
  value?: unknown;
}

/** A piece as added: which text was parsed for it, and the value to put in the placeholder's place. */
interface PieceRef {
  id: number;
  content?: string;
}

/**
 * One line whose only double-quoted scalar holds no `\`, `"` or control character: inside such
 * a scalar no character has a meaning of its own, so the text between the quotes is the value,
 * whatever it is, and lines that differ only there parse alike.
 */
const QUOTED_LINE = /^([^"\r\n]*)"([^"\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]*)"([^"\r\n]*)(\r?\n)?$/;
const PLACEHOLDER = 'v';

/**
 * Collects distinct item texts and parses them all at once. A one-line item with a plain
 * double-quoted value (most of what obs writes: `KEY: "value"`) is parsed once per shape,
 * with a placeholder for the value, which then stands for every line of that shape.
 */
class PieceParser {
  private readonly ids = new Map<string, number>();
  private readonly texts: string[] = [];
  /** Offset of the placeholder's opening quote within a shape's text. */
  private readonly placeholders = new Map<number, number>();

  add(text: string): PieceRef {
    const quoted = QUOTED_LINE.exec(text);
    if (quoted && !quoted[1]!.includes('__proto__')) {
      const id = this.idOf(`${quoted[1]}"${PLACEHOLDER}"${quoted[3]}${quoted[4] ?? ''}`);
      this.placeholders.set(id, quoted[1]!.length);
      return { id, content: quoted[2]! };
    }
    return { id: this.idOf(text) };
  }

  private idOf(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.ids.set(text, id);
      this.texts.push(text);
    }
    return id;
  }

  /**
   * Parses every piece as one item; then `item(ref)` gives each one, or undefined when any
   * piece is not exactly one clean item. The pieces are the entries of a list (`-` alone on a
   * line, the piece below it), so that the document's own structure adds no key to compare.
   */
  parse(): ((ref: PieceRef) => ParsedItem) | undefined {
    const starts: number[] = [];
    let source = '';
    for (const text of this.texts) {
      source += '-\n';
      starts.push(source.length);
      source += text.endsWith('\n') ? text : `${text}\n`;
    }
    const doc = parseDocument(source, COMPOSE_PARSE_OPTIONS);
    if (doc.errors.length > 0 || doc.warnings.length > 0 || !isSeq(doc.contents) || doc.contents.items.length !== this.texts.length) return undefined;
    let clean = true;
    visit(doc, (_key, node) => {
      if (isAlias(node) || ((isScalar(node) || isCollection(node)) && (node.anchor || node.tag)) || (isPair(node) && isMergeKey(node.key))) {
        clean = false;
        return visit.BREAK;
      }
      return undefined;
    });
    if (!clean) return undefined;
    const items: ParsedItem[] = [];
    for (const [id, entry] of doc.contents.items.entries()) {
      const value = entry as Node | null;
      if (!(isMap(value) || isSeq(value)) || value.flow || value.items.length !== 1) return undefined;
      const item = value.items[0] as Pair | Node;
      const column = columnOf(source, { collection: value, item });
      const leaf = deepLeafOf(item);
      if (column === undefined || !leaf || !oneLineFlow(source, leaf)) return undefined;
      const key = isPair(item) && isScalar(item.key) && typeof item.key.value === 'string' ? item.key.value : undefined;
      if (isPair(item) && key === undefined) return undefined;
      const placeholder = this.placeholders.get(id);
      if (placeholder !== undefined) {
        // The shape's value must be the placeholder itself, as a single item's whole value.
        const whole = isPair(item) ? item.value === leaf : item === leaf;
        if (!whole || !isScalar(leaf) || leaf.type !== 'QUOTE_DOUBLE' || leaf.value !== PLACEHOLDER || leaf.range![0] !== starts[id]! + placeholder) return undefined;
      }
      const js = value.toJS(doc) as unknown;
      items.push({ list: isSeq(value), column, key, js, value: key === undefined ? undefined : (js as Record<string, unknown>)[key] });
    }
    return (ref) => {
      const item = items[ref.id]!;
      if (ref.content === undefined) return item;
      return item.list ? { ...item, js: [ref.content] } : { ...item, js: { [item.key!]: ref.content }, value: ref.content };
    };
  }
}

// ---------------------------------------------------------------------------------------------
// Environments: a definition's own environment, old items plus proven changes
// ---------------------------------------------------------------------------------------------

/** A definition's environment being edited: the resolved list, or the map of a map form. */
interface DefinitionEnv {
  list?: unknown[];
  map?: EnvMap;
  /** Keys written directly in the collection (map form), to refuse a second one. */
  keys?: Set<string>;
}

function startState(definition: ServiceDefinition, collection: YAMLMap | YAMLSeq): DefinitionEnv | undefined {
  const raw = definition.resolved.environment;
  if (isSeq(collection)) {
    if (!Array.isArray(raw) || raw.length !== collection.items.length) return undefined;
    return { list: Array.from<unknown>(raw) };
  }
  const keys = new Set<string>();
  for (const pair of collection.items) {
    if (!isPair(pair) || !isScalar(pair.key) || typeof pair.key.value !== 'string') return undefined;
    keys.add(pair.key.value);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || Object.keys(raw).length !== keys.size) return undefined;
  return { map: envFromJs(raw), keys };
}

function applyInsert(state: DefinitionEnv, collection: YAMLMap | YAMLSeq, item: ParsedItem): boolean {
  if (isSeq(collection)) {
    state.list!.push(...(item.js as unknown[]));
    return true;
  }
  if (item.key === undefined || state.keys!.has(item.key)) return false;
  state.keys!.add(item.key);
  state.map!.set(item.key, envValue(item.value));
  return true;
}

function applyRewrite(state: DefinitionEnv, target: Target, item: ParsedItem): boolean {
  const old = target.item!;
  if (isSeq(target.collection)) {
    const index = target.collection.items.indexOf(old);
    if (index === -1) return false;
    state.list![index] = (item.js as unknown[])[0];
    return true;
  }
  const key = isPair(old) && isScalar(old.key) ? old.key.value : undefined;
  if (item.key === undefined || item.key !== key) return false;
  state.map!.set(item.key, envValue(item.value));
  return true;
}
