/**
 * Adds npm packages to a package.json as text insertions: indentation (2 or 4 spaces, tabs),
 * key order, spacing, line endings, a BOM and the final newline (or its absence) stay as they
 * were. A package already listed in dependencies, devDependencies, peerDependencies or
 * optionalDependencies is left alone, whatever its version. A file that is not JSON is refused
 * with a reason, never guessed at.
 */
import { parseTree, printParseErrorCode, type Node as JsonNode, type ParseError } from 'jsonc-parser';
import { applyTextEdits, detectEol, type TextEdit } from '../text/edits.js';
import type { ManifestResult } from './requirements.js';

export type { ManifestResult } from './requirements.js';

const SECTIONS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;

interface Member {
  key: string;
  keyStart: number;
  valueStart: number;
  valueEnd: number;
}

interface ObjectSpan {
  open: number;
  /** Offset of the closing brace. */
  close: number;
  members: Member[];
}

/**
 * `deps` (name -> version range) added to `section` (default `dependencies`) of the
 * package.json `text`: sorted into place when the section is sorted (as npm keeps it), else
 * appended in the given order. `added` lists the names that were not there yet.
 */
export function addDependencies(text: string, deps: Record<string, string>, section: 'dependencies' | 'devDependencies' = 'dependencies'): ManifestResult {
  const bom = text.startsWith('\uFEFF') ? 1 : 0;
  let pkg: unknown;
  try {
    pkg = JSON.parse(text.slice(bom));
  } catch (err) {
    return { text: undefined, reason: `package.json is not valid JSON (${syntaxProblem(text.slice(bom)) ?? (err as Error).message})` };
  }
  if (!pkg || typeof pkg !== 'object' || Array.isArray(pkg)) return { text: undefined, reason: 'package.json is not a JSON object' };
  const record = pkg as Record<string, unknown>;
  for (const name of SECTIONS) {
    const value = record[name];
    if (value !== undefined && (value === null || typeof value !== 'object' || Array.isArray(value))) {
      return { text: undefined, reason: `"${name}" in package.json is not an object` };
    }
  }
  const listed = new Set(SECTIONS.flatMap((name) => Object.keys((record[name] as Record<string, unknown> | undefined) ?? {})));
  const missing = Object.entries(deps).filter(([name]) => !listed.has(name));
  if (missing.length === 0) return { text, added: [] };

  const top = readObject(text, skipSpace(text, bom));
  const sections = top.members.filter((m) => m.key === section);
  if (sections.length > 1) return { text: undefined, reason: `package.json has "${section}" more than once` };

  const eol = detectEol(text);
  const style = formatOf(text, top);
  const entry = ([name, version]: [string, string]) => `${JSON.stringify(name)}${style.colon}${JSON.stringify(version)}`;
  const edits: TextEdit[] = [];
  const existing = sections[0];
  if (!existing) {
    // A new section at the end of the object, indented like the other top-level keys.
    const body = style.inline ? `{${missing.map(entry).join(style.comma)}}` : `{${eol}${missing.map((d) => style.indent + style.indent + entry(d)).join(`,${eol}`)}${eol}${style.indent}}`;
    const member = `${JSON.stringify(section)}${style.colon}${body}`;
    const last = top.members.at(-1);
    if (last) edits.push({ start: last.valueEnd, end: last.valueEnd, text: style.inline ? `${style.comma}${member}` : `,${eol}${style.indent}${member}` });
    else edits.push({ start: top.open, end: top.close + 1, text: style.inline ? `{${member}}` : `{${eol}${style.indent}${member}${eol}}` });
  } else {
    const object = readObject(text, existing.valueStart);
    if (object.members.length === 0) {
      const outer = lineIndent(text, existing.keyStart);
      const body = style.inline ? `{${missing.map(entry).join(style.comma)}}` : `{${eol}${missing.map((d) => outer + style.indent + entry(d)).join(`,${eol}`)}${eol}${outer}}`;
      edits.push({ start: object.open, end: object.close + 1, text: body });
    } else {
      const inline = !text.slice(object.open, object.members[0]!.keyStart).includes('\n');
      const indent = inline ? '' : lineIndent(text, object.members[0]!.keyStart);
      const separator = inline ? style.comma : `,${eol}${indent}`;
      const keys = object.members.map((m) => m.key);
      const sorted = keys.every((key, i) => i === 0 || compareNames(keys[i - 1]!, key) <= 0);
      const last = object.members.at(-1)!;
      const ordered = sorted ? [...missing].sort(([a], [b]) => compareNames(a, b)) : missing;
      for (const dep of ordered) {
        const before = sorted ? object.members.find((m) => compareNames(dep[0], m.key) < 0) : undefined;
        if (before) edits.push({ start: before.keyStart, end: before.keyStart, text: `${entry(dep)}${separator}` });
        else edits.push({ start: last.valueEnd, end: last.valueEnd, text: `${separator}${entry(dep)}` });
      }
    }
  }
  const after = applyTextEdits(text, edits);
  JSON.parse(after.slice(bom)); // an edit that broke the JSON is a bug in obs, never written
  return { text: after, added: missing.map(([name]) => name) };
}

/**
 * `names` removed from `dependencies` of the package.json `text`, one member at a time as text
 * edits (the rest stays byte for byte). Used only for packages obs itself added and no longer
 * needs. A section written on one line, or a file that is not JSON, is left as it is.
 */
