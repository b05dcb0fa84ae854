import { isMap, isPair, isScalar, isSeq, visit, type Document, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import type { ComposeFile } from './parse.js';
import { envNodeOf, findPair, locateEnvironment, mergeSources, type EnvLocation } from './environment.js';
import { renderScalar, quoteStyleOf, isSafePlain, type QuoteStyle } from './scalars.js';
import { UsageError } from '../errors.js';
import { columnOf, insertLinesAfter, lineColOf, lineStartOf, type TextEdit } from '../text/edits.js';

export interface EnvSetting {
  key: string;
  value: string;
}

/** End offset of the last item's content in a block collection. */
function contentEnd(node: YAMLMap | YAMLSeq): number {
  const last = node.items[node.items.length - 1];
  if (isPair(last)) {
    const value = last.value as Node | null;
    const keyEnd = (last.key as Node).range?.[1] ?? 0;
    return Math.max(keyEnd, value?.range?.[1] ?? 0);
  }
  return (last as Node).range![1];
}

function keyColumn(text: string, map: YAMLMap): number {
  const first = map.items[0] as Pair;
  return columnOf(text, (first.key as Node).range![0]);
}

/** Indentation of the `-` of a block sequence's items. */
function dashIndent(text: string, seq: YAMLSeq): string | undefined {
  const first = seq.items[0] as Node;
  const start = first.range![0];
  const prefix = text.slice(lineStartOf(text, start), start);
  const match = /^(\s*)-\s+$/.exec(prefix);
  return match ? match[1] : undefined;
}

/** The quoting most of a collection's existing values use, so added lines look like their neighbours. */
function prevailingStyle(node: YAMLMap | YAMLSeq): QuoteStyle {
  const counts: Record<QuoteStyle, number> = { double: 0, single: 0, plain: 0 };
  for (const item of node.items) {
    const scalar = isPair(item) ? item.value : item;
    if (isScalar(scalar) && scalar.value !== null) counts[quoteStyleOf(scalar.type)]++;
  }
  if (counts.single > counts.double && counts.single > counts.plain) return 'single';
  if (counts.plain > counts.double && counts.plain > counts.single) return 'plain';
  return 'double';
}

function mapLine(setting: EnvSetting, style: QuoteStyle): string {
  return `${setting.key}: ${renderScalar(setting.value, style)}`;
}

function listLine(setting: EnvSetting, style: QuoteStyle): string {
  const item = `${setting.key}=${setting.value}`;
  return `- ${style === 'plain' && isSafePlain(item) ? item : renderScalar(item, style === 'plain' ? 'double' : style)}`;
}

export interface EnvEditContext {
  file: ComposeFile;
  /** Spaces one nesting level adds in this file. */
  indentStep: number;
  /** Anchor names already in the document, so a new one never collides (collected on first use). */
  readonly anchors: Set<string>;
  /** Anchors obs adds in this run, one per node however many services merge it. */
  addedAnchors: Map<Node, string>;
  /**
   * Values a copy of an inherited list writes instead of the entry's own (its scalar -> value):
   * a secret this run moves to .env is copied as its `${VAR}` reference, never as the literal.
   */
  copiedValues: Map<unknown, string>;
}

export function makeEnvEditContext(file: ComposeFile): EnvEditContext {
  let anchors: Set<string> | undefined;
  return {
    file,
    indentStep: detectIndentStep(file),
    // Walking the whole document is only worth it when obs adds an anchor, which is rare.
    get anchors() {
      anchors ??= documentAnchors(file);
      return anchors;
    },
    addedAnchors: new Map(),
    copiedValues: new Map(),
  };
}

function documentAnchors(file: ComposeFile): Set<string> {
  const anchors = new Set<string>();
  visit(file.doc, (_key, node) => {
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) anchors.add(anchor);
  });
  return anchors;
}

function detectIndentStep(file: ComposeFile): number {
  const root = file.doc.contents as YAMLMap;
  const services = root.get('services', true);
  if (isMap(services) && services.items.length > 0 && !services.flow) {
    const outer = columnOf(file.text, ((root.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === 'services') as Pair).key as Node).range![0]);
    const inner = keyColumn(file.text, services);
    if (inner > outer) return inner - outer;
  }
  return 2;
}

/**
 * Text edits that add `settings` to a service's environment, writing where the service itself
 * reads it: its own map or list, or a new local `environment:` that merges what it inherited.
 */
