/**
 * Pure planning for `obs init`: from the files as read and the user's choices to the exact
 * new text of every file. No fs, no prompts, no git: those live in index.ts.
 */
import { addEnvironment, findEnvEntry, makeEnvEditContext, removeEnvEntry, replaceEnvValue, type EnvEditContext, type EnvSetting } from '../../compose/edit-env.js';
import { buildProject, freeServiceName, type ComposeProject, type ComposeService } from '../../compose/project.js';
import { buildEnvironmentIndex, envFilePath, type EnvironmentIndex, type IndexedEnvFile } from '../../compose/environment-index.js';
import { INSTRUMENTED_STACKS, planServiceInstrumentation, serviceDirOf, whyNoCode, type InstrumentResult } from './instrument.js';
import { keepMissingFinalNewline } from '../../compose/final-newline.js';
import { planSecretFiles, planSecretMoves, type MovedSecret, type SecretWork } from '../../project/secret-moves.js';
import type { InitSnapshot } from '../../project/snapshot.js';
import { holdBackNonUtf8Edits } from '../../instrument/not-utf8.js';
import { referencesIn } from '../../compose/interpolation.js';
import type { ComposeFile } from '../../compose/parse.js';
import { applyTextEdits, type TextEdit } from '../../text/edits.js';
import { addServiceEdit, findXrayDaemon, xrayDaemonFlow, xrayDaemonLines, XRAY_DAEMON_NAME } from '../../compose/xray-daemon.js';
import { OBS_CONFIG_FILE, renderObsConfig, renderObsConfigOver, sameObsConfig, type ObsConfig } from '../../config/obs-config.js';
import { mergeObsConfig } from '../../config/merge.js';
import { previousValues } from '../../backends/owned-values.js';
import type { FileChange } from '../../plan/file-change.js';
import { OTLP_HEADER_KEYS, SECRET_KEYS } from '../../secrets/shapes.js';
import { BROWSER_STACKS, type Stack } from '../../stacks/detect.js';
import type { InitChoices } from '../../backends/choices.js';
import { desiredEnvironment, routeVia, type Route } from '../../backends/environment.js';
import { BACKENDS, choicesFromConfig, placeholderComments, settingsOf } from '../../backends/index.js';
import { xray } from '../../backends/xray.js';
import { verifyComposeEdits, verifyEnvFileEdits, type EditedFile } from '../../compose/verify-edits.js';
import type { InitNote } from './notes.js';
import { MANAGED_MARKER } from '../../instrument/template.js';
import { renderCollectorConfig } from '../../collector/config.js';
import { planDaemonCommand } from '../../compose/xray-daemon-command.js';
import { networksToReach } from '../../compose/networks.js';
import { collectorServiceFlow, collectorServiceLines, removeServiceEdit, renameDependency, replaceServiceEdit } from '../../compose/collector-service.js';
import {
  browserCollectorUrl,
  browserHostPort,
  collectorChoices,
  collectorEnvironment,
  collectorHasBackend,
  collectorSection,
  collectorServiceSpec,
  planCollectorConfigFile,
  planCollectorTarget,
  type CollectorTarget,
} from './collector.js';

export interface Conflict {
  service: string;
  key: string;
  current: string | null;
  proposed: string;
  /** true when --force replaced it. */
  replaced: boolean;
  reason: string;
  /**
   * The env_file (and line) the current value comes from; --force then sets the value in the
   * service's `environment:`, which wins over it, and leaves the env_file (maybe generated, maybe
   * loaded by other services) alone.
   */
  envFile?: { path: string; line: number };
}

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
  config: ObsConfig;
  /** Variables the user must fill in `.env` (or `gp env` on Gitpod). */
  requiredVariables: string[];
  /** Literal secret values the plan moves: masked in every diff obs prints, never output. */
  secretValues: string[];
}

interface ServiceWork {
  service: ComposeService;
  additions: EnvSetting[];
  replacements: { key: string; value: string }[];
  /** Keys obs wrote earlier, still holding obs's value, that no choice wants now. */
  removals: string[];
}

/** Findings the phases add to as they go: reported with the plan. */
interface Findings {
  notes: InitNote[];
  conflicts: Conflict[];
  updated: { service: string; key: string }[];
  removed: { service: string; key: string }[];
}

/**
 * Phase 0: where the apps send. Direct: the X-Ray daemon, reused or to add. Collector: the
 * collector (obs's, the user's, or new), which replaces a daemon the project runs.
 */
interface DaemonPlan {
  xrayOn: boolean;
  existingDaemon: ComposeService | undefined;
  daemonName: string | undefined;
  collector?: CollectorTarget;
  /** The collector's URL for browser code, when a chosen browser app sends to it. */
  browserUrl?: string;
  browserPort?: number;
}

