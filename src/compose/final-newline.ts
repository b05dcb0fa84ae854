import type { TextEdit } from '../text/edits.js';
import type { ComposeFile } from './parse.js';

/** A file without a final newline stays without one: lines appended at its end drop their last line ending. */
export function keepMissingFinalNewline(file: ComposeFile, edits: TextEdit[]): TextEdit[] {
  if (file.text === '' || file.text.endsWith('\n')) return edits;
  return edits.map((edit) => (edit.start === file.text.length && edit.text.endsWith(file.eol) ? { ...edit, text: edit.text.slice(0, -file.eol.length) } : edit));
}