export function addEnvironment(ctx: EnvEditContext, service: YAMLMap, settings: readonly EnvSetting[]): TextEdit[] {
  if (settings.length === 0) return [];
  const { file } = ctx;
  const location: EnvLocation = locateEnvironment(file.doc, service);
  if (service.flow) return addToFlowService(ctx, service, location, settings);
  switch (location.kind) {
    case 'own':
      return appendToCollection(ctx, location.node, settings);
    case 'empty':
      return [fillEmptyEnvironment(ctx, service, location.pair, settings)];
    case 'alias':
      return replaceAliasWithLocal(ctx, service, location.pair, location.alias.source, location.target, settings);
    case 'inherited':
      return inheritAndExtend(ctx, service, location.target, settings);
    case 'none':
      return [newEnvironmentBlock(ctx, service, settings)];
  }
}

function appendToCollection(ctx: EnvEditContext, node: YAMLMap | YAMLSeq, settings: readonly EnvSetting[]): TextEdit[] {
  const { text, eol } = ctx.file;
  const style = prevailingStyle(node);
  const isList = isSeq(node);
  const lines = settings.map((s) => (isList ? listLine(s, style) : mapLine(s, style)));
  if (node.flow || node.items.length === 0) {
    // Flow style (`{A: 1}`, `[A=1,]`, even over several lines): new items go right after the
    // last one, or right after the opening bracket of an empty collection.
    const items = settings.map((s) => (isList ? renderScalar(`${s.key}=${s.value}`, 'double') : `${s.key}: ${renderScalar(s.value, 'double')}`));
    if (node.items.length === 0) {
      const open = text.indexOf(isList ? '[' : '{', node.range![0]);
      return [{ start: open + 1, end: open + 1, text: items.join(', ') }];
    }
    const at = contentEnd(node);
    return [{ start: at, end: at, text: `, ${items.join(', ')}` }];
  }
  const indent = isList ? dashIndent(text, node) : ' '.repeat(keyColumn(text, node));
  if (indent === undefined) {
    throw new UsageError('obs cannot add items to this list layout (the first item does not start its line with `-`); put each item on its own line and run obs again', {
      file: ctx.file.path,
      ...lineColOf(text, node.range?.[0] ?? 0),
    });
  }
  return [insertLinesAfter(text, contentEnd(node), indent, lines, eol)];
}

function flowMapItem(setting: EnvSetting): string {
  return `${setting.key}: ${renderScalar(setting.value, 'double')}`;
}

function flowListItem(setting: EnvSetting): string {
  return renderScalar(`${setting.key}=${setting.value}`, 'double');
}

/** `- A=1` items of a list, as flow items: `"A=1"`. */
function copiedFlowItems(ctx: EnvEditContext, seq: YAMLSeq): string[] {
  return seq.items.map((item) => (isScalar(item) ? renderScalar(copiedItem(ctx, item), 'double') : String(item)));
}

/** The text of a list item as a copy writes it: `KEY=${VAR}` for a secret this run moves to .env. */
function copiedItem(ctx: EnvEditContext, item: Scalar): string {
  const text = String(item.value ?? '');
  const value = ctx.copiedValues.get(item);
  return value === undefined ? text : `${text.split('=')[0]}=${value}`;
}

/**
 * A service written in flow style (`web: {build: .}`, or every service under `{services: {...}}`):
 * the environment is written in flow style inside its braces, with the same rules as the block
 * forms (merge an inherited map, copy an inherited list, never change what others share).
 */
function addToFlowService(ctx: EnvEditContext, service: YAMLMap, location: EnvLocation, settings: readonly EnvSetting[]): TextEdit[] {
  const { text } = ctx.file;
  /** Adds `environment: <value>` as the service's last key. */
  const newKey = (value: string): TextEdit => {
    if (service.items.length === 0) {
      const open = text.indexOf('{', service.range![0]);
      return { start: open + 1, end: open + 1, text: `environment: ${value}` };
    }
    const at = contentEnd(service);
    return { start: at, end: at, text: `, environment: ${value}` };
  };
  const mapOf = (head: string[]) => `{${[...head, ...settings.map(flowMapItem)].join(', ')}}`;
  switch (location.kind) {
    case 'own':
      return appendToCollection(ctx, location.node, settings);
    case 'none':
      return [newKey(mapOf([]))];
    case 'empty': {
      const value = location.pair.value as Node | null;
      const colon = text.indexOf(':', (location.pair.key as Node).range![1]);
      const end = value?.range ? value.range[1] : colon + 1;
      return [{ start: colon + 1, end: Math.max(end, colon + 1), text: ` ${mapOf([])}` }];
    }
    case 'alias': {
      const alias = location.alias as Node;
      const body = isSeq(location.target) ? `[${[...copiedFlowItems(ctx, location.target), ...settings.map(flowListItem)].join(', ')}]` : mapOf([`<<: *${location.alias.source}`]);
      return [{ start: alias.range![0], end: alias.range![1], text: body }];
    }
    case 'inherited': {
      if (isSeq(location.target)) return [newKey(`[${[...copiedFlowItems(ctx, location.target), ...settings.map(flowListItem)].join(', ')}]`)];
      const edits: TextEdit[] = [];
      let anchor = location.target.anchor ?? ctx.addedAnchors.get(location.target);
      if (!anchor) {
        anchor = newAnchorName(ctx, 'env');
        ctx.addedAnchors.set(location.target, anchor);
        edits.push(anchorEdit(ctx, location.target, anchor));
      }
      edits.push(newKey(mapOf([`<<: *${anchor}`])));
      return edits;
    }
  }
}

