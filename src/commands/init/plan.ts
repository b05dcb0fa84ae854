/**
 * Pure planning for `obs init`: from the files as read and the user's choices to the exact
 * new text of every file. No fs, no prompts, no git: those live in index.ts.
 */
import { anonymousVolumeTargets, namedVolumeMounts } from '../../compose/nodes.js';
import { publishedPortOf } from '../../compose/ports.js';
import { COLLECTOR_PORTS } from '../../collector/image.js';
import { addEnvironment, findEnvEntry, makeEnvEditContext, replaceEnvValue, type EnvEditContext, type EnvSetting } from '../../compose/edit-env.js';
import { sharedListOf } from '../../compose/shared-list.js';
import { buildProject, freeServiceName, type ComposeProject, type ComposeService } from '../../compose/project.js';
import { buildEnvironmentIndex, envFilePath, variableUsers, type EnvironmentIndex, type IndexedEnvFile } from '../../compose/environment-index.js';
import { INSTRUMENTED_STACKS, planServiceInstrumentation, serviceDirOf, whyNoCode, type InstrumentResult } from './instrument.js';
import { keepMissingFinalNewline } from '../../compose/final-newline.js';
import { planSecretFiles, planSecretMoves, type MovedSecret, type SecretWork } from '../../project/secret-moves.js';
import type { InitSnapshot } from '../../project/snapshot.js';
import { appMountTargets } from '../../project/service-dir.js';
import { holdBackNonUtf8Edits } from '../../instrument/not-utf8.js';
import { referencesIn } from '../../compose/interpolation.js';
import type { ComposeFile } from '../../compose/parse.js';
import { applyTextEdits, type TextEdit } from '../../text/edits.js';
import { addServiceEdit, findXrayDaemon, xrayDaemonFlow, xrayDaemonLines, XRAY_DAEMON_NAME } from '../../compose/xray-daemon.js';
import { OBS_CONFIG_FILE, renderObsConfig, renderObsConfigOver, sameObsConfig, type ObsConfig } from '../../config/obs-config.js';
import { mergeObsConfig } from '../../config/merge.js';
import { earlierChanges, previousValues } from '../../backends/owned-values.js';
import { serviceChanges } from '../../config/changes.js';
import { recordChanges } from './record-changes.js';
import type { FileChange } from '../../plan/file-change.js';
import { OTLP_HEADER_KEYS, SECRET_KEYS } from '../../secrets/shapes.js';
import { BROWSER_STACKS, type Stack } from '../../stacks/detect.js';
import type { InitChoices } from '../../backends/choices.js';
import { desiredEnvironment, routeVia, type Route } from '../../backends/environment.js';
import { BACKENDS, choicesFromConfig, placeholderComments, settingsOf } from '../../backends/index.js';
import { EARLIER_PLACEHOLDERS } from '../../backends/aws-placeholders.js';
import { removeDotenvPlaceholders } from '../../dotenv/index.js';
import { xray } from '../../backends/xray.js';
import { verifyComposeEdits, verifyEnvFileEdits, type EditedFile } from '../../compose/verify-edits.js';
import type { InitNote } from './notes.js';
import type { Conflict, ConflictKind, DaemonPlan, Findings, ServiceWork } from './plan-work.js';
import { planCollectorWork, type CollectorWork } from './plan-collector.js';
import { planDaemonRemoval, planRemovals, withinRemovedServices } from './plan-removals.js';
import { planDaemonCommand } from '../../compose/xray-daemon-command.js';
import { networksToReach } from '../../compose/networks.js';
import { collectorServiceFlow, collectorServiceLines } from '../../compose/collector-service.js';
import { browserCollectorUrl, browserHostPort, collectorHasBackend, collectorSection, planCollectorTarget, type CollectorTarget } from './collector.js';

export type { Conflict, ConflictKind } from './plan-work.js';

export interface InitPlan {
  changes: FileChange[];
  /** Paths to remove from the git index (`git rm --cached`), kept on disk. */
  untrack: string[];
  added: { service: string; keys: string[] }[];
  /** Values obs wrote earlier that follow a changed choice (e.g. another Honeycomb region). */
  updated: { service: string; key: string }[];
  movedSecrets: MovedSecret[];
  conflicts: Conflict[];
  notes: InitNote[];
  daemonService?: string;
  daemonAdded: boolean;
  /** The collector apps send to (collector pipeline), and whether obs adds it in this run. */
  collectorService?: string;
  collectorAdded: boolean;
  /** A service obs took out (the X-Ray daemon the collector replaces). */
  removedServices: string[];
  /** Values obs wrote earlier that no choice wants any more: taken out. */
  removed: { service: string; key: string }[];
  /** Values obs replaced earlier that no choice wants any more: the user's value is back. */
  restored: { service: string; key: string }[];
  config: ObsConfig;
  /** Variables the user must fill in `.env` (or `gp env` on Gitpod). */
  requiredVariables: string[];
  /** Literal secret values the plan moves: masked in every diff obs prints, never output. */
  secretValues: string[];
}