function planDaemon(project: ComposeProject, choices: InitChoices, snapshot: InitSnapshot): DaemonPlan {
  const xrayOn = settingsOf(choices, xray).enabled;
  if (choices.pipeline === 'collector') {
    if (!collectorHasBackend(choices)) return { xrayOn, existingDaemon: undefined, daemonName: undefined };
    const collector = planCollectorTarget(snapshot, project);
    const browsers = choices.services.some((n) => BROWSER_STACKS.has(snapshot.stacks.get(n) ?? 'unknown'));
    // A collector the user runs is reached where it publishes 4318, if it does; obs's own where obs published it.
    const theirs = collector.configPath === undefined ? project.services.find((s) => s.name === collector.name) : undefined;
    const theirPort = theirs?.config.ports.find((p) => p.target === '4318' && /^[0-9]+$/.test(p.published ?? ''))?.published;
    const browserPort = !browsers ? undefined : theirs ? (theirPort !== undefined ? Number(theirPort) : undefined) : browserHostPort(project, collector.name);
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
  const found: Findings = { notes: [], conflicts: [], updated: [], removed: [] };
  const movedSecrets: MovedSecret[] = [];
  const daemon = planDaemon(project, choices, snapshot);
  const envIndex = buildEnvironmentIndex(project, snapshot.projectDir, (path) => snapshot.envFiles.get(path));
  const secretWork = planSecretMoves(project, snapshot, movedSecrets, envIndex);
  for (const held of secretWork.heldBack) found.notes.push({ kind: 'secret-not-moved', ...held });
  const { work, codeChanges } = planServices(snapshot, choices, project, envIndex, daemon, secretWork, found);
  holdBackUnsafeEdits(work, envIndex, choices, found.notes);
  const collector = planCollectorWork(snapshot, choices, project, work, daemon, found);
  const compose = planComposeEdits(snapshot, choices, project, envIndex, work, secretWork, daemon, collector, found);
  // A user's OTEL_SERVICE_NAME obs keeps is the name the service sends as: obs.yaml records it.
  const keptNames = new Map(found.conflicts.filter((c) => c.key === 'OTEL_SERVICE_NAME' && !c.replaced && c.current && !c.current.includes('$')).map((c) => [c.service, c.current!]));
  const files = planProjectFiles(snapshot, choices, envIndex, keptNames, work, secretWork, movedSecrets, daemon, compose.daemonAdded, collector, found.notes);
  // The guard under compose edits (verifyComposeEdits) for what services load through env_file.
  const receivers = [...(daemon.daemonName ? [daemon.daemonName] : []), ...(daemon.collector ? [daemon.collector.name] : [])];
  verifyEnvFileEdits(project, snapshot.projectDir, (path) => snapshot.envFiles.get(path), files.changes, new Set([...choices.services, ...receivers]), new Set(secretWork.dotenvValues.keys()), envIndex);

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
  const { notes, conflicts, updated, removed } = found;
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
    const ownedBefore = previousValues(snapshot, service, stack);
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
      if (current !== undefined && current !== null && ownedBefore.get(setting.key) === current) {
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
    for (const [key, value] of ownedBefore) {
      if (wanted.has(key) || service.config.environment.get(key) !== value) continue;
      item.removals.push(key);
      removed.push({ service: name, key });
    }
    // Through the collector, a Honeycomb key header the user wired into the app is the key in the
    // app's container, which the collector is there to avoid: reported, taken out with --force.
    if (daemon.collector && !BROWSER_STACKS.has(stack)) {
      for (const key of ['OTEL_EXPORTER_OTLP_HEADERS', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'OTEL_EXPORTER_OTLP_LOGS_HEADERS']) {
        const value = service.config.environment.get(key);
        if (typeof value !== 'string' || !/x-honeycomb-team/i.test(value) || item.removals.includes(key)) continue;
        conflicts.push({ service: name, key, current: '(a reference)', proposed: '(none: the collector adds the key)', reason: `sends the Honeycomb key from the app; through ${daemon.collector.name} only the collector holds it`, replaced: choices.force });
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

/** Phase 2c (collector pipeline): the collector's config file, service and environment, and the daemon it replaces. */
interface CollectorWork {
  changes: FileChange[];
  /** obs adds the collector service in this run, with these settings. */
  added: boolean;
  addSpec?: ReturnType<typeof collectorServiceSpec>;
  removedServices: string[];
  /** Text edits outside the environment: the daemon's removal, depends_on renamed. */
  edits: { file: ComposeFile; edit: TextEdit }[];
  /** The edits that take a service out: other edits inside them go with it. */
  removedRanges: { file: ComposeFile; edit: TextEdit }[];
  /** Values of the collector's environment (their ${VAR} references need placeholders). */
  environmentValues: string[];
}

function planCollectorWork(snapshot: InitSnapshot, choices: InitChoices, project: ComposeProject, work: ServiceWork[], daemon: DaemonPlan, found: Findings): CollectorWork {
  const none: CollectorWork = { changes: [], added: false, removedServices: [], edits: [], removedRanges: [], environmentValues: [] };
  const target = daemon.collector;
  if (!target) {
    if (choices.pipeline === 'collector') found.notes.push({ kind: 'collector-nothing-to-export', services: choices.services });
    return removeOwnCollector(snapshot, project, none, found);
  }
  const out: CollectorWork = { ...none, edits: [], removedRanges: [] };
  const byName = new Map(project.services.map((s) => [s.name, s]));
  const workOf = (service: ComposeService): ServiceWork => {
    let item = work.find((w) => w.service === service);
    if (!item) {
      item = { service, additions: [], replacements: [], removals: [] };
      work.push(item);
    }
    return item;
  };

  // Apps that keep sending X-Ray SDK segments (code obs did not write): the awsxray receiver
  // takes the daemon's place, and their address follows it to the collector.
  const removedDaemon = target.daemon;
  const sdkSenders: ComposeService[] = [];
  for (const service of target.configPath === undefined ? [] : project.services) {
    if (service === removedDaemon || service.name === target.name) continue;
    const address = service.config.environment.get('AWS_XRAY_DAEMON_ADDRESS');
    if (address === undefined) continue;
    const item = work.find((w) => w.service === service);
    if (item?.removals.includes('AWS_XRAY_DAEMON_ADDRESS')) continue;
    sdkSenders.push(service);
    if (removedDaemon && typeof address === 'string' && address.startsWith(`${removedDaemon.name}:`)) {
      workOf(service).replacements.push({ key: 'AWS_XRAY_DAEMON_ADDRESS', value: `${target.name}:2000` });
      found.updated.push({ service: service.name, key: 'AWS_XRAY_DAEMON_ADDRESS' });
    }
  }
  if (sdkSenders.length > 0) found.notes.push({ kind: 'xray-sdk-through-collector', services: sdkSenders.map((s) => s.name), collector: target.name });

  const frontends = choices.services.map((n) => byName.get(n)!).filter((s) => BROWSER_STACKS.has(snapshot.stacks.get(s.name) ?? 'unknown'));
  const rendered = collectorChoices(choices, { frontends, xraySdkSenders: sdkSenders, hints: snapshot.hints });
  for (const { service, published } of rendered.unknownPorts) found.notes.push({ kind: 'cors-port-unknown', service, published });
  // A region the daemon was given literally stays the collector's.
  const daemonRegion = removedDaemon?.config.environment.get('AWS_REGION');
  const environment = collectorEnvironment(rendered.choices).map((e) =>
    e.key === 'AWS_REGION' && typeof daemonRegion === 'string' && /^[a-z0-9-]+$/.test(daemonRegion) ? { ...e, value: daemonRegion } : e,
  );
  out.environmentValues = environment.map((e) => e.value);

  if (target.configPath === undefined) {
    found.notes.push({ kind: 'collector-theirs', service: target.name });
  } else {
    const file = planCollectorConfigFile(snapshot, target.configPath, renderCollectorConfig(rendered.choices));
    if (file) out.changes.push(file);
    else found.notes.push({ kind: 'collector-config-theirs', path: target.configPath });
  }

  // Senders reach the collector by name: it joins their networks.
  // Every chosen server-side app (also one whose own endpoint is kept until --force) and every SDK sender.
  const senders = [...work.filter((w) => choices.services.includes(w.service.name) && !BROWSER_STACKS.has(snapshot.stacks.get(w.service.name) ?? 'unknown')).map((w) => w.service), ...sdkSenders];
  if (target.add) {
    const reach = networksToReach(senders);
    for (const name of reach.unreachable) found.notes.push({ kind: 'network-mode', service: name, daemon: target.name });
    out.added = true;
    out.addSpec = collectorServiceSpec(target, snapshot.projectDir, environment, daemon.browserPort, reach.networks);
  } else if (target.configPath !== undefined) {
    // obs's collector from an earlier run: the variables this run's config reads must reach it.
    const service = byName.get(target.name)!;
    const missing = environment.filter((e) => !service.config.environment.has(e.key));
    if (missing.length > 0) workOf(service).additions.push(...missing);
  }

  if (removedDaemon) {
    // The collector takes the daemon's place in the file, so the diff reads as one swap.
    const file = removedDaemon.definitions[0]!.file;
    const spec = out.addSpec;
    const edit = spec ? replaceServiceEdit(removedDaemon, (st) => collectorServiceLines(spec, st), makeEnvEditContext(file).indentStep) : removeServiceEdit(removedDaemon);
    if (edit) {
      out.edits.push({ file, edit });
      out.removedRanges.push({ file, edit });
      if (spec) out.addSpec = undefined;
      out.removedServices.push(removedDaemon.name);
      for (const service of project.services) {
        if (service === removedDaemon) continue;
        out.edits.push(...renameDependency(service, removedDaemon.name, target.name));
      }
      found.notes.push({ kind: 'daemon-replaced', daemon: removedDaemon.name, collector: target.name });
    } else {
      found.notes.push({ kind: 'daemon-remove-by-hand', daemon: removedDaemon.name, collector: target.name });
    }
  }
  return out;
}

/**
 * Off the collector pipeline (or with nothing to export): the collector obs added goes, while its
 * config file still carries obs's marker (a collector the user took over stays).
 */
function removeOwnCollector(snapshot: InitSnapshot, project: ComposeProject, out: CollectorWork, found: Findings): CollectorWork {
  const recorded = snapshot.previous?.collector;
  const service = recorded && project.services.find((s) => s.name === recorded.service);
  if (!recorded || !service) return out;
  const config = snapshot.collectorConfigs.get(recorded.config);
  if (config && !config.text.includes(MANAGED_MARKER)) return out;
  const edit = removeServiceEdit(service);
  if (!edit) {
    found.notes.push({ kind: 'collector-remove-by-hand', service: service.name, config: recorded.config });
    return out;
  }
  found.notes.push({ kind: 'collector-removed', service: service.name, config: recorded.config });
  const file = service.definitions[0]!.file;
  // obs's config file goes with its service (a file whose marker the user removed stayed above).
  const changes: FileChange[] = config ? [{ path: recorded.config, before: config.text, after: '', remove: true }] : [];
  return { ...out, changes, removedServices: [service.name], edits: [{ file, edit }], removedRanges: [{ file, edit }] };
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
    conflicts.push({ service: daemonFix.service, key: 'command', current: daemonFix.current, proposed: daemonFix.proposed, reason: daemonFix.reason, replaced: choices.force });
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
    const edits = keepMissingFinalNewline(file, withinRemovedServices(editsByFile.get(file)!, collector.removedRanges.filter((e) => e.file === file).map((e) => e.edit)));
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

/** Edits inside a service obs takes out (a secret moved out of the daemon, its command fixed) go with it. */
function withinRemovedServices(edits: TextEdit[], removals: readonly TextEdit[]): TextEdit[] {
  if (removals.length === 0) return edits;
  // An insertion at either edge of a removed service belongs to its neighbour (the end of the service before it).
  const inside = (e: TextEdit, r: TextEdit) => (e.start === e.end ? e.start > r.start && e.start < r.end : e.start >= r.start && e.end <= r.end);
  return edits.filter((e) => removals.includes(e) || !removals.some((r) => inside(e, r)));
}

/** Removal edits for the values obs wrote that no choice wants; what cannot go as text is said instead. */
function planRemovals(item: ServiceWork, editsByFile: Map<ComposeFile, TextEdit[]>, secretWork: SecretWork, found: Findings): void {
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
  notes: InitNote[],
): { changes: FileChange[]; untrack: string[]; config: ObsConfig; requiredVariables: string[] } {
  const changes: FileChange[] = [];
  const referenced = referencedVariables(work, daemonAdded, collector.added ? collector.environmentValues : []);
  // A moved secret whose value --force replaced is kept in .env but referenced by nothing: no placeholder.
  const requiredVariables = [...new Set([...referenced, ...movedSecrets.filter((m) => !m.replacedWith).map((m) => m.envVar)])];
  // compose's own `.env` may also be a service env_file: what obs adds there reaches every
  // service that loads it. With services obs leaves alone among them, the keys go unwritten
  // (in .env.example too, which people copy to .env) and a note says where to set them.
  const dotenvPath = envFilePath(snapshot.projectDir, '.env');
  // The X-Ray daemon and the collector are no bystanders: the keys are for them (and a service obs takes out reads nothing).
  const receivers = new Set([daemon.daemonName, daemon.collector?.name, ...collector.removedServices]);
  const bystanders = envIndex.envFileReaders(dotenvPath).filter((s) => !choices.services.includes(s) && !receivers.has(s));
  const placeholders = bystanders.length > 0 ? requiredVariables.filter((v) => secretWork.dotenvValues.has(v)) : requiredVariables;
  if (placeholders.length < requiredVariables.length) {
    notes.push({ kind: 'dotenv-loaded-by-others', path: dotenvPath, services: bystanders, variables: requiredVariables.filter((v) => !placeholders.includes(v)) });
  }
  const secretFiles = planSecretFiles(snapshot, secretWork.dotenvValues, placeholders, PLACEHOLDERS);
  changes.push(...secretFiles.changes);
  const untrack = secretFiles.untrack;

  const config = buildConfig(snapshot, choices, daemon.daemonName, daemon.collector, keptNames);
  if (config.xray.enabled && config.xray.groups.length === 0) {
    notes.push({ kind: 'xray-browser-only', services: choices.services });
  }
  // Values the user edited in obs.yaml stay (the next obs apply sends them), unless --force.
  const previous = snapshot.previous;
  const merged = previous
    ? mergeObsConfig(
        previous,
        buildConfig(snapshot, choicesFromConfig(previous), previous.xray.daemonService, previous.collector && { name: previous.collector.service, add: false, configPath: previous.collector.config }, keptNames),
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
  if (silent) notes.push({ kind: 'sends-nothing', service: service.name, reason: silent, stack, ...(service.config.image ? { image: service.config.image } : {}), ...(profile?.assetCommand ? { command: profile.assetCommand } : {}) });
  if (!snapshot.instrumentation || !sources || dir === undefined || !INSTRUMENTED_STACKS.has(stack)) return none;
  const first = instrumentedDirs.get(dir);
  if (first !== undefined) {
    notes.push({ kind: 'shared-build-context', service: service.name, first });
    return none;
  }
  instrumentedDirs.set(dir, service.name);
  const environment = new Map([...envIndex.variables(service.name)].map(([key, v]) => [key, v.value]));
  const planned = planServiceInstrumentation(service, stack, dir, sources, choices, snapshot.instrumentation.template, environment, profile, browserUrl);
  const notUtf8 = snapshot.instrumentation.notUtf8?.get(service.name);
  const result = notUtf8 ? holdBackNonUtf8Edits(service.name, planned, notUtf8) : planned;
  notes.push(...result.notes.map((text): InitNote => ({ kind: 'instrumentation', text })));
  if (result.install) notes.push({ kind: 'install', service: service.name, ...result.install });
  return result;
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

function describeConflict(
  service: ComposeService,
  setting: EnvSetting,
  current: string | null,
  owners: Map<string, string[]>,
): Omit<Conflict, 'replaced'> | undefined {
  if (current === null) return undefined; // `KEY:` passes the value through from the shell or .env: the user's choice.
  if (setting.key === 'OTEL_SERVICE_NAME') {
    const sharing = (owners.get(current) ?? []).filter((s) => s !== service.name);
    const reason = sharing.length > 0 ? `the name "${current}" is also used by ${sharing.join(', ')}` : `set to "${current}" instead of the compose service name`;
    return { service: service.name, key: setting.key, current, proposed: setting.value, reason };
  }
  if (SECRET_KEYS.has(setting.key) || OTLP_HEADER_KEYS.has(setting.key)) {
    // A reference to another variable (e.g. per-service keys) is a deliberate choice.
    const conflict = { service: service.name, key: setting.key, current: '(a reference)', proposed: setting.value, reason: 'references a different variable' };
    if (OTLP_HEADER_KEYS.has(setting.key)) conflict.reason = headerDifference(current, setting.value);
    return conflict;
  }
  return { service: service.name, key: setting.key, current, proposed: setting.value, reason: 'differs from what obs would write' };
}

/**
 * Why a header the user wrote differs from obs's: a malformed header that references the key
 * (`x-honeycomb-team:${HONEYCOMB_API_KEY}`) is not "a different variable". Only obs's own value
 * is quoted: the user's may hold what looks like a key.
 */
function headerDifference(current: string, proposed: string): string {
  const wanted = referencesIn(proposed)[0]?.name;
  // Unclosed `${NAME` counts too: a malformed header may still mean the key.
  const references = [...current.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
  if (wanted && references.includes(wanted)) return `is not the header obs writes: ${proposed}`;
  if (references.length > 0) return 'references a different variable';
  return `does not reference \${${wanted ?? 'HONEYCOMB_API_KEY'}}; obs writes ${proposed}`;
}


/** `.env.example` comments of every backend's variables, in backend order. */
const PLACEHOLDERS = placeholderComments();

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

