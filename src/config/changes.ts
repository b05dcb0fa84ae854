/**
 * obs.yaml's `changes:` section: what `obs init` changed in the compose files and pyproject.toml
 * files, not the choices behind it. obs.yaml records choices elsewhere; from those alone obs cannot
 * tell a value it wrote from one the user had written the same way, nor give back a value it
 * replaced. With this record, `obs remove` and re-runs take out only the keys and packages obs
 * added and put back the values it replaced.
 *
 *   changes:
 *     environment:
 *       docker-compose.yml:        # the compose file the edit went into
 *         backend-flask:
 *           added: [OTEL_SERVICE_NAME, ...]
 *           replaced:
 *             NODE_OPTIONS: --max-old-space-size=4096   # the value before, as written (`${VAR}` unresolved)
 *     packages:                    # only for manifests with no place for obs's marker comment
 *       backend/pyproject.toml: [opentelemetry-api==1.45.1, ...]   # as obs wrote them
 *
 * A replaced value obs classifies as a secret is recorded as null (never its text): it cannot be given back.
 */
import type { ChangesRecord } from './types.js';

/** One key obs changed: `previous` undefined when obs added the key, else the value it replaced (null: a secret, not recorded). */
export interface ChangeEntry {
  file: string;
  service: string;
  key: string;
  previous?: string | null;
}

export const EMPTY_CHANGES: ChangesRecord = { environment: {} };

/** The record as a list, in the order it is written. */
export function changeEntries(record: ChangesRecord | undefined): ChangeEntry[] {
  const out: ChangeEntry[] = [];
  for (const [file, services] of Object.entries(record?.environment ?? {})) {
    for (const [service, changes] of Object.entries(services ?? {})) {
      for (const key of changes?.added ?? []) out.push({ file, service, key });
      for (const [key, previous] of Object.entries(changes?.replaced ?? {})) out.push({ file, service, key, previous: previous ?? null });
    }
  }
  return out;
}

/** The record of `entries`, grouped by file then service in first-seen order; a key listed twice counts once (its first entry). */
export function changesRecord(entries: readonly ChangeEntry[]): ChangesRecord {
  const environment: ChangesRecord['environment'] = {};
  const seen = new Set<string>();
  for (const { file, service, key, previous } of entries) {
    const id = `${service}\0${key}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const changes = ((environment[file] ??= {})[service] ??= {});
    if (previous === undefined) (changes.added ??= []).push(key);
    else (changes.replaced ??= {})[key] = previous;
  }
  return { environment };
}

/** What the record says about one service: each key obs added, and each value it replaced. */
export interface ServiceChanges {
  added: Set<string>;
  replaced: Map<string, string | null>;
}

export function serviceChanges(record: ChangesRecord, service: string): ServiceChanges {
  const out: ServiceChanges = { added: new Set(), replaced: new Map() };
  for (const entry of changeEntries(record)) {
    if (entry.service !== service) continue;
    if (entry.previous === undefined) out.added.add(entry.key);
    else out.replaced.set(entry.key, entry.previous);
  }
  return out;
}

/** Services the record names. */
export function recordedServices(record: ChangesRecord): string[] {
  return [...new Set(changeEntries(record).map((e) => e.service))];
}