function planDaemon(project: ComposeProject, choices: InitChoices, snapshot: InitSnapshot): DaemonPlan {
  const xrayOn = settingsOf(choices, xray).enabled;
  if (choices.pipeline === 'collector') {
    if (!collectorHasBackend(choices)) return { xrayOn, existingDaemon: undefined, daemonName: undefined };
    const collector = planCollectorTarget(snapshot, project);
    const browsers = choices.services.some((n) => BROWSER_STACKS.has(snapshot.stacks.get(n) ?? 'unknown'));
    // A collector the user runs is reached where it publishes 4318, if it does; obs's own where obs published it.
    const theirs = collector.configPath === undefined ? project.services.find((s) => s.name === collector.name) : undefined;
    const browserPort = !browsers ? undefined : theirs ? publishedPortOf(theirs.config.ports, COLLECTOR_PORTS.otlpHttp) : browserHostPort(project, collector.name);
    return {
      xrayOn,
      existingDaemon: undefined,
      daemonName: undefined,
      collector,
      ...(browserPort !== undefined && { browserPort, browserUrl: browserCollectorUrl(browserPort, snapshot.hints) }),
    };
  }
  const existingDaemon = xrayOn ? findXrayDaemon(project) : undefined;
  const daemonName = xrayOn ? (existingDaemon?.name ?? freeServiceName(project, XRAY_DAEMON_NAME)) : undefined;
  return { xrayOn, existingDaemon, daemonName };
}

function routeOf(daemon: DaemonPlan): Route {
  return routeVia(daemon.daemonName, daemon.collector?.name);
}

/**
 * The whole plan of `obs init`, phase by phase: the daemon (0), secrets already written into the
 * compose file move to .env whatever the choices (1), each chosen service's settings and code (2),
 * edits held back as notes (2b), compose edits (3), then .env, .gitignore and obs.yaml (4).
 * `project` is buildProject(snapshot.compose), passed in when the caller already built it.
 */
export function planInit(snapshot: InitSnapshot, choices: InitChoices, project: ComposeProject = buildProject(snapshot.compose)): InitPlan {
  const found: Findings = { notes: [], conflicts: [], updated: [], removed: [], restored: [] };
  const earlier = earlierChanges(snapshot, project);
  const movedSecrets: MovedSecret[] = [];
  const daemon = planDaemon(project, choices, snapshot);
  const envIndex = buildEnvironmentIndex(project, snapshot.projectDir, (path) => snapshot.envFiles.get(path));
  const secretWork = planSecretMoves(project, snapshot, movedSecrets, envIndex);
  for (const held of secretWork.heldBack) found.notes.push({ kind: 'secret-not-moved', ...held });
  const { work, codeChanges } = planServices(snapshot, choices, project, envIndex, daemon, secretWork, found);
  holdBackUnsafeEdits(work, envIndex, choices, found.notes);
  const collector = planCollectorWork(snapshot, choices, project, work, daemon, found);
  const daemonRemoval = planDaemonRemoval(snapshot, project, envIndex, work, daemon, found);
  if (daemonRemoval) {
    collector.edits.push(...daemonRemoval.edits);
    collector.removedRanges.push(...daemonRemoval.removedRanges);
    collector.removedServices.push(...daemonRemoval.removedServices);
  }
  const compose = planComposeEdits(snapshot, choices, project, envIndex, work, secretWork, daemon, collector, found);
  // A user's OTEL_SERVICE_NAME obs keeps is the name the service sends as: obs.yaml records it.
  const keptNames = new Map(found.conflicts.filter((c) => c.key === 'OTEL_SERVICE_NAME' && !c.replaced && c.current && !c.current.includes('$')).map((c) => [c.service, c.current!]));
  const record = recordChanges({
    earlier,
    work,
    afterMoves: secretWork.replaced,
    ownServices: new Set([...(daemon.daemonName && !daemon.existingDaemon ? [daemon.daemonName] : []), ...(daemon.collector?.configPath !== undefined ? [daemon.collector.name] : [])]),
    services: new Set(project.services.map((s) => s.name)),
    ...(snapshot.previous?.changes?.packages ? { earlierPackages: snapshot.previous.changes.packages } : {}),
    installs: found.notes.filter((n): n is Extract<InitNote, { kind: 'install' }> => n.kind === 'install'),
  });
  const files = planProjectFiles(snapshot, choices, envIndex, keptNames, work, secretWork, movedSecrets, daemon, compose.daemonAdded, collector, compose.changes, found.notes, record);
  // The guard under compose edits (verifyComposeEdits) for what services load through env_file.
  const receivers = [...(daemon.daemonName ? [daemon.daemonName] : []), ...(daemon.collector ? [daemon.collector.name] : [])];
  verifyEnvFileEdits(
    project,
    snapshot.projectDir,
    (path) => snapshot.envFiles.get(path),
    files.changes,
    new Set([...choices.services, ...receivers]),
    new Set(secretWork.dotenvValues.keys()),
    envIndex,
  );

  return {
    changes: [...compose.changes, ...collector.changes, ...codeChanges, ...files.changes],
    untrack: files.untrack,
    added: work.filter((w) => w.additions.length > 0).map((w) => ({ service: w.service.name, keys: w.additions.map((a) => a.key) })),
    updated: found.updated,
    movedSecrets,
    conflicts: found.conflicts,
    notes: found.notes,
    daemonService: daemon.daemonName,
    daemonAdded: compose.daemonAdded,
    ...(daemon.collector && { collectorService: daemon.collector.name }),
    collectorAdded: collector.added,
    removedServices: collector.removedServices,
    removed: found.removed,
    restored: found.restored,
    config: files.config,
    requiredVariables: files.requiredVariables,
    secretValues: [...secretWork.dotenvValues.values()],
  };
}

