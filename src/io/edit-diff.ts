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

  // 1. Regions of whole old lines that the edits touch, each with the new lines replacing them.
  interface Change {
    oldStart: number;
    oldCount: number;
    newLines: string[];
  }
  const changes: Change[] = [];
  let i = 0;
  while (i < sorted.length) {
    const regionStart = lineStarts[lineOf(sorted[i]!.start)]!;
    let regionEnd = wholeLineEnd(before, sorted[i]!.end);
    let j = i + 1;
    while (j < sorted.length && sorted[j]!.start < regionEnd) {
      regionEnd = Math.max(regionEnd, wholeLineEnd(before, sorted[j]!.end));
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
    changes.push({ oldStart, oldCount, newLines: splitLines(text).lines });
    i = j;
  }

  // 2. Group changes whose context overlaps into hunks.
  const afterNoNewline = changes.length > 0 && endsWithoutNewline(before, sorted);
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

/** The end of the last whole line an edit ending at `end` touches (itself when at a line start). */
function wholeLineEnd(text: string, end: number): number {
  if (end === 0 || text[end - 1] === '\n') return end;
  const nl = text.indexOf('\n', end);
  return nl === -1 ? text.length : nl + 1;
}

/** Whether the edited text lacks a final newline (edits at the very end decide it). */
function endsWithoutNewline(before: string, sorted: readonly TextEdit[]): boolean {
  const last = sorted[sorted.length - 1]!;
  if (last.end === before.length && last.text !== '') return !last.text.endsWith('\n');
  return before !== '' && !before.endsWith('\n');
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
