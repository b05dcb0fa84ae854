/**
 * `.env` reader that accepts what docker compose accepts (compose-go v2 `dotenv/parser.go`),
 * without interpolating `${VAR}`: values are the text compose would hand to its interpolator.
 * It also records where each value sits in the source so edit.ts can change one value and
 * leave every other byte alone.
 */
import { UsageError } from '../errors.js';
import { detectEol } from '../text/edits.js';

export interface DotenvEntry {
  key: string;
  /** Unquoted/unescaped text, not interpolated; undefined for a bare `KEY` (inherited from the shell). */
  value: string | undefined;
  /** 1-based line of the key. */
  line: number;
  /** 'single' means compose takes the value literally; otherwise it would interpolate `$`. */
  quote: 'none' | 'single' | 'double';
}

export interface DotenvFile {
  entries: DotenvEntry[];
  eol: '\n' | '\r\n';
  finalNewline: boolean;
}

/** An entry plus the offsets edit.ts needs, all in the original text (BOM included). */
export interface DotenvSpan {
  entry: DotenvEntry;
  /** Just after the key (where `=value` goes for an inherited key). */
  keyEnd: number;
  /** The raw value, quotes included; empty range for `KEY=` and for an inherited key. */
  valueStart: number;
  valueEnd: number;
}

const BOM = '\uFEFF';
// Key characters compose-go allows: Unicode letters/digits plus `_ . - [ ]`.
const KEY_CHAR = /[\p{L}\p{N}_.\-[\]]/u;
// Whitespace as Go's unicode.IsSpace sees it: JS `\s` would also swallow a stray BOM.
const SPACE = /[^\S\uFEFF]/;
// compose-go's isSpace: blanks that are not a line break.
const BLANK = /[ \t\v\f\r\u0085\u00a0]/;
// `export` is only a prefix when something follows it; `export=1` sets a key named export.
const EXPORT = /^export[ \t]+(?=\S)/;

const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  f: '\f',
  a: '\x07',
  b: '\b',
  '\\': '\\',
  '"': '"',
  // compose turns `\$` into `$$`, its interpolation escape, so it can be told apart from `$`.
  $: '$$',
};

export function parseDotenv(text: string, file?: string): DotenvFile {
  const { spans, eol, finalNewline } = scanDotenv(text, file);
  return { entries: spans.map((s) => s.entry), eol, finalNewline };
}

/** Last assignment wins, as in compose. */
export function dotenvToMap(parsed: DotenvFile): Map<string, string | undefined> {
  const map = new Map<string, string | undefined>();
  for (const e of parsed.entries) map.set(e.key, e.value);
  return map;
}

export function isValidDotenvKey(key: string): boolean {
  return key !== '' && [...key].every((c) => KEY_CHAR.test(c));
}