/**
 * Phase 2: what each chosen service needs that it does not have yet -- its desired environment
 * (backends, then its instrumentation's) against what it has, with values obs wrote before
 * following new choices and values the user set reported as conflicts -- and its instrumentation code.
 */
function planServices(
  snapshot: InitSnapshot,
  choices: InitChoices,
  project: ComposeProject,
  envIndex: EnvironmentIndex,
  daemon: DaemonPlan,
  secretWork: SecretWork,
  found: Findings,
): { work: ServiceWork[]; codeChanges: FileChange[] } {
  const { notes, conflicts, updated, removed, restored } = found;
  // obs.yaml's record of what obs changed; absent in one written before it (then obs infers by value).
  const record = snapshot.previous?.changes;
  const route = routeOf(daemon);
  const work: ServiceWork[] = [];
  const nameOwners = serviceNameOwners(envIndex);
  const codeChanges: FileChange[] = [];
  const instrumentedDirs = new Map<string, string>();
  const byName = new Map(project.services.map((s) => [s.name, s]));
  for (const name of choices.services) {
    const service = byName.get(name)!;
    const stack = snapshot.stacks.get(name) ?? 'unknown';
    const desired = desiredEnvironment(service, stack, choices, snapshot.hints, route);
    const code = planCode(snapshot, service, stack, choices, envIndex, instrumentedDirs, notes, daemon.browserUrl);
    codeChanges.push(...code.changes);
    desired.push(...code.environment);
    // With the record, a collector the user runs counts as where obs sent the app (the record says which keys obs wrote).
    const ownedBefore = previousValues(snapshot, service, stack, choices, record && project);
    const changed = record && serviceChanges(record, name);
    // Whether obs wrote the key earlier: the record says; without one, a value equal to obs's counts.
    const obsWrote = (key: string) => !changed || changed.added.has(key) || changed.replaced.has(key);
    const item: ServiceWork = { service, additions: [], replacements: [], removals: [] };
    // What the container is given: env_file values count as set by the user (compose's
    // `environment` would silently override them).
    const env = envIndex.services.get(name)!;
    noteMissingEnvFiles(name, env.envFiles, notes);
    for (const setting of desired) {
      // A secret moved to .env leaves its reference behind: that is the value to compare, so a
      // reference to a per-service variable is a difference now, not only on the next run.
      const afterMove = secretWork.replaced.get(`${name}\0${setting.key}`);
      const variable = env.variables.get(setting.key);
      const current = afterMove ?? variable?.value;
      if (!variable) {
        item.additions.push(setting);
        continue;
      }
      if (current === setting.value) continue;
      // NODE_OPTIONS from the Node planner already keeps the options the service had.
      const extends_ = setting.key === 'NODE_OPTIONS' && typeof current === 'string' && setting.value.startsWith(current);
      if (extends_) {
        // The user's own options stay in front: say what is added, not that obs owned the value.
        item.replacements.push(setting);
        notes.push({ kind: 'node-options-kept', service: name, added: setting.value.slice(current.length).trim() });
        continue;
      }
      if (current !== undefined && current !== null && ownedBefore.get(setting.key) === current && obsWrote(setting.key)) {
        // obs wrote this value last time (obs.yaml says so): it follows the new choice.
        item.replacements.push(setting);
        updated.push({ service: name, key: setting.key });
        continue;
      }
      const conflict = describeConflict(service, setting, current ?? null, nameOwners);
      if (!conflict) continue;
      const envFile = afterMove === undefined && variable?.from === 'env_file' ? { envFile: { path: variable.file, line: variable.line } } : {};
      conflicts.push({ ...conflict, replaced: choices.force, ...envFile });
      if (choices.force) item.replacements.push(setting);
    }
    // What obs wrote for choices no longer made (a backend turned off, the other pipeline) goes,
    // when the value is still obs's; a value the user changed stays theirs.
    const wanted = new Set(desired.map((s) => s.key));
    const kept: string[] = [];
    for (const [key, value] of ownedBefore) {
      const current = service.config.environment.get(key);
      // A value the user had written as obs would (obs did not write it, the record says) is theirs.
      if (wanted.has(key) || current === undefined || !obsWrote(key)) continue;
      if (current !== value) {
        kept.push(key);
        continue;
      }
      const before = changed?.replaced.get(key);
      if (before === null) continue; // a secret obs replaced (never recorded): obs's value stays
      if (before !== undefined) {
        // obs replaced the user's value: it comes back.
        item.replacements.push({ key, value: before });
        (item.restores ??= []).push(key);
        restored.push({ service: name, key });
        continue;
      }
      item.removals.push(key);
      removed.push({ service: name, key });
    }
    if (kept.length > 0) notes.push({ kind: 'kept-user-values', service: name, keys: kept });
    // Through the collector, a Honeycomb key header the user wired into the app is the key in the
    // app's container, which the collector is there to avoid: reported, taken out with --force.
    if (daemon.collector && !BROWSER_STACKS.has(stack)) {
      for (const key of ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'OTEL_EXPORTER_OTLP_LOGS_HEADERS']) {
        const value = service.config.environment.get(key);
        if (typeof value !== 'string' || !/x-honeycomb-team/i.test(value) || item.removals.includes(key)) continue;
        conflicts.push({
          service: name,
          key,
          current: '(a reference)',
          proposed: '(none: the collector adds the key)',
          kind: 'key-header-through-collector',
          collector: daemon.collector.name,
          replaced: choices.force,
        });
        if (choices.force) {
          item.removals.push(key);
          removed.push({ service: name, key });
        }
      }
    }
    work.push(item);
  }

  return { work, codeChanges };
}

