/**
 * Adds Python packages to a service's requirements file (pyproject.toml: pyproject-dependencies.ts)
 * as text edits: comments, order, spacing and line endings stay as they were, and a package
 * already listed in any spelling (case, `_`/`.`/`-`, extras, version specifiers, `#egg=`) is
 * left alone. A file obs cannot read with confidence is refused with a reason, never guessed at.
 */
import { includedRequirement, includedRequirementFiles } from '../stacks/pip-installs.js';
import { readPyproject } from '../stacks/pyproject.js';
import { detectEol } from '../text/edits.js';

export { includedRequirementFiles };

export type ManifestResult =
  /** `added` is empty when every package was there already (then `text` is the input). */
  { text: string; added: string[] } | { text: undefined; reason: string };

/** The comment obs writes above the lines it appends. */
export const ADDED_COMMENT = 'Observability (added by obs init)';

/** PEP 503 normalisation: `Flask_Cors` and `flask.cors` are both `flask-cors`. */
export function normalizePackageName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export const NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$/;
/** What may follow a name: nothing, a version specifier, a marker, a URL (`@`) or the old `(>=1)` form. */
const AFTER_NAME = /^(?:$|[<>=!~;@(,])/;
const URL_OR_PATH = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/|(?:git|hg|svn|bzr)\+|\.{1,2}[\\/]|[\\/~]|[A-Za-z]:[\\/])|\.(?:whl|zip|tar\.gz|tgz|tar\.bz2)$/i;

interface RequirementsRead {
  names: Set<string>;
  /** Normalised name -> what follows it (version specifier, marker), when read. */
  specs?: Map<string, string>;
  /** Normalised name -> the file that declares it, when read. */
  origins?: Map<string, string>;
  /** Requirements without a readable name (`-e .`, a URL without #egg=). */
  unnamed: string[];
  error?: string;
  /** `file:line` of the first `--hash` or `--require-hashes`: pip then wants a hash on every line. */
  hashed?: string;
}

/**
 * Reads a requirements file the way pip does (continuation lines, ` #` comments, options),
 * following `-r` lines through `include` (path relative to the service folder -> text).
 */
