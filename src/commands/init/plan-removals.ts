/**
 * Taking out what obs wrote earlier: environment values no choice wants any more, and the edits
 * inside a service the plan takes out.
 */
import { findEnvEntry, removeEnvEntry } from '../../compose/edit-env.js';
import type { ComposeFile } from '../../compose/parse.js';
import type { SecretWork } from '../../project/secret-moves.js';
import type { TextEdit } from '../../text/edits.js';
import type { Findings, ServiceWork } from './plan-work.js';

/** Edits inside a service obs takes out (a secret moved out of the daemon, its command fixed) go with it. */
export function withinRemovedServices(edits: TextEdit[], removals: readonly TextEdit[]): TextEdit[] {
  if (removals.length === 0) return edits;
  // An insertion at either edge of a removed service belongs to its neighbour (the end of the service before it).
  const inside = (e: TextEdit, r: TextEdit) => (e.start === e.end ? e.start > r.start && e.start < r.end : e.start >= r.start && e.end <= r.end);
  return edits.filter((e) => removals.includes(e) || !removals.some((r) => inside(e, r)));
}

/** Removal edits for the values obs wrote that no choice wants; what cannot go as text is said instead. */
export function planRemovals(item: ServiceWork, editsByFile: Map<ComposeFile, TextEdit[]>, secretWork: SecretWork, found: Findings): void {
  const byHand: string[] = [];
  for (const key of item.removals) {
    // The definition that sets the value last is the one compose uses.
    const definition = [...item.service.definitions].reverse().find((d) => d.map && findEnvEntry(d.file.doc, d.map, key));
    const edit = definition ? removeEnvEntry(definition.file, definition.map!, key) : undefined;
    if (edit && definition) {
      editsByFile.get(definition.file)!.push(edit);
      // A secret in the value leaves with the line: its move is only into .env.
      const entry = findEnvEntry(definition.file.doc, definition.map!, key);
      for (const move of secretWork.edits) if (entry && move.scalar === entry.scalar) move.superseded = true;
    } else byHand.push(key);
  }
  if (byHand.length === 0) return;
  item.removals = item.removals.filter((k) => !byHand.includes(k));
  found.removed = found.removed.filter((r) => r.service !== item.service.name || !byHand.includes(r.key));
  found.notes.push({ kind: 'remove-by-hand', service: item.service.name, keys: byHand });
}
