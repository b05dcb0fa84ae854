/**
 * Edits that leave every byte of the user's `.env` alone except the ones being changed:
 * new keys go at the end, a changed value is replaced inside its own line.
 */
import { UsageError } from '../errors.js';
import { linesOf, withoutLines } from '../text/lines.js';
import { isValidDotenvKey, scanDotenv } from './parse.js';

export interface DotenvAddition {
  key: string;
  value: string;
  /** Written as `# comment` line(s) just above the key. */
  comment?: string;
}

const SAFE = /^[A-Za-z0-9_./:@+,=-]*$/;
const DOUBLE_QUOTED: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', $: '$$' };

/** Writes a value so compose reads back exactly `value`, with no interpolation. */
export function formatDotenvValue(value: string): string {
  if (SAFE.test(value)) return value;
  // Single quotes keep `$` literal. They cannot carry a backslash before a quote or at the
  // very end, and a newline would spread the key over several lines: those fall through.
  if (value.includes('$') && !/\\'|\\$|[\r\n]/.test(value)) return `'${value.replaceAll("'", "\\'")}'`;
  // In double quotes `$$` is compose's escape for a literal `$`.
  return `"${value.replace(/[\\"\r\n$]/g, (c) => DOUBLE_QUOTED[c] ?? c)}"`;
}

/**
 * Returns new text: existing lines untouched byte for byte; each addition whose key is not
 * already present is appended as (optional `# comment` line) + `KEY=value` using the file's
 * eol. A file without a final newline stays without one: the line ending goes before the new
 * lines instead, so taking them out again (withoutLines) gives the file back byte for byte.
 * If nothing is added the original string is returned.
 */
export function appendDotenvKeys(text: string, additions: DotenvAddition[], file?: string): string {
  const { spans, eol, finalNewline } = scanDotenv(text, file);
  const present = new Set(spans.map((s) => s.entry.key));
  const lines: string[] = [];
  for (const { key, value, comment } of additions) {
    if (present.has(key)) continue;
    if (!isValidDotenvKey(key)) throw new UsageError(`invalid variable name ${JSON.stringify(key)}`, { file });
    present.add(key);
    if (comment !== undefined) for (const c of comment.split(/\r?\n/)) lines.push(c ? `# ${c}` : '#');
    lines.push(`${key}=${formatDotenvValue(value)}`);
  }
  if (lines.length === 0) return text;
  // An empty file (or bare BOM) has no last line to end.
  const unterminated = text.replace(/^\uFEFF/, '') !== '' && !finalNewline;
  return unterminated ? text + eol + lines.join(eol) : text + lines.join(eol) + eol;
}

/**
 * Replaces the value of an existing key in place (keeps `export `, quoting around it is
 * rewritten, everything else byte for byte). With duplicates the last one, the one compose
 * uses, is changed. A bare inherited `KEY` becomes `KEY=value`.
 */
export function setDotenvValue(text: string, key: string, value: string, file?: string): string {
  const span = scanDotenv(text, file)
    .spans.filter((s) => s.entry.key === key)
    .pop();
  if (!span) throw new UsageError(`${key} is not set in this file`, { file });
  const formatted = formatDotenvValue(value);
  if (span.entry.value === undefined) {
    return text.slice(0, span.keyEnd) + '=' + formatted + text.slice(span.keyEnd);
  }
  return text.slice(0, span.valueStart) + formatted + text.slice(span.valueEnd);
}

/**
 * Takes out `KEY=` lines obs wrote as placeholders: an empty value right under the very comment
 * obs writes for it (its marker: a changed comment or a filled-in value is the user's). Every
 * other byte stays, and a file without a final newline stays without one. `markers`: for each
 * key, the comments obs wrote above it.
 */
export function removeDotenvPlaceholders(text: string, markers: ReadonlyMap<string, readonly string[]>): string {
  const lines = linesOf(text);
  const bare = (line: string) => line.replace(/\r?\n$/, '');
  const drop = new Set<number>();
  for (const [key, comments] of markers) {
    const at = lines.findIndex((line) => bare(line) === `${key}=`);
    // A key set twice is a file someone edited: left alone.
    if (at < 1 || lines.some((line, i) => i !== at && bare(line).trimStart().startsWith(`${key}=`))) continue;
    if (!comments.some((c) => bare(lines[at - 1]!) === `# ${c}`)) continue;
    drop.add(at - 1).add(at);
  }
  return drop.size === 0 ? text : withoutLines(lines, drop);
}
