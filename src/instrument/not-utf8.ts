/**
 * Files that are not UTF-8 text (a Latin-1 comment in app.py, a UTF-16 Gemfile) are read with
 * replacement characters, so writing an edit back would change bytes obs never meant to touch.
 * Pure: such a plan keeps only the files it creates and says what to add by hand, the way the
 * planners do for any edit they cannot make safely.
 */
import type { FileChange } from '../plan/file-change.js';
import type { EnvironmentSetting } from './node.js';
import type { InstallStep } from './template.js';

export interface PlannedCode {
  changes: FileChange[];
  notes: string[];
  environment: EnvironmentSetting[];
  /** Held back with the edits: the manifest is then not changed. */
  install?: InstallStep;
}

/** `notUtf8` holds paths as in FileChange.path (relative to where obs runs). */
export function holdBackNonUtf8Edits(service: string, planned: PlannedCode, notUtf8: ReadonlySet<string>): PlannedCode {
  const blocked = planned.changes.filter((c) => c.before !== null && notUtf8.has(c.path));
  if (blocked.length === 0) return planned;
  const edits = planned.changes.filter((c) => c.before !== null);
  const steps = edits.flatMap((c) => pasteSteps(c));
  steps.push(...planned.environment.map((e) => `set on the service in the compose file: ${e.key}: ${JSON.stringify(e.value)}`));
  const created = planned.changes.filter((c) => c.before === null);
  const note =
    `${service}: ${blocked.map((c) => c.path).join(', ')} ${blocked.length === 1 ? 'is' : 'are'} not UTF-8 text, and an edit would change its other bytes. ` +
    `obs writes ${created.length > 0 ? created.map((c) => c.path).join(', ') : 'nothing'} and changes nothing else; to finish by hand:\n` +
    steps.map((s) => `    ${s}`).join('\n');
  return { changes: created, notes: [...planned.notes, note], environment: [] };
}

/** The lines an edit puts into a file, told by line number (the planners only insert lines). */
function pasteSteps(change: FileChange): string[] {
  const before = change.before!.split(/\r?\n/);
  const after = change.after.split(/\r?\n/);
  // A final newline is not a line of its own.
  if (before.at(-1) === '' && after.at(-1) === '') {
    before.pop();
    after.pop();
  }
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  const replaced = before.length - start - end;
  const lines = after.slice(start, after.length - end);
  // Blank separator lines at the edges of an addition are not worth pasting.
  while (replaced === 0 && lines.length > 1 && lines[0]!.trim() === '') {
    lines.shift(); // an added line, so the place stays after line `start`
  }
  while (replaced === 0 && lines.length > 1 && lines.at(-1)!.trim() === '') lines.pop();
  const where = replaced === 0 ? `add after line ${start} of ${change.path}:` : `replace lines ${start + 1}-${start + replaced} of ${change.path} with:`;
  return [where, ...lines.map((l) => `    ${l}`)];
}
