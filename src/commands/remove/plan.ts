/**
 * Pure planning for `obs remove`: from the files as read and obs.yaml to the exact new text of
 * every file, undoing what obs init added -- the compose values obs wrote (still holding obs's
 * value), the X-Ray daemon or collector obs added with its config file, the `.env.example`
 * placeholders and empty `.env` keys, the instrumentation obs wrote with the lines that load it
 * and the packages it added, and obs.yaml itself. What the user changed since stays and is said.
 */
import { parseComposeText, type ComposeFile } from '../../compose/parse.js';
import { buildProject, type ComposeProject, type ComposeService } from '../../compose/project.js';
import { removeServiceEdit } from '../../compose/collector-service.js';
import { removeDependencies, removeServiceEnvironmentKeys } from '../../compose/remove-entries.js';
import { XRAY_DAEMON_IMAGE } from '../../compose/xray-daemon.js';
import { keepMissingFinalNewline } from '../../compose/final-newline.js';
import { OBS_CONFIG_FILE, type ObsConfig } from '../../config/obs-config.js';
import { placeholderComments } from '../../backends/index.js';
import { parseDotenv } from '../../dotenv/index.js';
import { planUninstall, type RemovedPackages, type UninstallNote } from '../../instrument/uninstall.js';
import { MANAGED_MARKER } from '../../instrument/template.js';
import { NODE_MODULE } from '../../instrument/node.js';
import type { FileChange } from '../../plan/file-change.js';
import type { InitSnapshot, ServiceSources } from '../../project/snapshot.js';
import type { Stack } from '../../stacks/detect.js';
import { applyTextEdits, type TextEdit } from '../../text/edits.js';
import { linesOf, withoutLines } from '../../text/lines.js';
import { isPreloadAfter, isPreloadOnly, previousValues, theirCollector } from '../../backends/owned-values.js';
import { recordedServices, serviceChanges } from '../../config/changes.js';
import type { ChangesRecord } from '../../config/types.js';
import { findEnvEntry, replaceEnvValue } from '../../compose/edit-env.js';

export type RemoveNote =
  | UninstallNote
  /** A value obs wrote that the user has changed since: theirs now, it stays. */
  | { kind: 'value-kept'; service: string; key: string }
  /** Values obs wrote that cannot go as text (flow style, an anchor): the keys to delete by hand. */
  | { kind: 'remove-by-hand'; service: string; file: string; keys: string[] }
  /** Values obs replaced that cannot be put back as text (an anchor): the keys to set back by hand. */
  | { kind: 'restore-by-hand'; service: string; file: string; keys: string[] }
  /** A value obs replaced was a secret, which obs never records: the user sets theirs back. */
  | { kind: 'value-not-recorded'; service: string; key: string }
  /** The daemon or collector obs added, changed since (or its config's marker gone): it stays. */
  | { kind: 'service-kept'; service: string; reason: 'changed' | 'config-theirs' | 'by-hand' }
  /** `.env` keys the user filled in: they stay (names only, never values), and so does the .gitignore line. */
  | { kind: 'dotenv-kept'; path: string; variables: string[] }
  /** Secrets init moved from the compose file to `.env`: the compose file keeps the reference. */
  | { kind: 'secrets-stay-moved'; path: string; variables: string[] }
  /** obs.yaml names a service the compose files no longer have. */
  | { kind: 'service-gone'; service: string };

export interface RemovePlan {
  changes: FileChange[];
  notes: RemoveNote[];
  removedValues: { service: string; key: string }[];
  /** Values obs replaced, given back as the user wrote them. */
  restoredValues: { service: string; key: string }[];
  removedServices: string[];
  removedPackages: RemovedPackages[];
}

export interface RemoveInput {
  snapshot: InitSnapshot;
  previous: ObsConfig;
  project?: ComposeProject;
  /** Each recorded service's app files (paths relative to its folder) and that folder. */
  apps: Map<string, { dir: string; files: ServiceSources }>;
}

