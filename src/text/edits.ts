/**
 * Minimal text edits against the original source. obs never re-serialises a user's YAML:
 * it inserts or replaces exact byte ranges found through the parsed Document, so comments,
 * spacing, quoting and line endings elsewhere stay byte-identical.
 */
export interface TextEdit {
  /** Offset in the original text. */
  start: number;
  /** Exclusive end of the replaced range; equal to start for a pure insertion. */
  end: number;
  text: string;
}

/** Applies non-overlapping edits; insertions at the same offset keep their given order. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const ordered = edits.map((edit, index) => ({ edit, index })).sort((a, b) => a.edit.start - b.edit.start || a.index - b.index);
  let out = '';
  let cursor = 0;
  for (const { edit } of ordered) {
    if (edit.start < cursor) throw new Error(`overlapping text edits at offset ${edit.start}`);
    out += text.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
  }
  return out + text.slice(cursor);
}

export function detectEol(text: string): '\n' | '\r\n' {
  const lf = text.indexOf('\n');
  return lf > 0 && text[lf - 1] === '\r' ? '\r\n' : '\n';
}

export function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Column (0-based) of an offset within its line; a leading byte-order mark takes no column. */
export function columnOf(text: string, offset: number): number {
  const start = lineStartOf(text, offset);
  const bom = start === 0 && offset > 0 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
  return offset - start - bom;
}

/** 1-based line and column of an offset, for error messages. */
export function lineColOf(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return { line, col: columnOf(text, offset) + 1 };
}

/**
 * Builds an edit that inserts whole lines after the line on which `contentEnd` lies
 * (or at `contentEnd` when it already sits at the start of a line, as after a block scalar).
 * Each line gets `indent` and the file's line ending.
 */
export function insertLinesAfter(text: string, contentEnd: number, indent: string, lines: readonly string[], eol: string): TextEdit {
  let at = contentEnd;
  let prefix = '';
  if (at > 0 && text[at - 1] !== '\n') {
    const nl = text.indexOf('\n', at);
    if (nl === -1) {
      at = text.length;
      prefix = eol;
    } else {
      at = nl + 1;
    }
  }
  const body = lines.map((line) => (line === '' ? '' : indent + line) + eol).join('');
  return { start: at, end: at, text: prefix + body };
}