/** Column of the keys of a service's own map, the place for a new `environment:` key. */
function serviceKeyIndent(ctx: EnvEditContext, service: YAMLMap): string {
  return ' '.repeat(keyColumn(ctx.file.text, service));
}

function newEnvironmentBlock(ctx: EnvEditContext, service: YAMLMap, settings: readonly EnvSetting[]): TextEdit {
  const step = ' '.repeat(ctx.indentStep);
  const lines = ['environment:', ...settings.map((s) => step + mapLine(s, 'double'))];
  return insertLinesAfter(ctx.file.text, contentEnd(service), serviceKeyIndent(ctx, service), lines, ctx.file.eol);
}

function inheritAndExtend(ctx: EnvEditContext, service: YAMLMap, target: YAMLMap | YAMLSeq, settings: readonly EnvSetting[]): TextEdit[] {
  const step = ' '.repeat(ctx.indentStep);
  const indent = serviceKeyIndent(ctx, service);
  if (isSeq(target)) {
    // Lists cannot be merged with `<<`: the service gets its own copy plus the new items.
    const lines = ['environment:', ...copiedListLines(ctx, target).map((l) => step + l), ...settings.map((s) => step + listLine(s, 'double'))];
    return [insertLinesAfter(ctx.file.text, contentEnd(service), indent, lines, ctx.file.eol)];
  }
  const edits: TextEdit[] = [];
  let anchor = target.anchor ?? ctx.addedAnchors.get(target);
  if (!anchor) {
    anchor = newAnchorName(ctx, 'env');
    ctx.addedAnchors.set(target, anchor);
    edits.push(anchorEdit(ctx, target, anchor));
  }
  const lines = ['environment:', `${step}<<: *${anchor}`, ...settings.map((s) => step + mapLine(s, 'double'))];
  edits.push(insertLinesAfter(ctx.file.text, contentEnd(service), indent, lines, ctx.file.eol));
  return edits;
}

/** `environment:` with nothing after it: the block goes on the lines below the key. */
function fillEmptyEnvironment(ctx: EnvEditContext, service: YAMLMap, pair: Pair, settings: readonly EnvSetting[]): TextEdit {
  const indent = serviceKeyIndent(ctx, service) + ' '.repeat(ctx.indentStep);
  return insertLinesAfter(
    ctx.file.text,
    (pair.key as Node).range![1],
    indent,
    settings.map((s) => mapLine(s, 'double')),
    ctx.file.eol,
  );
}

/**
 * `environment: *env` becomes a local block that merges `*env` (or copies an aliased list):
 * the alias leaves the key line (a trailing comment stays there) and the block goes below it.
 */
function replaceAliasWithLocal(ctx: EnvEditContext, service: YAMLMap, pair: Pair, anchor: string, target: YAMLMap | YAMLSeq, settings: readonly EnvSetting[]): TextEdit[] {
  const { text, eol } = ctx.file;
  const indent = serviceKeyIndent(ctx, service) + ' '.repeat(ctx.indentStep);
  const alias = pair.value as Node;
  const colon = text.indexOf(':', (pair.key as Node).range![1]);
  const body = isSeq(target) ? [...copiedListLines(ctx, target), ...settings.map((s) => listLine(s, 'double'))] : [`<<: *${anchor}`, ...settings.map((s) => mapLine(s, 'double'))];
  return [{ start: colon + 1, end: alias.range![1], text: '' }, insertLinesAfter(text, alias.range![1], indent, body, eol)];
}

function copiedListLines(ctx: EnvEditContext, seq: YAMLSeq): string[] {
  return seq.items.map((item) => `- ${isScalar(item) ? renderScalar(copiedItem(ctx, item), quoteStyleOf(item.type)) : String(item)}`);
}

function newAnchorName(ctx: EnvEditContext, base: string): string {
  let name = `obs-${base}`;
  for (let i = 2; ctx.anchors.has(name); i++) name = `obs-${base}-${i}`;
  ctx.anchors.add(name);
  return name;
}