/**
 * Phase 2b: edits obs cannot make safely become notes with the lines to add by hand: a service
 * without a block to add to, and an environment shared through an anchor with a service left alone.
 */
function holdBackUnsafeEdits(work: ServiceWork[], envIndex: EnvironmentIndex, choices: InitChoices, notes: InitNote[]): void {
  // A service written as `name:` has no mapping to add keys to: say what to add. (One written
  // `name: {...}` gets its keys in flow style, see addEnvironment.)
  for (const item of work) {
    const definition = item.service.definitions.find((d) => d.map);
    if (definition) continue;
    if (item.additions.length === 0 && item.replacements.length === 0) continue;
    notes.push({
      kind: 'add-by-hand',
      service: item.service.name,
      reason: 'no-settings',
      file: item.service.definitions[0]!.file.path,
      settings: [...item.additions, ...item.replacements].map((s) => `${s.key}=${s.value}`),
    });
    item.additions = [];
    item.replacements = [];
  }

  // An environment shared through an anchor with a service left alone must not grow keys
  // meant for one service: obs shows the lines to add instead of guessing.
  const chosen = new Set(choices.services);
  for (const item of work) {
    if (item.additions.length === 0 && item.replacements.length === 0) continue;
    const bystanders = envIndex.sharedWith(item.service.name).filter((s) => !chosen.has(s));
    if (bystanders.length === 0) continue;
    notes.push({ kind: 'shared-environment', service: item.service.name, sharedWith: bystanders, settings: [...item.additions, ...item.replacements].map((s) => `${s.key}=${s.value}`) });
    item.additions = [];
    item.replacements = [];
  }
}

/**
 * A service whose environment is another's list (`<<: *app_base`, `environment: *list`) gets its
 * own copy of it from addEnvironment: YAML merges mappings only, and the service's own
 * `environment:` replaces the merged one whole. Said, since a later change to the shared list no
 * longer reaches it.
 */
function noteCopiedList(project: ComposeProject, service: ComposeService, definition: ComposeService['definitions'][number], ctx: EnvEditContext, notes: InitNote[]): void {
  const shared = sharedListOf(project, service, definition);
  if (!shared) return;
  const references = shared.items.filter((i) => ctx.copiedValues.has(i.node)).map((i) => i.key);
  notes.push({ kind: 'environment-copied', service: service.name, via: shared.via, entries: shared.items.length, references, ...(shared.from ? { from: shared.from } : {}) });
}

/**
 * Phase 3: all of it as text edits per compose file -- additions, replacements, moved secrets,
 * the X-Ray daemon's command fix or the daemon itself -- applied and verified by a re-read.
 */
