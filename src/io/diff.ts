import { createTwoFilesPatch } from 'diff';
import type { FileChange } from '../plan/file-change.js';

export interface Paint {
  added(text: string): string;
  removed(text: string): string;
  header(text: string): string;
  hunk(text: string): string;
}

export const NO_PAINT: Paint = { added: (t) => t, removed: (t) => t, header: (t) => t, hunk: (t) => t };

/** A git-style unified diff of one planned change (CR characters shown as-is). */
export function unifiedDiff(change: FileChange): string {
  const before = change.before ?? '';
  const patch = createTwoFilesPatch(
    change.before === null ? '/dev/null' : `a/${change.path}`,
    `b/${change.path}`,
    before,
    change.after,
    undefined,
    undefined,
    { context: 3 },
  );
  // jsdiff starts with an "Index"/"====" preamble in some versions; keep from the first ---.
  return patch.slice(patch.indexOf('--- '));
}

export function paintDiff(diff: string, paint: Paint): string {
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