/** The `.env.example` comments obs writes over each variable. */
const PLACEHOLDERS = placeholderComments();
const DOTENV_HEADER = '# Local secrets for docker compose. Git-ignored: never commit this file.';
/** The two `.gitignore` lines obs adds. */
const GITIGNORE_BLOCK = ['# Local secrets (added by obs)', '.env'];

export function planRemove(input: RemoveInput): RemovePlan {
  const { snapshot, previous } = input;
  const project = input.project ?? buildProject(snapshot.compose);
  const plan: RemovePlan = { changes: [], notes: [], removedValues: [], restoredValues: [], removedServices: [], removedPackages: [] };
  const editsByFile = new Map<ComposeFile, TextEdit[]>(snapshot.compose.map((f) => [f, []]));
  const byName = new Map(project.services.map((s) => [s.name, s]));

  // 1. The values obs wrote: by obs.yaml's record of what init changed, or (an obs.yaml written
  // before the record) by value, each only while it still holds what obs wrote.
  const routes = [
    previous.xray.daemonService && `${previous.xray.daemonService}:2000`,
    previous.collector && `http://${previous.collector.service}:4318`,
    previous.collector && `${previous.collector.service}:2000`,
  ].filter((v): v is string => typeof v === 'string');
  // A collector the user runs, which obs sent the apps to (obs.yaml does not name it): with the record, its address is obs's where obs wrote it.
  const theirs = previous.pipeline === 'collector' && !previous.collector ? theirCollector(project) : undefined;
  if (previous.changes) planRecordedValues(input, previous.changes, project, theirs ? [...routes, `http://${theirs}:4318`, `${theirs}:2000`] : routes, editsByFile, plan);
  else planInferredValues(input, project, routes, editsByFile, plan);

  // 2. The daemon or collector obs added (and the collector's config file while it carries obs's marker).
  const taken = new Set<string>();
  const daemon = previous.xray.daemonService ? byName.get(previous.xray.daemonService) : undefined;
  if (daemon) {
    if (isObsDaemon(daemon)) takeService(daemon, editsByFile, taken, plan);
    else plan.notes.push({ kind: 'service-kept', service: daemon.name, reason: 'changed' });
  }
  const recorded = previous.collector;
  const collector = recorded ? byName.get(recorded.service) : undefined;
  if (recorded && collector) {
    const config = snapshot.collectorConfigs.get(recorded.config);
    if (config && !config.text.includes(MANAGED_MARKER)) plan.notes.push({ kind: 'service-kept', service: collector.name, reason: 'config-theirs' });
    else if (takeService(collector, editsByFile, taken, plan) && config) plan.changes.push({ path: recorded.config, before: config.text, after: '', remove: true });
  }
  // depends_on entries naming a service taken out would stop compose.
  for (const service of project.services) {
    if (taken.has(service.name)) continue;
    for (const { file, edits, byHand } of removeDependencies(service, taken)) {
      editsByFile.get(file)!.push(...edits);
      if (byHand.length > 0) plan.notes.push({ kind: 'remove-by-hand', service: service.name, file: file.path, keys: byHand.map((n) => `depends_on ${n}`) });
    }
  }

  for (const file of snapshot.compose) {
    const edits = keepMissingFinalNewline(file, editsByFile.get(file)!);
    if (edits.length === 0) continue;
    const after = applyTextEdits(file.text, edits);
    // A removal that broke the file is a bug in obs: never written.
    parseComposeText(file.path, after);
    plan.changes.push({ path: file.path, before: file.text, after, edits });
  }

  // 3. Each app: the module obs wrote, the lines that load it, the packages obs added.
  const doneDirs = new Set<string>();
  for (const [name, entry] of Object.entries(previous.services)) {
    const app = input.apps.get(name);
    const service = byName.get(name);
    // Services sharing a build context share its files: each folder once.
    if (!app || !service || doneDirs.has(app.dir)) continue;
    doneDirs.add(app.dir);
    const command = service.config.command;
    const uninstall = planUninstall(
      {
        stack: entry.stack,
        serviceName: name,
        serviceDir: app.dir,
        files: app.files,
        ...(command !== undefined && command !== null ? { command: Array.isArray(command) ? command.map(String).join(' ') : String(command) } : {}),
        environment: service.config.environment,
        ...(service.config.buildTarget !== undefined ? { buildTarget: service.config.buildTarget } : {}),
      },
      previous.changes?.packages,
    );
    plan.changes.push(...uninstall.changes);
    plan.notes.push(...uninstall.notes);
    plan.removedPackages.push(...uninstall.removedPackages);
  }

  // 4. .env.example placeholders, empty .env keys, the .gitignore line, obs.yaml.
  planProjectFiles(snapshot, plan);
  if (snapshot.obsConfig) plan.changes.push({ path: OBS_CONFIG_FILE, before: snapshot.obsConfig.text, after: '', remove: true });
  return plan;
}

