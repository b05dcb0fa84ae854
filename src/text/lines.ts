/** Lines of `text`, each with its line ending (the last one may have none). */
export function linesOf(text: string): string[] {
  return text.split(/(?<=\n)/);
}

/**
 * `lines` joined again without the ones at the indexes in `drop`. A file without a final newline
 * stays without one: when its unterminated last line goes, the line ending of the last line kept
 * goes with it (obs put it there to start the lines it appended; see appendDotenvKeys).
 */
export function withoutLines(lines: readonly string[], drop: ReadonlySet<number>): string {
  const kept = lines.filter((_, i) => !drop.has(i)).join('');
  const last = lines.length - 1;
  return drop.has(last) && !lines[last]!.endsWith('\n') ? kept.replace(/\r?\n$/, '') : kept;
}
