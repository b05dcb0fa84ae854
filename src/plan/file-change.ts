import type { TextEdit } from '../text/edits.js';

/** A planned change to one file: computed first, shown as a diff, then applied atomically. */
export interface FileChange {
  /** Path relative to the directory obs runs in. */
  path: string;
  /** null when the file does not exist yet. */
  before: string | null;
  after: string;
  /** obs deletes the file (a file it owns and no longer needs); `after` is then ''. */
  remove?: boolean;
  /** The edits that turn `before` into `after`, when obs planned them as edits (for a fast diff). */
  edits?: TextEdit[];
}

export function changedOnly(changes: FileChange[]): FileChange[] {
  return changes.filter((c) => (c.remove ? c.before !== null : c.before !== c.after));
}