function planComposeEdits(
  snapshot: InitSnapshot,
  choices: InitChoices,
  project: ComposeProject,
  envIndex: EnvironmentIndex,
  work: ServiceWork[],
  secretWork: SecretWork,
  daemon: DaemonPlan,
  collector: CollectorWork,
  found: Findings,
): { changes: FileChange[]; daemonAdded: boolean } {
  const { notes, conflicts } = found;
  const { xrayOn, existingDaemon, daemonName } = daemon;
  const editsByFile = new Map<ComposeFile, TextEdit[]>(snapshot.compose.map((f) => [f, []]));
  const contexts = new Map<ComposeFile, EnvEditContext>(snapshot.compose.map((f) => [f, makeEnvEditContext(f)]));
  // A copy of an inherited list (below) writes a secret this run moves to .env as its reference, never the literal.
  for (const move of secretWork.edits) contexts.get(move.file)?.copiedValues.set(move.scalar, move.value);
  for (const item of work) {
    const definition = item.service.definitions.find((d) => d.map) ?? item.service.definitions[0]!;
    if (!definition.map) continue;
    const ctx = contexts.get(definition.file)!;
    const additions = [...item.additions];
    for (const replacement of item.replacements) {
      // The definition that sets the value last is the one compose uses. A value only an
      // env_file sets is overridden by the service's own `environment:`, the env_file untouched.
      const written = [...item.service.definitions].reverse().some((d) => d.map && findEnvEntry(d.file.doc, d.map, replacement.key));
      if (!written) additions.push(replacement);
      for (const d of [...item.service.definitions].reverse()) {
        const entry = d.map ? findEnvEntry(d.file.doc, d.map, replacement.key) : undefined;
        if (!entry) continue;
        // A value merged in from an anchor is the anchor's, maybe other services' too: the
        // service gets its own key instead, which wins over the merged one.
        if (entry.inherited) additions.push(replacement);
        else {
          editsByFile.get(d.file)!.push(replaceEnvValue(d.file.text, entry, replacement.key, replacement.value));
          // A secret in this very value leaves with it: its move is only into .env.
          for (const move of secretWork.edits) {
            if (move.scalar !== entry.scalar) continue;
            move.superseded = true;
            move.moved.replacedWith = replacement.value;
          }
        }
        break;
      }
    }
    if (additions.length > 0) noteCopiedList(project, item.service, definition, ctx, notes);
    editsByFile.get(definition.file)!.push(...addEnvironment(ctx, definition.map, additions));
    planRemovals(item, editsByFile, secretWork, found);
  }
  for (const { file, edit } of collector.edits) editsByFile.get(file)!.push(edit);
  if (collector.addSpec) {
    const main = snapshot.compose[0]!;
    const step = contexts.get(main)!.indentStep;
    const spec = collector.addSpec;
    editsByFile.get(main)!.push(addServiceEdit(main, (st) => collectorServiceLines(spec, st), step, collectorServiceFlow(spec)));
  }
  for (const move of secretWork.edits) if (!move.superseded) editsByFile.get(move.file)!.push(move.edit);
  // A reused daemon whose command never reaches /xray is a value the user set: reported, fixed with --force.
  const daemonFix = existingDaemon ? planDaemonCommand(existingDaemon) : undefined;
  if (daemonFix && choices.force && !daemonFix.edit) notes.push({ kind: 'daemon-command-by-hand', service: daemonFix.service, text: daemonFix.byHand });
  else if (daemonFix) {
    conflicts.push({ service: daemonFix.service, key: 'command', current: daemonFix.current, proposed: daemonFix.proposed, kind: 'daemon-command', replaced: choices.force });
    if (choices.force) editsByFile.get(daemonFix.edit!.file)!.push(daemonFix.edit!.edit);
  }
  let daemonAdded = false;
  if (xrayOn && !existingDaemon && daemonName) {
    const main = snapshot.compose[0]!;
    const step = contexts.get(main)!.indentStep;
    // Every service that will send segments to the daemon must reach it by name.
    const senders = work.filter((w) => envIndex.variables(w.service.name).has('AWS_XRAY_DAEMON_ADDRESS') || w.additions.some((a) => a.key === 'AWS_XRAY_DAEMON_ADDRESS')).map((w) => w.service);
    const reach = networksToReach(senders);
    // Before a service the same plan takes out (obs's collector on a switch to direct).
    const insertion = addServiceEdit(main, (s) => xrayDaemonLines(daemonName, s, reach.networks), step, xrayDaemonFlow(daemonName, reach.networks), new Set(collector.removedServices));
    const mainEdits = editsByFile.get(main)!;
    mainEdits.push(insertion);
    // Edits at one offset apply in list order: a service taken out there goes after everything
    // added at that offset (the daemon, an app's new lines).
    const removals = collector.removedRanges.filter((r) => r.file === main).map((r) => r.edit);
    if (removals.length > 0) editsByFile.set(main, [...mainEdits.filter((e) => !removals.includes(e)), ...mainEdits.filter((e) => removals.includes(e))]);
    for (const name of reach.unreachable) notes.push({ kind: 'network-mode', service: name, daemon: daemonName });
    daemonAdded = true;
  }

  const changes: FileChange[] = [];
  const edited: EditedFile[] = [];
  for (const file of snapshot.compose) {
    const edits = keepMissingFinalNewline(
      file,
      withinRemovedServices(
        editsByFile.get(file)!,
        collector.removedRanges.filter((e) => e.file === file).map((e) => e.edit),
      ),
    );
    const after = applyTextEdits(file.text, edits);
    edited.push({ file, edits, after });
    changes.push({ path: file.path, before: file.text, after, edits });
  }
  const planned = new Map(work.map((w) => [w.service.name, [...w.additions, ...w.replacements]]));
  const removedKeys = new Map(work.filter((w) => w.removals.length > 0).map((w) => [w.service.name, new Set(w.removals)]));
  verifyComposeEdits(project, edited, planned, {
    addedServices: [...(daemonAdded && daemonName ? [daemonName] : []), ...(collector.added && daemon.collector ? [daemon.collector.name] : [])],
    removedServices: collector.removedServices,
    removedKeys,
  });

  return { changes, daemonAdded };
}

