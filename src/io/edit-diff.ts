import type { TextEdit } from '../text/edits.js';

/**
 * A unified diff built straight from the text edits obs planned: linear in the file size,
 * where a general diff algorithm is quadratic on large compose files with many insertions.
 * Output matches `diff -u` (3 lines of context, "\ No newline at end of file" markers).
 */
export function diffFromEdits(oldName: string, newName: string, before: string, edits: readonly TextEdit[], context = 3): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  if (sorted.length === 0) return '';
  const only = sorted.length === 1 ? sorted[0]! : undefined;
  if (before === '' && only && only.start === 0 && only.end === 0 && only.text !== '') return newFileDiff(oldName, newName, only.text);
  const oldLines = splitLines(before);
  const lineStarts = lineStartOffsets(before);
  const lineOf = (offset: number) => upperBound(lineStarts, offset) - 1;

  const afterNoNewline = endsWithoutNewline(before, sorted);

  // 1. Regions of whole old lines that the edits touch, each with the new lines replacing them.
  const changes: Change[] = [];
  let i = 0;
  while (i < sorted.length) {
    const regionStart = lineStarts[lineOf(sorted[i]!.start)]!;
    let regionEnd = touchedLinesEnd(before, sorted[i]!);
    let j = i + 1;
    // The next edit joins when it touches a line already in the region (its own line starts before the region ends).
    while (j < sorted.length && lineStarts[lineOf(sorted[j]!.start)]! < regionEnd) {
      regionEnd = Math.max(regionEnd, touchedLinesEnd(before, sorted[j]!));
      j++;
    }
    let text = '';
    let cursor = regionStart;
    for (const edit of sorted.slice(i, j)) {
      text += before.slice(cursor, edit.start) + edit.text;
      cursor = edit.end;
    }
    text += before.slice(cursor, regionEnd);
    const oldStart = lineOf(regionStart);
    const oldCount = regionEnd === regionStart ? 0 : lineOf(regionEnd - 1) - oldStart + 1;
    const change = withoutSameLines({ oldStart, oldCount, newLines: splitLines(text).lines }, oldLines, regionEnd === before.length && (oldLines.noFinalNewline || afterNoNewline));
    if (change.oldCount > 0 || change.newLines.length > 0) changes.push(change);
    i = j;
  }

  // Edits that leave every line as it was (text put back as it stood) show nothing.
  if (changes.length === 0) return '';

  // 2. Group changes whose context overlaps into hunks.
  const out: string[] = [`--- ${oldName}`, `+++ ${newName}`];
  let delta = 0; // new line number minus old line number before the current hunk
  let g = 0;
  while (g < changes.length) {
    let h = g;
    while (h + 1 < changes.length && changes[h + 1]!.oldStart - (changes[h]!.oldStart + changes[h]!.oldCount) <= 2 * context) h++;
    const first = changes[g]!;
    const last = changes[h]!;
    const from = Math.max(0, first.oldStart - context);
    const to = Math.min(oldLines.lines.length, last.oldStart + last.oldCount + context);
    const body: string[] = [];
    let oldCount = 0;
    let newCount = 0;
    let cursor = from;
    let hunkDelta = 0;
    for (const change of changes.slice(g, h + 1)) {
      for (; cursor < change.oldStart; cursor++, oldCount++, newCount++) body.push(...contextLine(oldLines, cursor, afterNoNewline, false));
      for (let k = 0; k < change.oldCount; k++, oldCount++)
        body.push(...marked('-', oldLines.lines[change.oldStart + k]!, oldLines.noFinalNewline && change.oldStart + k === oldLines.lines.length - 1));
      const isLastChange = change.oldStart + change.oldCount === oldLines.lines.length;
      change.newLines.forEach((line, k) => {
        body.push(...marked('+', line, afterNoNewline && isLastChange && k === change.newLines.length - 1));
      });
      newCount += change.newLines.length;
      hunkDelta += change.newLines.length - change.oldCount;
      cursor = change.oldStart + change.oldCount;
    }
    for (; cursor < to; cursor++, oldCount++, newCount++) body.push(...contextLine(oldLines, cursor, afterNoNewline, true));
    const oldHeader = oldCount === 0 ? `${from},0` : `${from + 1}${oldCount === 1 ? '' : `,${oldCount}`}`;
    const newFrom = from + delta;
    const newHeader = newCount === 0 ? `${newFrom},0` : `${newFrom + 1}${newCount === 1 ? '' : `,${newCount}`}`;
    out.push(`@@ -${oldHeader} +${newHeader} @@`, ...body);
    delta += hunkDelta;
    g = h + 1;
  }
  return `${out.join('\n')}\n`;
}