/** The daemon as obs writes it: its image, and the three variables obs gives it. */
function isObsDaemon(service: ComposeService): boolean {
  const env = service.config.environment;
  return (
    service.config.image === XRAY_DAEMON_IMAGE &&
    env.size === 3 &&
    env.get('AWS_ACCESS_KEY_ID') === '${AWS_ACCESS_KEY_ID}' &&
    env.get('AWS_SECRET_ACCESS_KEY') === '${AWS_SECRET_ACCESS_KEY}' &&
    env.get('AWS_REGION') === '${AWS_DEFAULT_REGION}'
  );
}

function takeService(service: ComposeService, editsByFile: Map<ComposeFile, TextEdit[]>, taken: Set<string>, plan: RemovePlan): boolean {
  const edit = removeServiceEdit(service);
  if (!edit) {
    plan.notes.push({ kind: 'service-kept', service: service.name, reason: 'by-hand' });
    return false;
  }
  editsByFile.get(service.definitions[0]!.file)!.push(edit);
  taken.add(service.name);
  plan.removedServices.push(service.name);
  return true;
}

function planProjectFiles(snapshot: InitSnapshot, plan: RemovePlan): void {
  // .env.example: each `KEY=` obs wrote under its comment lines.
  const example = snapshot.dotenvExample;
  if (example) {
    const lines = linesOf(example.text);
    const drop = new Set<number>();
    for (const [key, comment] of Object.entries(PLACEHOLDERS)) {
      const at = lines.findIndex((l) => l.replace(/\r?\n$/, '') === `${key}=`);
      if (at === -1) continue;
      const comments = comment.split(/\r?\n/).map((c) => (c ? `# ${c}` : '#'));
      const start = at - comments.length;
      if (start < 0 || !comments.every((c, i) => lines[start + i]!.replace(/\r?\n$/, '') === c)) continue;
      for (let i = start; i <= at; i++) drop.add(i);
    }
    if (drop.size > 0) {
      const after = withoutLines(lines, drop);
      plan.changes.push(after === '' ? { path: example.path, before: example.text, after: '', remove: true } : { path: example.path, before: example.text, after });
    }
  }

  // .env: the empty keys obs appended go; values the user filled in stay (names said, values never).
  const dotenv = snapshot.dotenv;
  let dotenvStays = false;
  if (dotenv) {
    const parsed = parseDotenv(dotenv.text, dotenv.path);
    const lines = linesOf(dotenv.text);
    const drop = new Set<number>();
    const filled: string[] = [];
    for (const entry of parsed.entries) {
      if (!Object.hasOwn(PLACEHOLDERS, entry.key)) continue;
      if (entry.value === '' && lines[entry.line - 1]?.replace(/\r?\n$/, '') === `${entry.key}=`) drop.add(entry.line - 1);
      else if (entry.value) filled.push(entry.key);
    }
    const after = withoutLines(lines, drop);
    const onlyHeader = after.replace(/\r?\n$/, '') === DOTENV_HEADER || after === '';
    if (onlyHeader) plan.changes.push({ path: dotenv.path, before: dotenv.text, after: '', remove: true });
    else {
      dotenvStays = true;
      if (after !== dotenv.text) plan.changes.push({ path: dotenv.path, before: dotenv.text, after });
    }
    if (filled.length > 0) plan.notes.push({ kind: 'dotenv-kept', path: dotenv.path, variables: filled });
    const moved = parsed.entries.filter((e) => !Object.hasOwn(PLACEHOLDERS, e.key) && e.value && after.includes(`${e.key}=`)).map((e) => e.key);
    const referenced = moved.filter((key) => snapshot.compose.some((f) => f.text.includes(`\${${key}}`)));
    if (referenced.length > 0 && dotenv.text.startsWith(DOTENV_HEADER)) plan.notes.push({ kind: 'secrets-stay-moved', path: dotenv.path, variables: referenced });
  }

  // .gitignore: obs's two lines go only with the .env they protect.
  const gitignore = snapshot.gitignore;
  if (gitignore && !dotenvStays) {
    const lines = linesOf(gitignore.text);
    const at = lines.findIndex((_, i) => GITIGNORE_BLOCK.every((line, j) => lines[i + j]?.replace(/\r?\n$/, '') === line));
    if (at !== -1) {
      const after = withoutLines(lines, new Set([at, at + 1]));
      plan.changes.push(after === '' ? { path: gitignore.path, before: gitignore.text, after: '', remove: true } : { path: gitignore.path, before: gitignore.text, after });
    }
  }
}