/** Phase 4: `.env.example` placeholders, `.env`, `.gitignore` and obs.yaml. */
function planProjectFiles(
  snapshot: InitSnapshot,
  choices: InitChoices,
  envIndex: EnvironmentIndex,
  keptNames: ReadonlyMap<string, string>,
  work: ServiceWork[],
  secretWork: SecretWork,
  movedSecrets: MovedSecret[],
  daemon: DaemonPlan,
  daemonAdded: boolean,
  collector: CollectorWork,
  composeChanges: readonly FileChange[],
  notes: InitNote[],
  record: ObsConfig['changes'],
): { changes: FileChange[]; untrack: string[]; config: ObsConfig; requiredVariables: string[] } {
  const changes: FileChange[] = [];
  const referenced = referencedVariables(work, daemonAdded, collector.added ? collector.environmentValues : []);
  // A moved secret whose value --force replaced is kept in .env but referenced by nothing: no placeholder.
  const requiredVariables = [...new Set([...referenced, ...movedSecrets.filter((m) => !m.replacedWith).map((m) => m.envVar)])];
  // compose's own `.env` may also be a service env_file: what obs adds there reaches every
  // service that loads it. A key that a service loading it does not use (one obs leaves alone,
  // or an app behind the collector, which alone needs the backend keys) goes unwritten (in
  // .env.example too, which people copy to .env) and a note says where to set it.
  const dotenvPath = envFilePath(snapshot.projectDir, '.env');
  // The X-Ray daemon and the collector are no bystanders: the keys are for them (and a service obs takes out reads nothing).
  const receivers = new Set([daemon.daemonName, daemon.collector?.name, ...collector.removedServices]);
  const readers = envIndex.envFileReaders(dotenvPath).filter((s) => !receivers.has(s));
  // Read only when some service loads .env (1,000 services' values otherwise: bench/RESULTS.md init).
  const users =
    readers.length === 0
      ? new Map<string, Set<string>>()
      : variableUsers(envIndex, new Map(work.map((w) => [w.service.name, { removed: w.removals, values: [...w.additions, ...w.replacements].map((s) => s.value) }])));
  const notUsing = (variable: string) => readers.filter((s) => !users.get(variable)?.has(s));
  // A secret moved out of a compose file is referenced there already: it goes to .env as before.
  const withheld = requiredVariables.filter((v) => !secretWork.dotenvValues.has(v) && notUsing(v).length > 0);
  const placeholders = requiredVariables.filter((v) => !withheld.includes(v));
  if (withheld.length > 0) notes.push({ kind: 'dotenv-loaded-by-others', path: dotenvPath, services: [...new Set(withheld.flatMap(notUsing))], variables: withheld });
  const secretFiles = planSecretFiles(snapshot, secretWork.dotenvValues, placeholders, PLACEHOLDERS);
  changes.push(
    ...secretFiles.changes.map((c) => (c.path === envFilePath(snapshot.projectDir, '.env.example') ? withoutUnusedPlaceholders(c, requiredVariables, [...composeChanges, ...collector.changes]) : c)),
  );
  const untrack = secretFiles.untrack;

  const config: ObsConfig = { ...buildConfig(snapshot, choices, daemon.daemonName, daemon.collector, keptNames), changes: record };
  if (config.xray.enabled && config.xray.groups.length === 0) {
    notes.push({ kind: 'xray-browser-only', services: choices.services });
  }
  // Values the user edited in obs.yaml stay (the next obs apply sends them), unless --force.
  const previous = snapshot.previous;
  const merged = previous
    ? mergeObsConfig(
        previous,
        buildConfig(
          snapshot,
          choicesFromConfig(previous),
          previous.xray.daemonService,
          previous.collector && { name: previous.collector.service, add: false, configPath: previous.collector.config },
          keptNames,
        ),
        config,
        choices.force,
      )
    : { config, kept: [], replaced: [] };
  for (const { path, user, obs } of merged.kept) notes.push({ kind: 'obs-yaml-kept', path, user, obs });
  for (const { path, user, obs } of merged.replaced) notes.push({ kind: 'obs-yaml-replaced', path, user, obs });
  const configBefore = snapshot.obsConfig?.text ?? null;
  const configText = configBefore === null ? renderObsConfig(merged.config) : renderObsConfigOver(configBefore, merged.config);
  changes.push({ path: OBS_CONFIG_FILE, before: configBefore, after: sameObsConfig(configBefore, configText) ? configBefore! : configText });

  return { changes, untrack, config: merged.config, requiredVariables };
}