export function scanDotenv(text: string, file?: string): { spans: DotenvSpan[]; eol: '\n' | '\r\n'; finalNewline: boolean } {
  const spans: DotenvSpan[] = [];
  let pos = text.startsWith(BOM) ? 1 : 0;
  let line = 1;

  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl === -1 ? text.length : nl;
    const next = lineEnd + 1;
    let i = pos;
    while (i < lineEnd && SPACE.test(text.charAt(i))) i++;
    if (i === lineEnd || text[i] === '#') {
      pos = next;
      line++;
      continue;
    }

    i += EXPORT.exec(text.slice(i, lineEnd))?.[0].length ?? 0;
    const sepAt = indexOfAny(text, '=:', i, lineEnd);
    const keyRaw = text.slice(i, sepAt === -1 ? lineEnd : sepAt).replace(/\s+$/, '');
    const key = checkKey(keyRaw, file, line, i - pos + 1);
    const keyEnd = i + keyRaw.length;

    if (sepAt === -1) {
      // A bare `KEY`: compose takes its value from the shell environment.
      const entry: DotenvEntry = { key, value: undefined, line, quote: 'none' };
      spans.push({ entry, keyEnd, valueStart: keyEnd, valueEnd: keyEnd });
      pos = next;
      line++;
      continue;
    }

    let v = sepAt + 1;
    while (v < lineEnd && BLANK.test(text.charAt(v))) v++;
    const q = text[v];

    if (q !== "'" && q !== '"') {
      // Unquoted: a comment needs a space before `#` (so `a#b` keeps its `#`); compose trims
      // leading blanks first, which makes `KEY= # x` the value "# x".
      const raw = text.slice(v, lineEnd);
      const hash = raw.indexOf(' #');
      const value = (hash === -1 ? raw : raw.slice(0, hash)).trimEnd();
      const entry: DotenvEntry = { key, value, line, quote: 'none' };
      spans.push({ entry, keyEnd, valueStart: v, valueEnd: v + value.length });
      pos = next;
      line++;
      continue;
    }

    const quoted = readQuoted(text, v);
    if (!quoted) throw new UsageError(`unterminated quoted value for ${key}`, { file, line });
    const { value, close } = quoted;
    spans.push({
      entry: { key, value, line, quote: q === "'" ? 'single' : 'double' },
      keyEnd,
      valueStart: v,
      valueEnd: close + 1,
    });
    line += countNewlines(text, v, close);

    // compose would read anything here as the next statement; only a comment makes sense.
    const closeNl = text.indexOf('\n', close);
    const closeLineEnd = closeNl === -1 ? text.length : closeNl;
    if (!/^\s*(#|$)/.test(text.slice(close + 1, closeLineEnd))) {
      throw new UsageError(`unexpected text after the closing quote of ${key}`, { file, line });
    }
    pos = closeLineEnd + 1;
    line++;
  }

  return { spans, eol: detectEol(text), finalNewline: text.endsWith('\n') };
}

/**
 * The messages never repeat the text: a line without `=` is often a pasted secret, so they say
 * where (line:col) and what, not what was written.
 */
function checkKey(key: string, file: string | undefined, line: number, col: number): string {
  const err = (message: string, at: number) => new UsageError(message, { file, line, col: col + at });
  if (key === '') throw new UsageError('missing variable name before the "=" or ":"', { file, line });
  const chars = [...key];
  const bad = chars.findIndex((c) => !KEY_CHAR.test(c) && !SPACE.test(c));
  if (bad !== -1) throw err(`unexpected character ${JSON.stringify(chars[bad])} in a variable name (letters, digits and _ . - [ ] only)`, chars.slice(0, bad).join('').length);
  const space = chars.findIndex((c) => SPACE.test(c));
  if (space !== -1) throw err('a variable name cannot contain whitespace (is the "=" missing?)', chars.slice(0, space).join('').length);
  return key;
}

/**
 * Reads a quoted value starting at the opening quote. A backslash always pairs with the next
 * character, so `"a\\"` ends at the last quote. In single quotes only `\'` loses its backslash;
 * in double quotes the shell escapes are expanded and unknown ones are kept as written.
 */
function readQuoted(text: string, open: number): { value: string; close: number } | undefined {
  const quote = text[open];
  let value = '';
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (c === quote) return { value, close: i };
    if (c !== '\\' || i + 1 === text.length) {
      value += c;
      continue;
    }
    const e = text.charAt(++i);
    if (e === quote) value += e;
    else if (quote === "'") value += '\\' + e;
    else if (e === '0' && /^[0-3][0-7]{2}$/.test(text.slice(i + 1, i + 4))) {
      // compose also reads `\0ooo` as an octal byte (`\0101` is "A").
      value += String.fromCharCode(parseInt(text.slice(i + 1, i + 4), 8));
      i += 3;
    } else value += ESCAPES[e] ?? '\\' + e;
  }
  return undefined;
}

function indexOfAny(text: string, chars: string, from: number, to: number): number {
  for (let i = from; i < to; i++) if (chars.includes(text.charAt(i))) return i;
  return -1;
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
