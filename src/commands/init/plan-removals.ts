/**
 * Taking out what obs wrote earlier: environment values no choice wants any more, the X-Ray daemon
 * it added once X-Ray is off, and the edits inside a service the plan takes out.
 */
import { findEnvEntry, removeEnvEntry } from '../../compose/edit-env.js';
import type { ComposeFile } from '../../compose/parse.js';
import type { ComposeProject } from '../../compose/project.js';
import { removeServiceEdit } from '../../compose/collector-service.js';
import { dropDependency } from '../../compose/depends-on.js';
import type { EnvironmentIndex } from '../../compose/environment-index.js';
import { addedByObs } from '../../compose/xray-daemon.js';
import type { InitSnapshot } from '../../project/snapshot.js';
import type { SecretWork } from '../../project/secret-moves.js';
import type { TextEdit } from '../../text/edits.js';
import type { DaemonPlan, Findings, ServiceWork } from './plan-work.js';

/** A service the plan takes out: the edit that removes it, and edits elsewhere it needs (depends_on). */
export interface ServiceRemoval {
  edits: { file: ComposeFile; edit: TextEdit }[];
  /** The edits that take a service out: other edits inside them go with it. */
  removedRanges: { file: ComposeFile; edit: TextEdit }[];
  removedServices: string[];
}

/**
 * Direct pipeline with X-Ray off: the daemon obs.yaml names goes when obs added it (its marker,
 * see addedByObs) and nothing sends to it after this run; depends_on entries naming it go too, or
 * compose would refuse the file. A daemon the user ran before obs, or one still sent to, stays (said).
 */
export function planDaemonRemoval(
  snapshot: InitSnapshot,
  project: ComposeProject,
  envIndex: EnvironmentIndex,
  work: readonly ServiceWork[],
  daemon: DaemonPlan,
  found: Findings,
): ServiceRemoval | undefined {
  const name = snapshot.previous?.xray.daemonService;
  // X-Ray still on (the daemon is reused), or the collector replaces the daemon.
  if (name === undefined || daemon.daemonName !== undefined || daemon.collector) return undefined;
  const service = project.services.find((s) => s.name === name);
  if (!service) return undefined;
  if (!addedByObs(service)) {
    found.notes.push({ kind: 'xray-daemon-kept', daemon: name, reason: 'yours', services: [] });
    return undefined;
  }
  const senders = project.services.filter((s) => {
    if (s === service || work.some((w) => w.service === s && w.removals.includes('AWS_XRAY_DAEMON_ADDRESS'))) return false;
    const address = envIndex.variables(s.name).get('AWS_XRAY_DAEMON_ADDRESS')?.value;
    return typeof address === 'string' && address.startsWith(`${name}:`);
  });
  if (senders.length > 0) {
    found.notes.push({ kind: 'xray-daemon-kept', daemon: name, reason: 'still-used', services: senders.map((s) => s.name) });
    return undefined;
  }
  const edit = removeServiceEdit(service);
  const drops = project.services
    .filter((s) => s !== service)
    .map((s) => ({ service: s.name, ...dropDependency(s, name) }))
    .filter((d) => d.found);
  const dependents = drops.map((d) => d.service);
  if (!edit || drops.some((d) => d.byHand)) {
    found.notes.push({ kind: 'xray-daemon-remove-by-hand', daemon: name, dependents });
    return undefined;
  }
  found.notes.push({ kind: 'xray-daemon-removed', daemon: name, dependents });
  const file = service.definitions[0]!.file;
  return { edits: [{ file, edit }, ...drops.flatMap((d) => d.edits)], removedRanges: [{ file, edit }], removedServices: [name] };
}

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