/**
 * An obs.yaml without `changes:` (written before the record): obs's values are told by value, on
 * each service it set up and the addresses it gave other services. A value the user had written
 * exactly as obs would goes too: the record is what tells them apart.
 */
function planInferredValues(input: RemoveInput, project: ComposeProject, routes: readonly string[], editsByFile: Map<ComposeFile, TextEdit[]>, plan: RemovePlan): void {
  const { snapshot, previous } = input;
  const byName = new Map(project.services.map((s) => [s.name, s]));
  for (const [name, entry] of Object.entries(previous.services)) {
    const service = byName.get(name);
    if (!service) {
      plan.notes.push({ kind: 'service-gone', service: name });
      continue;
    }
    const owned = previousValues(snapshot, service, entry.stack as Stack);
    const nodeOptions = service.config.environment.get('NODE_OPTIONS');
    const remove: string[] = [];
    for (const [key, value] of owned) {
      const current = service.config.environment.get(key);
      if (current === undefined) continue;
      if (current === value) remove.push(key);
      // A service name of the user's that obs kept (obs.yaml records it) was never obs's.
      else if (!(key === 'OTEL_SERVICE_NAME' && current === entry.serviceName)) plan.notes.push({ kind: 'value-kept', service: name, key });
    }
    // NODE_OPTIONS obs set to preload tracing.cjs (its own value only; options the user had before stay with obs's flag).
    if (typeof nodeOptions === 'string' && /^--require \S*tracing\.cjs$/.test(nodeOptions) && nodeOptions.endsWith(NODE_MODULE)) remove.push('NODE_OPTIONS');
    else if (typeof nodeOptions === 'string' && nodeOptions.includes(`${NODE_MODULE}`)) plan.notes.push({ kind: 'value-kept', service: name, key: 'NODE_OPTIONS' });
    if (remove.length === 0) continue;
    removeKeys(service, remove, editsByFile, plan);
  }

  // 1b. Other services obs pointed at its daemon or collector (X-Ray SDK senders, a browser build's
  // collector URL): the address obs wrote, exactly, goes with the service it names.
  for (const service of project.services) {
    if (Object.hasOwn(previous.services, service.name)) continue;
    const keys = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'AWS_XRAY_DAEMON_ADDRESS'].filter((k) => routes.includes(String(service.config.environment.get(k))));
    if (keys.length === 0) continue;
    removeKeys(service, keys, editsByFile, plan);
  }
}

/**
 * obs.yaml records what init changed: keys obs added go, values obs replaced get the user's value
 * back, each while it still holds what obs wrote (else it is the user's now: it stays, said). A key
 * the record does not name was never obs's, whatever its value.
 */
