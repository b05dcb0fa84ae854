/**
 * obs.yaml's `changes:` record after this run (src/config/changes.ts): what obs changed before,
 * merged with what this run adds, replaces, takes out and gives back.
 */
import { findEnvEntry } from '../../compose/edit-env.js';
import type { ComposeService } from '../../compose/project.js';
import { changesRecord, type ChangeEntry } from '../../config/changes.js';
import type { ChangesRecord } from '../../config/types.js';
import { holdsLiteralSecret } from '../../secrets/shapes.js';
import { redactText } from '../../secrets/redact.js';
import type { ServiceWork } from './plan-work.js';

export interface RecordInput {
  /** What obs changed before this run (earlierChanges). */
  earlier: readonly ChangeEntry[];
  /** Each service's work, as planComposeEdits wrote it (held-back edits already dropped). */
  work: readonly ServiceWork[];
  /** Values as they read after this run's secret moves (`service\0KEY` -> the reference left). */
  afterMoves: ReadonlyMap<string, string>;
  /** Services obs owns whole (its daemon, its collector): they go whole, their keys need no record. */
  ownServices: ReadonlySet<string>;
  /** Services the compose files still define. */
  services: ReadonlySet<string>;
  /** The packages obs recorded adding to pyproject.toml files before this run (manifest -> entries). */
  earlierPackages?: Readonly<Record<string, readonly string[]>>;
  /** This run's package changes per manifest (init's install notes): added, and dropped as no choice needs them. */
  installs?: readonly { manifest: string; packages: readonly string[]; dropped?: readonly string[] }[];
}

export function recordChanges(input: RecordInput): ChangesRecord {
  let entries = input.earlier.filter((e) => input.services.has(e.service) && !input.ownServices.has(e.service));
  const recorded = (service: string, key: string) => entries.find((e) => e.service === service && e.key === key);
  const drop = (service: string, key: string) => (entries = entries.filter((e) => e.service !== service || e.key !== key));
  for (const item of input.work) {
    const service = item.service;
    const name = service.name;
    if (input.ownServices.has(name)) continue;
    const mainFile = (service.definitions.find((d) => d.map) ?? service.definitions[0])!.file.path;
    // A key obs gives back (a value it replaced earlier) or takes out leaves the record.
    const restored = new Set((item.restores ?? []).filter((key) => item.replacements.some((r) => r.key === key)));
    for (const key of [...item.removals, ...restored]) drop(name, key);
    for (const { key } of item.additions) {
      // The key was not there before this run: obs's, whatever the record said of an earlier value.
      if (recorded(name, key)?.previous !== undefined) drop(name, key);
      if (!recorded(name, key)) entries.push({ file: mainFile, service: name, key });
    }
    for (const { key } of item.replacements) {
      // A value obs wrote earlier keeps what the record says of it (added, or the user's value before).
      if (restored.has(key) || recorded(name, key)) continue;
      const own = ownEntry(service, key);
      // Replaced where compose reads it, or set in the service's own environment over an anchor or env_file value (an addition).
      if (!own) entries.push({ file: mainFile, service: name, key });
      else entries.push({ file: own.file, service: name, key, previous: recordable(key, input.afterMoves.get(`${name}\0${key}`) ?? own.value) });
    }
  }
  const record = changesRecord(entries);
  const packages = recordPackages(input.earlierPackages ?? {}, input.installs ?? []);
  return Object.keys(packages).length > 0 ? { ...record, packages } : record;
}

/** pyproject.toml has no place for obs's marker comment: the record is how obs knows its entries there later. */
const UNMARKED_MANIFEST = /(^|\/)pyproject\.toml$/;

/** The record's packages after this run: what obs added before, less what it dropped, plus what it added now. */
function recordPackages(earlier: Readonly<Record<string, readonly string[]>>, installs: NonNullable<RecordInput['installs']>): Record<string, string[]> {
  const out: Record<string, string[]> = Object.fromEntries(Object.entries(earlier).map(([file, entries]) => [file, [...entries]]));
  for (const { manifest, packages, dropped = [] } of installs) {
    if (!UNMARKED_MANIFEST.test(manifest)) continue;
    const kept = (out[manifest] ?? []).filter((entry) => !dropped.includes(entry));
    const entries = [...kept, ...packages.filter((p) => !kept.includes(p))];
    if (entries.length > 0) out[manifest] = entries;
    else delete out[manifest];
  }
  return out;
}

/** The entry a service sets itself (not through an anchor) that compose reads: its file and its value as written. */
function ownEntry(service: ComposeService, key: string): { file: string; value: string | null } | undefined {
  for (const d of [...service.definitions].reverse()) {
    const entry = d.map ? findEnvEntry(d.file.doc, d.map, key) : undefined;
    if (!entry) continue;
    if (entry.inherited) return undefined;
    const raw = entry.scalar.value;
    if (raw === null || raw === undefined) return { file: d.file.path, value: null };
    const text = String(raw);
    return { file: d.file.path, value: entry.form === 'map' ? text : text.includes('=') ? text.slice(text.indexOf('=') + 1) : null };
  }
  return undefined;
}

/** The value to record: never a secret (what obs would mask in a diff), never "no value". */
function recordable(key: string, value: string | null): string | null {
  if (value === null) return null;
  const line = `${key}=${value}`;
  return holdsLiteralSecret(key, value) || redactText(line) !== line ? null : value;
}
