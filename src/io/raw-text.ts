/**
 * Text files that are not all UTF-8 (a Latin-1 `DB_PASSWORD=p\xe4ss` in `.env`), read so that
 * writing them back changes no byte obs did not mean to change. Each byte that is not part of
 * valid UTF-8 becomes a lone surrogate U+DC80..U+DCFF (Python's "surrogateescape"), which no
 * UTF-8 decoder ever produces, and encodeText turns it back into that byte. Edits obs makes are
 * line-wise (appends to `.env`, `.env.example`, `.gitignore`), so the bytes of every untouched
 * line survive exactly.
 */

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export interface DecodedText {
  text: string;
  /** Where the first byte that is not UTF-8 sits (1-based line and byte column), if any. */
  invalid?: { line: number; col: number; byte: number };
}

export function decodeBytes(bytes: Uint8Array): DecodedText {
  try {
    return { text: UTF8.decode(bytes) };
  } catch {
    return decodeEscaping(bytes);
  }
}

function decodeEscaping(bytes: Uint8Array): DecodedText {
  let text = '';
  let invalid: DecodedText['invalid'];
  let runStart = 0;
  let i = 0;
  const flush = (end: number) => {
    if (end > runStart) text += UTF8.decode(bytes.subarray(runStart, end));
  };
  while (i < bytes.length) {
    const length = validSequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    flush(i);
    if (!invalid) invalid = { ...position(bytes, i), byte: bytes[i]! };
    text += String.fromCharCode(0xdc00 + bytes[i]!);
    i++;
    runStart = i;
  }
  flush(bytes.length);
  return { text, invalid };
}

/** The length of the valid UTF-8 sequence at `i`, or 0 (RFC 3629: no overlongs, no surrogates). */
function validSequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

function position(bytes: Uint8Array, at: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: at - lineStart + 1 };
}

const ESCAPED = /[\uDC80-\uDCFF]/;

/** The bytes of `text`: UTF-8, with each escaped byte (see decodeBytes) written as itself. */
export function encodeText(text: string): Buffer {
  if (!ESCAPED.test(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A low surrogate after a high one is half of a real character, not an escaped byte.
    if (code < 0xdc80 || code > 0xdcff || (i > 0 && isHighSurrogate(text.charCodeAt(i - 1)))) continue;
    parts.push(Buffer.from(text.slice(start, i), 'utf8'), Buffer.from([code - 0xdc00]));
    start = i + 1;
  }
  parts.push(Buffer.from(text.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** For showing text read with decodeBytes: each escaped byte as `\xE4`. */
export function showEscapedBytes(text: string): string {
  return ESCAPED.test(text)
    ? text.replace(/[\uDC80-\uDCFF]/g, (c, offset: number) => (offset > 0 && isHighSurrogate(text.charCodeAt(offset - 1)) ? c : `\\x${(c.charCodeAt(0) - 0xdc00).toString(16).toUpperCase()}`))
    : text;
}

/** One line for a file that must be UTF-8 (YAML): where the first other byte is. */
export function notUtf8Message(invalid: NonNullable<DecodedText['invalid']>, bytes: Uint8Array): string {
  // The byte-order mark names the encoding (compose/validity.ts words it the same way for NUL-detected ones).
  const utf16 = bytes[0] === 0xff && bytes[1] === 0xfe ? 'little-endian' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'big-endian' : undefined;
  if (utf16) return `the file is UTF-16 (${utf16}) text; compose and obs read YAML as UTF-8 only: convert it (iconv -f UTF-16 -t UTF-8) and run obs again`;
  return `is not UTF-8 text (byte 0x${invalid.byte.toString(16).toUpperCase().padStart(2, '0')}); compose and obs read YAML as UTF-8 only: save the file as UTF-8 and run obs again`;
}