function planRecordedValues(input: RemoveInput, record: ChangesRecord, project: ComposeProject, routes: readonly string[], editsByFile: Map<ComposeFile, TextEdit[]>, plan: RemovePlan): void {
  const { snapshot, previous } = input;
  const byName = new Map(project.services.map((s) => [s.name, s]));
  for (const name of [...new Set([...Object.keys(previous.services), ...recordedServices(record)])]) {
    const service = byName.get(name);
    const entry = previous.services[name];
    if (!service) {
      if (entry) plan.notes.push({ kind: 'service-gone', service: name });
      continue;
    }
    const owned = entry ? previousValues(snapshot, service, entry.stack as Stack, undefined, project) : new Map<string, string>();
    const changed = serviceChanges(record, name);
    const remove: string[] = [];
    const restore: { key: string; value: string }[] = [];
    for (const key of [...changed.added, ...changed.replaced.keys()]) {
      const current = service.config.environment.get(key);
      if (current === undefined) continue;
      const before = changed.replaced.get(key);
      if (!holdsObsValue(key, current, before, owned, routes)) plan.notes.push({ kind: 'value-kept', service: name, key });
      else if (before === undefined) remove.push(key);
      else if (before === null) plan.notes.push({ kind: 'value-not-recorded', service: name, key });
      else restore.push({ key, value: before });
    }
    const restoredKeys = restoreValues(service, restore, editsByFile, plan);
    for (const key of restoredKeys) plan.restoredValues.push({ service: name, key });
    if (remove.length === 0) continue;
    removeKeys(service, remove, editsByFile, plan);
  }
}

/** `keys` taken out of the service's environment as text edits; what cannot go as text is left for the user, said. */
function removeKeys(service: ComposeService, keys: readonly string[], editsByFile: Map<ComposeFile, TextEdit[]>, plan: RemovePlan): void {
  const result = removeServiceEnvironmentKeys(service, [...keys]);
  for (const [file, edits] of result.edits) editsByFile.get(file)!.push(...edits);
  for (const left of result.byHand) plan.notes.push({ kind: 'remove-by-hand', service: service.name, file: left.file, keys: left.keys });
  const leftKeys = result.byHand.flatMap((b) => b.keys);
  for (const key of keys) if (!leftKeys.includes(key)) plan.removedValues.push({ service: service.name, key });
}

/** Whether `current` is what obs wrote for `key`: its value under the recorded choices, its NODE_OPTIONS preload, or an address of its daemon or collector. */
function holdsObsValue(key: string, current: unknown, before: string | null | undefined, owned: ReadonlyMap<string, string>, routes: readonly string[]): boolean {
  if (typeof current !== 'string') return false;
  if (key === 'NODE_OPTIONS') return typeof before === 'string' ? isPreloadAfter(current, before) : isPreloadOnly(current);
  const value = owned.get(key);
  return value !== undefined ? current === value : routes.includes(current);
}

/** The values obs replaced, back as the user wrote them, where compose reads them (the last definition that sets them). */
function restoreValues(service: ComposeService, restore: readonly { key: string; value: string }[], editsByFile: Map<ComposeFile, TextEdit[]>, plan: RemovePlan): string[] {
  const done: string[] = [];
  const byHand = new Map<string, string[]>();
  for (const { key, value } of restore) {
    const definition = [...service.definitions].reverse().find((d) => d.map && findEnvEntry(d.file.doc, d.map, key));
    const entry = definition && findEnvEntry(definition.file.doc, definition.map!, key);
    if (!definition || !entry || entry.inherited) {
      const file = (definition ?? service.definitions[0]!).file.path;
      byHand.set(file, [...(byHand.get(file) ?? []), key]);
      continue;
    }
    editsByFile.get(definition.file)!.push(replaceEnvValue(definition.file.text, entry, key, value));
    done.push(key);
  }
  for (const [file, keys] of byHand) plan.notes.push({ kind: 'restore-by-hand', service: service.name, file, keys });
  return done;
}
