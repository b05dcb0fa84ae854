/**
 * Adds Python packages to a pyproject.toml (`[project] dependencies`, PEP 621, or
 * `[tool.poetry.dependencies]`) and takes out the ones obs added, as text edits: comments, order,
 * spacing and line endings stay as they were. The file has no place for obs's marker comment, so
 * what obs added is known from obs.yaml's record (src/config/changes.ts), not from the file.
 */
import { parse, type TomlTable } from 'smol-toml';
import { detectEol } from '../text/edits.js';
import { missingNames, NAME, normalizePackageName, splitRequirement, type ManifestResult } from './requirements.js';

interface TomlSection {
  name: string;
  /** Offset of the header line's start, and of the first line after the section's last non-blank line. */
  start: number;
  contentEnd: number;
}

/** Top-level tables of a TOML file, by header line (`[name]`; `[[name]]` ends a table too). */
function tomlSections(text: string): TomlSection[] {
  const sections: TomlSection[] = [];
  const lines = lineSpans(text);
  let current: TomlSection | undefined;
  let inMultiline: string | undefined;
  for (const { start, end, next } of lines) {
    const line = text.slice(start, end);
    if (inMultiline) {
      if (line.includes(inMultiline)) inMultiline = undefined;
      if (current) current.contentEnd = next;
      continue;
    }
    const triple = /("""|''')/.exec(line.replace(/#.*$/, ''));
    if (triple && line.split(triple[1]!).length === 2) inMultiline = triple[1];
    const header = /^\s*\[(\[)?\s*([^[\]]+?)\s*\]\]?\s*(?:#.*)?$/.exec(line);
    if (header && !inMultiline) {
      current = { name: header[1] ? `[${header[2]}]` : header[2]!.replace(/\s*\.\s*/g, '.').replace(/["']/g, ''), start, contentEnd: next };
      sections.push(current);
      continue;
    }
    if (current && line.trim() !== '') current.contentEnd = next;
  }
  return sections;
}

function lineSpans(text: string): { start: number; end: number; next: number }[] {
  const spans: { start: number; end: number; next: number }[] = [];
  let start = 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const next = nl === -1 ? text.length : nl + 1;
    const end = nl === -1 ? text.length : nl > start && text[nl - 1] === '\r' ? nl - 1 : nl;
    spans.push({ start, end, next });
    start = next;
  }
  return spans;
}

interface TomlArray {
  open: number;
  close: number;
  items: { value: string; start: number; end: number; quote: string }[];
  /** A `,` follows the last item. */
  trailingComma: boolean;
}

/** Reads a TOML array of strings starting at `open` (the `[`); undefined when it holds anything else. */
function readStringArray(text: string, open: number): TomlArray | undefined {
  const items: TomlArray['items'] = [];
  let i = open + 1;
  let trailingComma = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === ',') {
      if (items.length === 0 || trailingComma) return undefined;
      trailingComma = true;
      i++;
    } else if (ch === ']') {
      return { open, close: i, items, trailingComma };
    } else if (ch === '"' || ch === "'") {
      if (items.length > 0 && !trailingComma) return undefined;
      if (text.startsWith(ch.repeat(3), i)) return undefined; // multi-line strings: not worth guessing
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== ch && text[j] !== '\n') {
        if (ch === '"' && text[j] === '\\') {
          value += text[j + 1] ?? '';
          j += 2;
        } else value += text[j++];
      }
      if (text[j] !== ch) return undefined;
      items.push({ value, start: i, end: j + 1, quote: ch });
      trailingComma = false;
      i = j + 1;
    } else {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Adds packages to `[project] dependencies` (PEP 621) or `[tool.poetry.dependencies]`.
 * Anything else (dynamic dependencies, inline tables, multi-line strings) is refused.
 */
export function addPyprojectDependencies(text: string, names: readonly string[], file = 'pyproject.toml'): ManifestResult {
  const sections = tomlSections(text);
  const eol = detectEol(text);
  const present = new Set<string>();
  const project = sections.find((s) => s.name === 'project');
  const read = project && projectDependencies(text, project);
  if (read === 'unreadable') return { text: undefined, reason: `${file}: obs cannot read [project] dependencies (it expects a list of strings)` };
  const projectArray = read;
  let projectKeyMissing = false;
  if (project && projectArray) {
    for (const item of projectArray.items) {
      const match = NAME.exec(item.value.trim());
      if (match) present.add(normalizePackageName(match[1]!));
    }
  } else if (project && /^[ \t]*dynamic[ \t]*=[^\n]*["']dependencies["']/m.test(text.slice(project.start, project.contentEnd))) {
    return { text: undefined, reason: `${file} declares its dependencies as dynamic: add the packages where they are read from` };
  } else if (project) {
    projectKeyMissing = true;
  }
  const poetry = sections.filter((s) => /^tool\.poetry\.(?:group\.[^.]+\.)?(?:dev-)?dependencies$/.test(s.name));
  for (const section of poetry) {
    for (const match of text.slice(section.start, section.contentEnd).matchAll(new RegExp(POETRY_KEY.source, 'gm'))) {
      present.add(normalizePackageName(match[1]!));
    }
  }
  const missing = missingNames(names, present);
  if (missing.length === 0 && (projectArray || poetry.length > 0)) return { text, added: [] };

  if (projectArray) {
    const { open, close, items, trailingComma } = projectArray;
    const quote = items[0]?.quote ?? '"';
    const literal = (name: string) => (quote === "'" ? `'${name}'` : JSON.stringify(name));
    const multiLine = text.slice(open, close).includes('\n');
    if (!multiLine) {
      const lead = items.length === 0 ? '' : trailingComma ? ' ' : ', ';
      const insert = lead + missing.map(literal).join(', ');
      return { text: text.slice(0, close) + insert + text.slice(close), added: missing };
    }
    const firstLineStart = items[0] ? text.lastIndexOf('\n', items[0].start) + 1 : -1;
    const indent = items[0] ? /^[ \t]*/.exec(text.slice(firstLineStart))![0] : '    ';
    const lines = missing.map((name) => `${indent}${literal(name)},${eol}`).join('');
    // A list whose last entry has no comma (Poetry 2 writes them so): obs's lines go first, so the
    // user's lines stay as written and `obs remove` gives the list back byte for byte.
    if (items[0] && !trailingComma && text.slice(firstLineStart, items[0].start).trim() === '' && firstLineStart > open) {
      return { text: text.slice(0, firstLineStart) + lines + text.slice(firstLineStart), added: missing };
    }
    const last = items[items.length - 1];
    const closeLineStart = text.lastIndexOf('\n', close - 1) + 1;
    const closeAtLineStart = text.slice(closeLineStart, close).trim() === '';
    let out = text;
    if (closeAtLineStart) out = out.slice(0, closeLineStart) + lines + out.slice(closeLineStart);
    else out = out.slice(0, close) + eol + lines + out.slice(close);
    if (last && !trailingComma) out = out.slice(0, last.end) + ',' + out.slice(last.end);
    return { text: out, added: missing };
  }
  const target = poetry.find((s) => s.name === 'tool.poetry.dependencies');
  if (target) {
    const lines = missing.map((requirement) => poetryLine(requirement) + eol).join('');
    let at = target.contentEnd;
    let prefix = '';
    if (at > 0 && text[at - 1] !== '\n') prefix = eol;
    if (at === text.length && text !== '' && !text.endsWith('\n')) at = text.length;
    return { text: text.slice(0, at) + prefix + lines + text.slice(at), added: missing };
  }
  if (project && projectKeyMissing) {
    const lines = `dependencies = [${eol}${missing.map((n) => `    ${JSON.stringify(n)},${eol}`).join('')}]${eol}`;
    const at = project.contentEnd;
    const prefix = at > 0 && text[at - 1] !== '\n' ? eol : '';
    return { text: text.slice(0, at) + prefix + lines + text.slice(at), added: missing };
  }
  return { text: undefined, reason: `${file} has no [project] or [tool.poetry.dependencies] table obs can add packages to` };
}

/** The line obs writes into `[tool.poetry.dependencies]` for a requirement: `name = "1.2.3"` (`"*"` when unpinned). */
function poetryLine(requirement: string): string {
  const { name, spec } = splitRequirement(requirement);
  return `${name} = ${JSON.stringify(spec.replace(/^==/, '') || '*')}`;
}

export interface PyprojectRemoval {
  /** The file without the entries taken out (the input when none was). */
  text: string;
  /** The recorded entries taken out. */
  removed: string[];
  /** Recorded entries whose package is still declared, but no longer as obs wrote it: the user's now, left. */
  changed: { entry: string; now: string }[];
}

interface Cut {
  start: number;
  end: number;
}

/**
 * Takes out of `[project] dependencies` and `[tool.poetry.dependencies]` the `entries` obs
 * recorded adding (requirement strings as obs wrote them), each only while it reads exactly as
 * obs wrote it. An entry alone on its line goes with its line; a list whose entries all go is
 * taken out whole when it spans whole lines (as obs writes a list it creates), else left `[]`.
 * The result must parse to the same document less those entries; otherwise nothing is removed
 * and every entry is reported changed (the user then removes them by hand).
 */
export function removePyprojectDependencies(text: string, entries: readonly string[]): PyprojectRemoval {
  const sections = tomlSections(text);
  const recorded = new Set(entries);
  const nameOf = (requirement: string) => normalizePackageName(NAME.exec(requirement.trim())?.[1] ?? requirement);
  const cuts: Cut[] = [];
  const removed: string[] = [];
  const declared = new Map<string, string>();

  const project = sections.find((s) => s.name === 'project');
  const read = project && projectDependencies(text, project);
  const array = read === 'unreadable' ? undefined : read;
  if (array) {
    const gone = new Set(array.items.filter((item) => recorded.has(item.value.trim()) && !removed.includes(item.value.trim())));
    for (const item of array.items) {
      if (gone.has(item)) removed.push(item.value.trim());
      else declared.set(nameOf(item.value), item.value.trim());
    }
    cuts.push(...arrayCuts(text, array, gone));
  }
  const poetry = sections.find((s) => s.name === 'tool.poetry.dependencies');
  if (poetry) {
    const lines = new Map(entries.map((entry) => [poetryLine(entry), entry]));
    for (const { start, end, next } of lineSpans(text.slice(0, poetry.contentEnd)).filter((l) => l.start > poetry.start)) {
      const line = text.slice(start, end).trim();
      const entry = lines.get(line);
      if (entry !== undefined && !removed.includes(entry)) {
        removed.push(entry);
        cuts.push({ start, end: next });
        continue;
      }
      const key = POETRY_KEY.exec(line);
      if (key) declared.set(normalizePackageName(key[1]!), line);
    }
  }
  const changed = entries.filter((e) => !removed.includes(e) && declared.has(nameOf(e))).map((entry) => ({ entry, now: declared.get(nameOf(entry))! }));
  if (removed.length === 0) return { text, removed, changed };

  let out = text;
  for (const { start, end } of mergeCuts(cuts).reverse()) out = out.slice(0, start) + out.slice(end);
  if (!readsAsWithout(text, out, removed)) return { text, removed: [], changed: [...changed, ...removed.map((entry) => ({ entry, now: entry }))] };
  return { text: out, removed, changed };
}

/** `[project] dependencies` as a list of strings; 'unreadable' when the key holds anything else; undefined without the key. */
function projectDependencies(text: string, project: TomlSection): TomlArray | 'unreadable' | undefined {
  const body = text.slice(project.start, project.contentEnd);
  const key = /^[ \t]*dependencies[ \t]*=[ \t]*/m.exec(body);
  if (!key) return undefined;
  const open = project.start + key.index + key[0].length;
  return (text[open] === '[' ? readStringArray(text, open) : undefined) ?? 'unreadable';
}

/** A key of a Poetry dependency table (`flask = "^3.0"`, `"my.pkg" = {...}`): the package name. */
const POETRY_KEY = /^[ \t]*["']?([A-Za-z0-9][A-Za-z0-9._-]*)["']?[ \t]*=/;

/** The text to cut so that the `gone` items leave `array` and the rest stays as written. */
function arrayCuts(text: string, array: TomlArray, gone: ReadonlySet<TomlArray['items'][number]>): Cut[] {
  if (gone.size === 0) return [];
  const { open, close, items } = array;
  const multiLine = text.slice(open, close).includes('\n');
  if (gone.size === items.length) {
    if (!multiLine) return [{ start: open + 1, end: close }];
    // `dependencies = [` ... `]` on lines of their own: the statement goes whole (an empty list declares nothing).
    const keyLine = text.lastIndexOf('\n', open) + 1;
    const after = /^[ \t]*(?:#[^\n]*)?(?:\r?\n|$)/.exec(text.slice(close + 1));
    if (after && /^[ \t]*dependencies[ \t]*=[ \t]*$/.test(text.slice(keyLine, open))) return [{ start: keyLine, end: close + 1 + after[0].length }];
    return [{ start: open + 1, end: text.lastIndexOf('\n', close - 1) + 1 }];
  }
  const cuts: Cut[] = [];
  const firstKept = items.findIndex((item) => !gone.has(item));
  items.forEach((item, i) => {
    if (!gone.has(item)) return;
    const line = aloneOnLine(text, item);
    if (multiLine && line) cuts.push(line);
    // Before the first item obs keeps: up to that item; after it: the separator before, and the item.
    else if (i < firstKept) cuts.push({ start: item.start, end: items[i + 1]!.start });
    else cuts.push({ start: items[i - 1]!.end, end: item.end });
  });
  return cuts;
}

/** The whole line of an item that is alone on it (indent, the item, a comma), else undefined. */
function aloneOnLine(text: string, item: { start: number; end: number }): Cut | undefined {
  const start = text.lastIndexOf('\n', item.start - 1) + 1;
  if (text.slice(start, item.start).trim() !== '') return undefined;
  const rest = /^[ \t]*,?[ \t]*(?:\r?\n|$)/.exec(text.slice(item.end));
  return rest ? { start, end: item.end + rest[0].length } : undefined;
}

function mergeCuts(cuts: readonly Cut[]): Cut[] {
  const out: Cut[] = [];
  for (const cut of [...cuts].sort((a, b) => a.start - b.start)) {
    const last = out[out.length - 1];
    if (last && cut.start <= last.end) last.end = Math.max(last.end, cut.end);
    else out.push({ ...cut });
  }
  return out;
}

/** `after` parses to `before`'s document less the `removed` entries (an empty dependency list counts as none). */
function readsAsWithout(before: string, after: string, removed: readonly string[]): boolean {
  let expected: TomlTable;
  let actual: TomlTable;
  try {
    expected = parse(before);
    actual = parse(after);
  } catch {
    return false;
  }
  const gone = new Set(removed);
  const names = new Set(removed.map((entry) => splitRequirement(entry).name));
  const project = expected.project as TomlTable | undefined;
  if (Array.isArray(project?.dependencies)) {
    project.dependencies = project.dependencies.filter((d) => typeof d !== 'string' || !gone.has(d.trim()));
    if (project.dependencies.length === 0 && !Array.isArray((actual.project as TomlTable | undefined)?.dependencies)) delete project.dependencies;
  }
  const poetry = ((expected.tool as TomlTable | undefined)?.poetry as TomlTable | undefined)?.dependencies as TomlTable | undefined;
  if (poetry) for (const name of names) if (typeof poetry[name] === 'string') delete poetry[name];
  return JSON.stringify(expected) === JSON.stringify(actual);
}