export function removeDependencies(text: string, names: readonly string[], options: { dropEmptySection?: boolean } = {}): { text: string; removed: string[] } {
  const bom = text.startsWith('\uFEFF') ? 1 : 0;
  try {
    JSON.parse(text.slice(bom));
  } catch {
    return { text, removed: [] };
  }
  const top = readObject(text, skipSpace(text, bom));
  const section = top.members.find((m) => m.key === 'dependencies');
  if (!section || text[section.valueStart] !== '{') return { text, removed: [] };
  let after = text;
  const removed: string[] = [];
  // From the last member back, so earlier offsets stay valid.
  let object = readObject(after, section.valueStart);
  if (!after.slice(object.open, object.close).includes('\n')) return { text, removed: [] };
  for (let i = object.members.length - 1; i >= 0; i--) {
    const member = object.members[i]!;
    if (!names.includes(member.key)) continue;
    const next = object.members[i + 1];
    const previous = object.members[i - 1];
    let start: number;
    let end: number;
    if (next) {
      start = after.lastIndexOf('\n', member.keyStart) + 1;
      end = after.lastIndexOf('\n', next.keyStart) + 1;
    } else if (previous) {
      start = previous.valueEnd;
      end = member.valueEnd;
    } else {
      start = object.open + 1;
      end = object.close;
    }
    after = after.slice(0, start) + after.slice(end);
    removed.unshift(member.key);
    object = readObject(after, section.valueStart);
  }
  // A section emptied here was obs's (addDependencies appends a new one last): it goes whole.
  if (options.dropEmptySection && removed.length > 0 && object.members.length === 0) {
    const members = readObject(after, skipSpace(after, bom)).members;
    const at = members.findIndex((m) => m.key === 'dependencies');
    const previous = members[at - 1];
    if (previous && at === members.length - 1) after = after.slice(0, previous.valueEnd) + after.slice(members[at]!.valueEnd);
  }
  JSON.parse(after.slice(bom)); // a removal that broke the JSON is a bug in obs, never written
  return { text: after, removed };
}

/** npm sorts dependencies with localeCompare('en'); one Collator does the same without a lookup per call. */
const EN = new Intl.Collator('en');

function compareNames(a: string, b: string): number {
  return EN.compare(a, b);
}

/** How the file writes its top-level members: indentation, `": "` or `":"`, single line or not. */
function formatOf(text: string, top: ObjectSpan): { indent: string; colon: string; inline: boolean; comma: string } {
  const first = top.members[0];
  if (!first) return { indent: '  ', colon: ': ', inline: false, comma: ', ' };
  const inline = !text.slice(top.open, first.keyStart).includes('\n');
  const colonText = text.slice(first.keyStart + JSON.stringify(first.key).length, first.valueStart);
  const colon = /^[ \t]*:[ \t]*$/.test(colonText) ? colonText : ': ';
  const second = top.members[1];
  const comma = second ? (/,\s/.test(text.slice(first.valueEnd, second.keyStart)) ? ', ' : ',') : ', ';
  return { indent: inline ? '' : lineIndent(text, first.keyStart), colon, inline, comma };
}

/** The whitespace between the start of the line and `offset`. */
function lineIndent(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start, offset))![0];
}

/**
 * Where and why `text` is not JSON, worded the same on every Node line (JSON.parse's message
 * differs between Node 20 and 22 and names no line on 20): `line 3: property name expected`.
 */
function syntaxProblem(text: string): string | undefined {
  const errors: ParseError[] = [];
  parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  const first = errors[0];
  if (!first) return undefined;
  const line = text.slice(0, first.offset).split('\n').length;
  return `line ${line}: ${printParseErrorCode(first.error)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()}`;
}

/** JSON's white space: space, tab, line feed, carriage return (the text is valid JSON, so nothing else). */
function skipSpace(text: string, i: number): number {
  while (i < text.length && /[ \t\n\r]/.test(text[i]!)) i++;
  return i;
}

/**
 * The members of the object starting at `open` in `text` (already known to be valid JSON, a BOM
 * allowed), located by jsonc-parser's tree: offsets of every key and value, escapes and nesting
 * handled by a well-kept parser. Its modify() is not used for the edits themselves: it rewrites a
 * one-line package.json as many lines and leaves `{\n  }` for an emptied section, where obs keeps
 * every byte it does not change.
 */
function readObject(text: string, open: number): ObjectSpan {
  const bom = text.startsWith('\uFEFF') ? 1 : 0;
  const tree = parseTree(text.slice(bom), [], { disallowComments: true, allowTrailingComma: false });
  const node = tree && findObject(tree, open - bom);
  if (!node) throw new Error(`no JSON object at offset ${open}`);
  const members = (node.children ?? []).map((property): Member => {
    const [key, value] = property.children as [JsonNode, JsonNode];
    return { key: key.value as string, keyStart: key.offset + bom, valueStart: value.offset + bom, valueEnd: value.offset + value.length + bom };
  });
  return { open, close: node.offset + node.length - 1 + bom, members };
}

/** The object node starting at `offset`: the top-level object or a value of one of its members. */
function findObject(node: JsonNode, offset: number): JsonNode | undefined {
  if (node.type === 'object' && node.offset === offset) return node;
  for (const property of node.children ?? []) {
    const value = property.children?.[1];
    if (value?.type === 'object' && value.offset === offset) return value;
  }
  return undefined;
}
