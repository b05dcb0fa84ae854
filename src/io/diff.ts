import type { FileChange } from '../plan/file-change.js';
import type { TextEdit } from '../text/edits.js';
import { diffFromEdits } from './edit-diff.js';
import { showEscapedBytes } from './raw-text.js';

export interface Paint {
  added(text: string): string;
  removed(text: string): string;
  header(text: string): string;
  hunk(text: string): string;
}

export const NO_PAINT: Paint = { added: (t) => t, removed: (t) => t, header: (t) => t, hunk: (t) => t };

/** A git-style unified diff of one planned change. */
export function unifiedDiff(change: FileChange): string {
  const oldName = change.before === null ? '/dev/null' : `a/${change.path}`;
  const before = change.before ?? '';
  // Bytes kept from a file that is not all UTF-8 show as \xE4, not as replacement characters.
  return showEscapedBytes(
    diffFromEdits(oldName, change.remove ? '/dev/null' : `b/${change.path}`, before, change.edits ?? sameShapeEdits(before, change.after) ?? [changedSpan(before, change.after)]),
  );
}

/**
 * When `after` has as many lines as `before` (values rewritten in place, as obs.yaml is when a
 * setting changes), one edit per changed line, so the diff shows those lines and not a block.
 */
function sameShapeEdits(before: string, after: string): TextEdit[] | undefined {
  const a = before.split('\n');
  const b = after.split('\n');
  if (before === '' || a.length !== b.length) return undefined;
  const edits: TextEdit[] = [];
  let offset = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) edits.push({ start: offset, end: offset + a[i]!.length, text: b[i]! });
    offset += a[i]!.length + 1;
  }
  return edits;
}

/**
 * One edit covering everything between the common prefix and suffix: exact for the appends obs
 * makes to .env, .env.example and .gitignore, and a readable block for a rewritten obs.yaml.
 */
export function changedSpan(before: string, after: string): TextEdit {
  let prefix = 0;
  const max = Math.min(before.length, after.length);
  while (prefix < max && before[prefix] === after[prefix]) prefix++;
  let suffix = 0;
  while (suffix < max - prefix && before[before.length - 1 - suffix] === after[after.length - 1 - suffix]) suffix++;
  return { start: prefix, end: before.length - suffix, text: after.slice(prefix, after.length - suffix) };
}

export function paintDiff(diff: string, paint: Paint): string {
  // Without colours every line stays as it is: skip splitting megabytes of diff into lines.
  if (paint.added === NO_PAINT.added && paint.removed === NO_PAINT.removed && paint.header === NO_PAINT.header && paint.hunk === NO_PAINT.hunk) return diff;
  return diff
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return paint.header(line);
      if (line.startsWith('@@')) return paint.hunk(line);
      if (line.startsWith('+')) return paint.added(line);
      if (line.startsWith('-')) return paint.removed(line);
      return line;
    })
    .join('\n');
}