interface Change {
  oldStart: number;
  oldCount: number;
  newLines: string[];
}

/**
 * A change without the lines it leaves as they were at its start and end: an insertion made
 * inside a line (at its indentation, before a JSON key) shows as added lines, as `diff -u` has
 * it, not as that line taken out and put back. `atLastLine`: the region ends the file and one
 * side lacks the final newline, so its last line differs by that newline and stays in.
 */
function withoutSameLines(change: Change, old: Lines, atLastLine: boolean): Change {
  const oldLines = old.lines.slice(change.oldStart, change.oldStart + change.oldCount);
  const newLines = change.newLines;
  const most = atLastLine ? Math.min(oldLines.length, newLines.length) - 1 : Math.min(oldLines.length, newLines.length);
  let head = 0;
  while (head < most && oldLines[head] === newLines[head]) head++;
  let tail = 0;
  if (!atLastLine) while (tail < most - head && oldLines[oldLines.length - 1 - tail] === newLines[newLines.length - 1 - tail]) tail++;
  return { oldStart: change.oldStart + head, oldCount: oldLines.length - head - tail, newLines: newLines.slice(head, newLines.length - tail) };
}

/** A file created from nothing: one hunk of added lines (most of what obs writes on a large project). */
function newFileDiff(oldName: string, newName: string, text: string): string {
  const { lines, noFinalNewline } = splitLines(text);
  const count = lines.length === 1 ? '1' : `1,${lines.length}`;
  return `--- ${oldName}\n+++ ${newName}\n@@ -0,0 +${count} @@\n+${lines.join('\n+')}\n${noFinalNewline ? '\\ No newline at end of file\n' : ''}`;
}

interface Lines {
  lines: string[];
  noFinalNewline: boolean;
}

function splitLines(text: string): Lines {
  if (text === '') return { lines: [], noFinalNewline: false };
  const lines = text.split('\n');
  const noFinalNewline = lines[lines.length - 1] !== '';
  if (!noFinalNewline) lines.pop();
  return { lines, noFinalNewline };
}

function lineStartOffsets(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function upperBound(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The end of the last whole line an edit touches: the line its end falls in, or, when it ends at
 * a line start, that line too if the edit joins onto it (its text, or what stands before a
 * deletion, does not end a line).
 */
function touchedLinesEnd(text: string, edit: TextEdit): number {
  const { start, end } = edit;
  const atLineStart = end === 0 || text[end - 1] === '\n';
  const endsLine = edit.text !== '' ? edit.text.endsWith('\n') : start === 0 || text[start - 1] === '\n';
  if (end === text.length || (atLineStart && endsLine)) return end;
  const nl = text.indexOf('\n', end);
  return nl === -1 ? text.length : nl + 1;
}

/** Whether the edited text lacks a final newline: its last character, from the edits that reach the end or from `before`. */
function endsWithoutNewline(before: string, sorted: readonly TextEdit[]): boolean {
  let end = before.length;
  for (let k = sorted.length - 1; k >= 0 && sorted[k]!.end >= end; k--) {
    if (sorted[k]!.text !== '') return !sorted[k]!.text.endsWith('\n');
    end = sorted[k]!.start;
  }
  return end > 0 && before[end - 1] !== '\n';
}

function marked(sign: string, line: string, noNewline: boolean): string[] {
  return noNewline ? [`${sign}${line}`, '\\ No newline at end of file'] : [`${sign}${line}`];
}

function contextLine(old: Lines, index: number, afterNoNewline: boolean, trailing: boolean): string[] {
  const isLast = index === old.lines.length - 1;
  const line = old.lines[index]!;
  if (!isLast || !trailing) return [` ${line}`];
  // The unchanged last line: both files end the same way.
  return old.noFinalNewline && afterNoNewline ? [` ${line}`, '\\ No newline at end of file'] : [` ${line}`];
}
