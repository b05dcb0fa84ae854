/**
 * The fixes `obs doctor --fix` may apply without asking anything: each one keeps what the
 * user meant and only repairs how it was written. Pure: texts in, file changes out.
 */
import { findEnvEntry, replaceEnvValue } from '../../compose/edit-env.js';
import type { ComposeFile } from '../../compose/parse.js';
import type { ComposeProject } from '../../compose/project.js';
import { applyTextEdits, type TextEdit } from '../../text/edits.js';
import type { FileChange } from '../../plan/file-change.js';
import { OTLP_HEADER_KEYS } from '../../secrets/shapes.js';
import { keepMissingFinalNewline } from '../../compose/final-newline.js';
import { placeholderComments } from '../../backends/index.js';
import { planSecretFiles, planSecretMoves, type MovedSecret } from '../../project/secret-moves.js';
import type { InitSnapshot } from '../../project/snapshot.js';
import { reparse } from '../../compose/verify-edits.js';
import { findXrayDaemon } from '../../compose/xray-daemon.js';
import { planDaemonCommand } from '../../compose/xray-daemon-command.js';

export interface FixPlan {
  changes: FileChange[];
  untrack: string[];
  /** One line per fix, for the report. */
  applied: string[];
  secretValues: string[];
}

/** `x-honeycomb-team=HONEYCOMB_API_KEY`, `x-honeycomb-team:${K}`, `x-honeycomb-team${K}` -> `x-honeycomb-team=${K}`. */
export function repairTeamHeader(value: string): string | undefined {
  const match = /(^|,)(\s*)x-honeycomb-team\s*(=|:)?\s*(\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)|([A-Z_][A-Z0-9_]*))(?=\s*(,|$))/.exec(value);
  if (!match) return undefined;
  const [whole, lead, space, separator, reference, braced, bare, name] = match;
  const variable = braced ?? bare ?? name!;
  // A literal that only looks like a name (e.g. a key of capitals) is not a variable name.
  if (name !== undefined && !/_/.test(name) && name.length > 20) return undefined;
  if (separator === '=' && reference === `\${${variable}}`) return undefined;
  return value.replace(whole, `${lead}${space}x-honeycomb-team=\${${variable}}`);
}

export function planFixes(snapshot: InitSnapshot, project: ComposeProject): FixPlan {
  const applied: string[] = [];
  const moved: MovedSecret[] = [];
  const secretWork = planSecretMoves(project, snapshot, moved);
  for (const m of moved) applied.push(`${m.file}:${m.line}: moved the ${m.key} value of ${m.service} to .env as ${m.envVar} (rotate it: it was in a shared file)`);
  const edits = new Map<ComposeFile, TextEdit[]>(snapshot.compose.map((f) => [f, []]));
  for (const e of secretWork.edits) edits.get(e.file)!.push(e.edit);

  const replace = (service: ComposeProject['services'][number], key: string, value: string, why: string) => {
    for (const d of [...service.definitions].reverse()) {
      const entry = d.map ? findEnvEntry(d.file.doc, d.map, key) : undefined;
      if (!entry) continue;
      edits.get(d.file)!.push(replaceEnvValue(d.file.text, entry, key, value));
      applied.push(`${d.file.path}: ${service.name}: ${why}`);
      return;
    }
  };

  // Header syntax: the key reference compose can interpolate.
  for (const service of project.services) {
    for (const key of OTLP_HEADER_KEYS) {
      const value = service.config.environment.get(key);
      if (!value || secretWork.replaced.has(`${service.name}\0${key}`)) continue;
      const repaired = repairTeamHeader(value);
      if (repaired) replace(service, key, repaired, `${key} now references the key as ${repaired.match(/\$\{[^}]+\}/)![0]}`);
    }
  }

  // Service names: each service that shares an OTEL_SERVICE_NAME gets its compose name.
  const owners = new Map<string, string[]>();
  for (const s of project.services) {
    const name = s.config.environment.get('OTEL_SERVICE_NAME');
    if (name) owners.set(name, [...(owners.get(name) ?? []), s.name]);
  }
  for (const [name, services] of owners) {
    if (services.length < 2) continue;
    for (const serviceName of services) {
      if (serviceName === name) continue;
      replace(
        project.services.find((s) => s.name === serviceName)!,
        'OTEL_SERVICE_NAME',
        serviceName,
        `OTEL_SERVICE_NAME "${name}" (shared with ${services.filter((s) => s !== serviceName).join(', ')}) is now "${serviceName}"`,
      );
    }
  }

  // The daemon's command as flags for its /xray entrypoint: the same edit init makes with --force.
  const daemon = findXrayDaemon(project);
  const daemonFix = daemon ? planDaemonCommand(daemon) : undefined;
  if (daemonFix?.edit) {
    edits.get(daemonFix.edit.file)!.push(daemonFix.edit.edit);
    applied.push(`${daemonFix.edit.file.path}: ${daemonFix.service}: command ${daemonFix.current} is now ${daemonFix.proposed} (flags for the image's /xray entrypoint)`);
  }

  const changes: FileChange[] = [];
  for (const file of snapshot.compose) {
    const fileEdits = keepMissingFinalNewline(file, edits.get(file)!);
    const after = applyTextEdits(file.text, fileEdits);
    if (after !== file.text) reparse(file, after);
    changes.push({ path: file.path, before: file.text, after, edits: fileEdits });
  }
  const secretFiles = planSecretFiles(
    snapshot,
    secretWork.dotenvValues,
    moved.map((m) => m.envVar),
    placeholderComments(),
  );
  if (!snapshot.envIgnored) applied.push('.gitignore: .env is ignored now');
  if (secretFiles.untrack.length > 0) applied.push(`${secretFiles.untrack.join(', ')}: no longer tracked by git (the file stays)`);
  return { changes: [...changes, ...secretFiles.changes], untrack: secretFiles.untrack, applied, secretValues: [...secretWork.dotenvValues.values()] };
}