/** Instrumentation code for one service, once per build context (services sharing one share the code). */
function planCode(
  snapshot: InitSnapshot,
  service: ComposeService,
  stack: Stack,
  choices: InitChoices,
  envIndex: EnvironmentIndex,
  instrumentedDirs: Map<string, string>,
  notes: InitNote[],
  browserUrl?: string,
): InstrumentResult {
  const none: InstrumentResult = { changes: [], notes: [], environment: [] };
  const sources = snapshot.instrumentation?.sources.get(service.name);
  const profile = snapshot.profiles?.get(service.name);
  const dir = serviceDirOf(snapshot.projectDir, service, profile);
  const silent = snapshot.instrumentation ? whyNoCode(service, stack, profile, dir) : undefined;
  if (silent)
    notes.push({
      kind: 'sends-nothing',
      service: service.name,
      reason: silent,
      stack,
      ...(service.config.image ? { image: service.config.image } : {}),
      ...(profile?.assetCommand || profile?.testRunner ? { command: profile.assetCommand ?? profile.testRunner } : {}),
    });
  if (!snapshot.instrumentation || !sources || dir === undefined || !INSTRUMENTED_STACKS.has(stack)) return none;
  const first = instrumentedDirs.get(dir);
  if (first !== undefined) {
    notes.push({ kind: 'shared-build-context', service: service.name, first });
    return none;
  }
  instrumentedDirs.set(dir, service.name);
  const environment = new Map([...envIndex.variables(service.name)].map(([key, v]) => [key, v.value]));
  const mounts = appMountTargets(snapshot.projectDir, service, dir);
  const planned = planServiceInstrumentation(service, stack, dir, sources, choices, snapshot.instrumentation.template, environment, profile, browserUrl, mounts, snapshot.previous?.changes?.packages);
  const notUtf8 = snapshot.instrumentation.notUtf8?.get(service.name);
  const result = notUtf8 ? holdBackNonUtf8Edits(service.name, planned, notUtf8) : planned;
  // An app on a runtime no release supports is left alone: said as plainly as the other apps that send nothing.
  notes.push(
    ...result.notes.map((text): InitNote => (planned.oldRuntime ? { kind: 'sends-nothing', service: service.name, reason: 'old-runtime', stack, detail: text } : { kind: 'instrumentation', text })),
  );
  if (result.install) {
    // The packages land in the image's node_modules; an anonymous volume there keeps the old ones over a rebuild.
    const kept = anonymousVolumeTargets(service).find((target) => /(^|\/)node_modules\/?$/.test(target));
    const gems = result.install.manager === 'bundler' ? gemVolume(service) : undefined;
    const commands = kept
      ? [...result.install.commands, `docker compose up -d --renew-anon-volumes ${service.name} (its anonymous volume on ${kept} keeps the old packages otherwise)`]
      : gems
        ? gemVolumeInstall(service.name, gems, mounts.length > 0, result.install.commands)
        : result.install.commands;
    notes.push({ kind: 'install', service: service.name, ...result.install, commands });
  }
  return result;
}

/** A volume on the service's gem path (BUNDLE_PATH, else the ruby image's /usr/local/bundle): the gems live there, not in the image. */
function gemVolume(service: ComposeService): { volume?: string; target: string } | undefined {
  const path = (service.config.environment.get('BUNDLE_PATH') ?? '/usr/local/bundle').replace(/\/+$/, '');
  const at = (target: string) => target.replace(/\/+$/, '') === path;
  return (
    namedVolumeMounts(service).find((m) => at(m.target)) ??
    anonymousVolumeTargets(service)
      .filter(at)
      .map((target) => ({ target }))[0]
  );
}

/**
 * Gems in a volume: a rebuilt image does not reach them, `bundle install` in a one-off container
 * does. With the app folder bind-mounted that also updates Gemfile.lock on the host, so it is the one step.
 */
function gemVolumeInstall(service: string, gems: { volume?: string; target: string }, appMounted: boolean, steps: readonly string[]): string[] {
  const where = `${gems.volume ? `the volume ${gems.volume}` : 'an anonymous volume'} on ${gems.target}, which a rebuild does not update`;
  const run = `docker compose run --rm ${service} bundle install`;
  return appMounted ? [`${run} (the gems live in ${where}; Gemfile.lock is updated through the bind mount)`] : [...steps, `${run} (the gems live in ${where})`];
}

/** A required env_file that is not there is noted, once per service (often generated by a script). */
function noteMissingEnvFiles(service: string, envFiles: readonly IndexedEnvFile[], notes: InitNote[]): void {
  const missing = new Set(envFiles.filter((f) => f.required && f.state === 'missing').map((f) => f.path));
  for (const path of missing) notes.push({ kind: 'env-file-missing', service, path });
}