/** Adds `&name` on the key line of the pair whose value is `target` (`environment: &name`). */
function anchorEdit(ctx: EnvEditContext, target: Node, name: string): TextEdit {
  let holder: Pair | undefined;
  visit(ctx.file.doc, {
    Pair(_key, pair) {
      if (pair.value === target) {
        holder = pair;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (!holder) {
    // A mapping with no key of its own (an item of `<<: [{...}]`): in flow style the anchor
    // goes right before its brace; a block one has no such place.
    if ((target as YAMLMap).flow && target.range) return { start: target.range[0], end: target.range[0], text: `&${name} ` };
    throw new UsageError('obs cannot name this merged mapping with an anchor to extend it; give it an anchor (`&name`) and run obs again', {
      file: ctx.file.path,
      ...lineColOf(ctx.file.text, target.range?.[0] ?? 0),
    });
  }
  const keyEnd = (holder.key as Node).range![1];
  const colon = ctx.file.text.indexOf(':', keyEnd);
  return { start: colon + 1, end: colon + 1, text: ` &${name}` };
}

/** The scalar holding `key` in the environment a service reads, for in-place replacement. */
export interface EnvEntryNode {
  scalar: Scalar;
  form: 'map' | 'list';
  /** Found through a `<<` merge (an anchor other services may merge too), not in the service's own map. */
  inherited: boolean;
}

export function findEnvEntry(doc: Document, service: YAMLMap, key: string): EnvEntryNode | undefined {
  const location = locateEnvironment(doc, service);
  const node = envNodeOf(location);
  if (!node) return undefined;
  return findInCollection(doc, node, key, new Set(), false);
}

function findInCollection(doc: Document, node: YAMLMap | YAMLSeq, key: string, seen: Set<Node>, inherited: boolean): EnvEntryNode | undefined {
  if (seen.has(node)) return undefined;
  seen.add(node);
  if (isSeq(node)) {
    for (let i = node.items.length - 1; i >= 0; i--) {
      const item = node.items[i];
      if (isScalar(item) && typeof item.value === 'string' && (item.value === key || item.value.startsWith(`${key}=`))) {
        return { scalar: item, form: 'list', inherited };
      }
    }
    return undefined;
  }
  const pair = findPair(node, key);
  if (pair && isScalar(pair.value)) return { scalar: pair.value, form: 'map', inherited };
  if (pair) return undefined;
  for (const source of mergeSources(doc, node)) {
    const found = findInCollection(doc, source, key, seen, true);
    if (found) return found;
  }
  return undefined;
}

/** Replaces an environment value in place, keeping the scalar's quoting style. */
export function replaceEnvValue(text: string, entry: EnvEntryNode, key: string, value: string): TextEdit {
  const scalar = entry.scalar;
  const block = scalar.type === 'BLOCK_LITERAL' || scalar.type === 'BLOCK_FOLDED';
  // A block scalar becomes a quoted one; the `|` header and its indented lines go.
  const style = block ? 'double' : quoteStyleOf(scalar.type);
  let [start, end] = scalar.range!;
  while (block && end > start && (text[end - 1] === '\n' || text[end - 1] === '\r')) end--;
  let rendered = entry.form === 'map' ? renderScalar(value, style) : renderScalar(`${key}=${value}`, style);
  // `KEY:` with no value: the empty scalar sits after the colon, maybe right before a comment.
  if (scalar.value === null && start === end) {
    if (text[start - 1] === ':') rendered = ` ${rendered}`;
    if (text[start] === '#') rendered = `${rendered} `;
  }
  return { start, end, text: rendered };
}

/**
 * Removes one environment entry that sits on lines of its own in block style (`KEY: value` or
 * `- KEY=value`, a trailing comment included). undefined when that is not safe to do as text
 * (flow style, inherited through an anchor, sharing a line, the last entry of its collection):
 * the caller says what to remove by hand instead.
 */
export function removeEnvEntry(file: ComposeFile, service: YAMLMap, key: string): TextEdit | undefined {
  const entry = findEnvEntry(file.doc, service, key);
  if (!entry || entry.inherited) return undefined;
  const location = locateEnvironment(file.doc, service);
  // An aliased environment is another service's too.
  if (location.kind !== 'own') return undefined;
  const node = envNodeOf(location);
  if (!node || node.flow || node.items.length < 2) return undefined;
  const text = file.text;
  const [start, end] = entry.scalar.range!;
  const lineStart = lineStartOf(text, start);
  const lineEndAt = text.indexOf('\n', end);
  const lineEnd = lineEndAt === -1 ? text.length : lineEndAt + 1;
  const line = text.slice(lineStart, lineEnd);
  // The line holds this entry only: `KEY: value`, `"KEY": value`, `- KEY=value`, maybe a comment.
  const keyPattern = entry.form === 'map' ? `["']?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*:` : '-';
  if (!new RegExp(`^\\s*${keyPattern}`).test(line)) return undefined;
  if (text.slice(end, lineEnd).replace(/\s*(#.*)?\r?\n?$/, '') !== '') return undefined;
  return { start: lineStart, end: lineEnd, text: '' };
}