function readRequirements(text: string, file: string, include: ((path: string) => string | undefined) | undefined, seen: Set<string>, out: RequirementsRead): void {
  const physical = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < physical.length; i++) {
    const lineNo = i + 1;
    let raw = physical[i]!;
    // A backslash at the end joins the next line (not on a comment line).
    while (/\\$/.test(raw) && !/^\s*#/.test(raw) && i + 1 < physical.length) raw = raw.slice(0, -1) + physical[++i]!;
    const line = raw.replace(/(^|\s+)#.*$/, '').trim();
    if (line === '') continue;
    if (/(?:^|\s)--(?:hash|require-hashes)\b/.test(line)) out.hashed ??= `${file}:${lineNo}`;
    const path = includedRequirement(line, file);
    if (path !== undefined) {
      const target = seen.has(path) ? undefined : include?.(path);
      if (target !== undefined) {
        seen.add(path);
        // A file pip reads through -r is not edited: only the names it lists count.
        const nested: RequirementsRead = { names: out.names, unnamed: out.unnamed, ...(out.specs ? { specs: out.specs } : {}), ...(out.origins ? { origins: out.origins } : {}) };
        readRequirements(target, path, include, seen, nested);
        // Hash-checking mode covers the whole install, whichever file turns it on.
        if (nested.hashed) out.hashed ??= nested.hashed;
      }
      continue;
    }
    const editable = /^(?:-e|--editable)(?:\s*=\s*|\s*)(\S.*)$/.exec(line);
    if (editable) {
      addUnnamed(out, editable[1]!, line);
      continue;
    }
    if (line.startsWith('-')) continue; // -c, -i, --extra-index-url, --hash, --pre, ...
    if (URL_OR_PATH.test(line.split(/\s+/)[0]!)) {
      addUnnamed(out, line, line);
      continue;
    }
    const match = NAME.exec(line);
    if (!match || !AFTER_NAME.test(match[3]!)) {
      out.error ??= `${file}:${lineNo}: obs cannot read \`${physical[i]!.trim()}\` as a requirement`;
      continue;
    }
    const name = normalizePackageName(match[1]!);
    out.names.add(name);
    out.specs?.set(name, match[3]!.trim());
    if (!out.origins?.has(name)) out.origins?.set(name, file);
  }
}

function addUnnamed(out: RequirementsRead, target: string, line: string): void {
  const egg = /[#&]egg=([A-Za-z0-9._-]+)/.exec(target);
  if (egg) out.names.add(normalizePackageName(egg[1]!));
  else out.unnamed.push(line);
}

export interface RequirementsOptions {
  /** The file's name in messages and for resolving `-r` lines (default requirements.txt). */
  file?: string;
  /** Text of a file a `-r` line names, when it was read. */
  include?: (path: string) => string | undefined;
}

/** Appends the packages `text` lacks, under one comment line, keeping everything else byte for byte. */
export function addRequirements(text: string, names: readonly string[], options: RequirementsOptions = {}): ManifestResult {
  const file = options.file ?? 'requirements.txt';
  const read: RequirementsRead = { names: new Set(), unnamed: [] };
  readRequirements(text, file, options.include, new Set([file]), read);
  if (read.error) return { text: undefined, reason: read.error };
  if (read.names.size === 0 && read.unnamed.length > 0) {
    return {
      text: undefined,
      reason: `${file} only installs \`${read.unnamed[0]}\`: the packages are declared elsewhere (setup.py or pyproject.toml)`,
    };
  }
  const missing = missingNames(names, read.names);
  if (missing.length === 0) return { text, added: [] };
  if (read.hashed) {
    return {
      text: undefined,
      reason:
        `${read.hashed}: pip checks hashes for every package of this file (--hash), so a package added without its hash stops pip install; ` +
        'add the packages to the file it is generated from (e.g. requirements.in) and regenerate it with hashes',
    };
  }
  return { text: appendBlock(text, [`# ${ADDED_COMMENT}`, ...missing]), added: missing };
}

/** `name==1.2` -> name and `==1.2` (a requirement obs itself writes: a name and an optional specifier). */
export function splitRequirement(requirement: string): { name: string; spec: string } {
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$/.exec(requirement.trim());
  return m ? { name: m[1]!, spec: m[2]!.trim() } : { name: requirement.trim(), spec: '' };
}

/**
 * The packages a service declares (normalised name -> specifier, '' when none): `manifest` (by
 * default requirements.txt when there is one) with the files its `-r` lines name, or
 * pyproject.toml ([project] dependencies and Poetry tables).
 */
export function declaredPythonPackages(files: ReadonlyMap<string, string>, manifest?: string): Map<string, string> {
  return new Map([...pythonDeclarations(files, manifest)].map(([name, { spec }]) => [name, spec]));
}

/** declaredPythonPackages with the file that declares each package (a file a `-r` line names, for one listed there). */
export function pythonDeclarations(files: ReadonlyMap<string, string>, manifest?: string): Map<string, { spec: string; file: string }> {
  const file = manifest ?? (files.has('requirements.txt') ? 'requirements.txt' : 'pyproject.toml');
  const requirements = file === 'pyproject.toml' ? undefined : files.get(file);
  const out = new Map<string, { spec: string; file: string }>();
  if (requirements !== undefined) {
    const read: RequirementsRead = { names: new Set(), unnamed: [], specs: new Map(), origins: new Map() };
    readRequirements(requirements, file, (p) => files.get(p), new Set([file]), read);
    for (const name of read.names) out.set(name, { spec: read.specs!.get(name) ?? '', file: read.origins!.get(name) ?? file });
    return out;
  }
  const pyproject = files.get('pyproject.toml');
  const read = pyproject === undefined ? undefined : readPyproject(pyproject);
  for (const requirement of read?.dependencies ?? []) {
    const match = NAME.exec(requirement.trim());
    if (match) out.set(normalizePackageName(match[1]!), { spec: match[3]!.trim(), file: 'pyproject.toml' });
  }
  for (const { name, spec } of read?.poetry ?? []) out.set(normalizePackageName(name), { spec, file: 'pyproject.toml' });
  return out;
}

export function missingNames(wanted: readonly string[], present: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const requirement of wanted) {
    const name = requirement;
    const key = normalizePackageName(splitRequirement(requirement).name);
    if (!present.has(key) && !out.some((n) => normalizePackageName(splitRequirement(n).name) === key)) out.push(name);
  }
  return out;
}

/** Appends lines at the end, after a blank line, in the file's own line ending. */
export function appendBlock(text: string, lines: readonly string[]): string {
  const eol = detectEol(text);
  let body = text;
  if (body !== '' && !body.endsWith('\n')) body += eol;
  const lastLine =
    body
      .replace(/\r?\n$/, '')
      .split(/\r?\n/)
      .pop() ?? '';
  if (body.replace(/^\uFEFF/, '') !== '' && lastLine.trim() !== '') body += eol;
  return body + lines.map((l) => l + eol).join('');
}

/**
 * The lines obs appended to a requirements file or Gemfile (each block under its
 * `# Observability (added by obs init)` comment) taken out, with the blank line appendBlock put
 * before the block. A block runs on while its lines are ones obs writes (`owned`: a package obs
 * adds), so a line the user appended right after it is not taken for obs's. `keep` decides per
 * line whether it stays: a block whose lines all go loses its comment too. Lines outside obs's
 * blocks are never touched.
 */
export function removeAddedLines(text: string, owned: (line: string) => boolean, keep: (line: string) => boolean = () => false): { text: string; removed: string[] } {
  const lines = text.split(/(?<=\n)/);
  const out: string[] = [];
  const removed: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.replace(/\r?\n$/, '') !== `# ${ADDED_COMMENT}`) {
      out.push(line);
      continue;
    }
    // The block: the lines after the comment up to a blank line, another comment or the end.
    let end = i + 1;
    while (end < lines.length && lines[end]!.trim() !== '' && owned(lines[end]!.trim())) end++;
    const block = lines.slice(i + 1, end);
    const kept = block.filter((l) => keep(l.trim()));
    removed.push(...block.filter((l) => !keep(l.trim())).map((l) => l.trim()));
    if (kept.length > 0) out.push(line, ...kept);
    // The blank line before the block was appendBlock's, unless something that is not blank follows.
    else if (out.length > 0 && out[out.length - 1]!.trim() === '' && (end >= lines.length || lines[end]!.trim() === '')) out.pop();
    i = end - 1;
  }
  return { text: out.join(''), removed };
}