/** Services that already claim each OTEL_SERVICE_NAME, to spot names shared by several. */
function serviceNameOwners(envIndex: EnvironmentIndex): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const [service, env] of envIndex.services) {
    const name = env.variables.get('OTEL_SERVICE_NAME')?.value;
    if (!name) continue;
    owners.set(name, [...(owners.get(name) ?? []), service]);
  }
  return owners;
}

/** A conflict before --force and the env_file are known (Omit over each member of the union). */
type ConflictFound = Conflict extends infer C ? (C extends Conflict ? Omit<C, 'replaced' | 'envFile'> : never) : never;

function describeConflict(service: ComposeService, setting: EnvSetting, current: string | null, owners: Map<string, string[]>): ConflictFound | undefined {
  if (current === null) return undefined; // `KEY:` passes the value through from the shell or .env: the user's choice.
  const base = { service: service.name, key: setting.key, current, proposed: setting.value };
  if (setting.key === 'OTEL_SERVICE_NAME') {
    const sharing = (owners.get(current) ?? []).filter((s) => s !== service.name);
    return sharing.length > 0 ? { ...base, kind: 'service-name-shared', sharedWith: sharing } : { ...base, kind: 'service-name-differs' };
  }
  if (SECRET_KEYS.has(setting.key) || OTLP_HEADER_KEYS.has(setting.key)) {
    // A reference to another variable (e.g. per-service keys) is a deliberate choice. The user's
    // value is not shown: it may hold what looks like a key.
    const hidden = { ...base, current: '(a reference)' };
    return OTLP_HEADER_KEYS.has(setting.key) ? { ...hidden, ...headerDifference(current, setting.value) } : { ...hidden, kind: 'references-other-variable' };
  }
  return { ...base, kind: 'differs' };
}

/**
 * Why a header the user wrote differs from obs's: a malformed header that references the key
 * (`x-honeycomb-team:${HONEYCOMB_API_KEY}`) is not "a different variable".
 */
function headerDifference(current: string, proposed: string): ConflictKind {
  const wanted = referencesIn(proposed)[0]?.name;
  // Unclosed `${NAME` counts too: a malformed header may still mean the key.
  const references = [...current.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
  if (wanted && references.includes(wanted)) return { kind: 'header-malformed' };
  if (references.length > 0) return { kind: 'references-other-variable' };
  return { kind: 'header-without-key', variable: wanted ?? 'HONEYCOMB_API_KEY' };
}

/** `.env.example` comments of every backend's variables, in backend order. */
const PLACEHOLDERS = placeholderComments();

/**
 * `.env.example` without the placeholders obs wrote for variables nothing references after this
 * run (a backend turned off): what the compose files and obs's collector config read is kept.
 * A file left empty held only obs's lines: it goes.
 */
function withoutUnusedPlaceholders(change: FileChange, requiredVariables: readonly string[], written: readonly FileChange[]): FileChange {
  if (change.before === null) return change;
  const referenced = new Set(written.flatMap((c) => [...c.after.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!)));
  const markers = new Map(
    Object.entries(PLACEHOLDERS)
      .filter(([key]) => !requiredVariables.includes(key) && !referenced.has(key))
      .map(([key, comment]) => [key, [comment, ...(EARLIER_PLACEHOLDERS[key] ?? [])]]),
  );
  const after = removeDotenvPlaceholders(change.after, markers);
  if (after === change.after) return change;
  return after.trim() === '' ? { path: change.path, before: change.before, after: '', remove: true } : { ...change, after };
}

function referencedVariables(work: ServiceWork[], daemonAdded: boolean, collectorValues: readonly string[]): string[] {
  const vars = new Set<string>();
  const values = [...work.flatMap((item) => [...item.additions, ...item.replacements].map((s) => s.value)), ...collectorValues];
  for (const value of values) {
    for (const match of value.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)) {
      if (PLACEHOLDERS[match[1]!]) vars.add(match[1]!);
    }
  }
  if (daemonAdded) ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_DEFAULT_REGION'].forEach((v) => vars.add(v));
  const order = Object.keys(PLACEHOLDERS);
  return [...vars].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

function buildConfig(snapshot: InitSnapshot, choices: InitChoices, daemonName: string | undefined, collector: CollectorTarget | undefined, keptNames: ReadonlyMap<string, string>): ObsConfig {
  const services: ObsConfig['services'] = {};
  for (const name of choices.services) services[name] = { serviceName: keptNames.get(name) ?? name, stack: snapshot.stacks.get(name) ?? 'unknown' };
  const traced = choices.services.filter((n) => !BROWSER_STACKS.has(snapshot.stacks.get(n) ?? 'unknown'));
  const pipeline = choices.pipeline ?? 'direct';
  const section = collector && collectorSection(collector);
  const config: Record<string, unknown> = { version: 1, pipeline, compose: { files: snapshot.compose.map((f) => f.path) }, ...(section && { collector: section }), services };
  for (const backend of BACKENDS) config[backend.id] = backend.configSection({ settings: choices[backend.id] as never, traced, daemonService: daemonName, pipeline });
  return config as unknown as ObsConfig;
}
