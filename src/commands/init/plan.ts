/**
 * Pure planning for `obs init`: from the files as read and the user's choices to the exact
 * new text of every file. No fs, no prompts, no git: those live in index.ts.
 */
import { parse as parseYamlLoose } from 'yaml';
import { addEnvironment, findEnvEntry, makeEnvEditContext, replaceEnvValue, type EnvEditContext, type EnvSetting } from '../../compose/edit-env.js';
import { buildProject, type ComposeProject, type ComposeService } from '../../compose/project.js';
import { environmentReaders } from '../../compose/consumers.js';
import { INSTRUMENTED_STACKS, planServiceInstrumentation, serviceDirOf, type InstrumentResult, type ServiceSources } from './instrument.js';
import { holdBackNonUtf8Edits } from '../../instrument/not-utf8.js';
import { referencesIn } from '../../checks/project/lib/interpolation.js';
import type { ComposeFile } from '../../compose/parse.js';
import { applyTextEdits, lineColOf, type TextEdit } from '../../compose/text-edits.js';
import { addServiceEdit, findXrayDaemon, xrayDaemonLines, XRAY_DAEMON_NAME } from '../../compose/xray-daemon.js';
import { HONEYCOMB_ENDPOINTS, OBS_CONFIG_FILE, renderObsConfig, type ObsConfig } from '../../config/obs-config.js';
import { appendDotenvKeys, dotenvToMap, parseDotenv, setDotenvValue, type DotenvAddition } from '../../dotenv/index.js';
import type { FileChange } from '../../plan/file-change.js';
import { holdsLiteralSecret, honeycombTeamLiteral, isLiteralSecret, OTLP_HEADER_KEYS, SECRET_KEYS } from '../../secrets/shapes.js';
import { BROWSER_STACKS, type Stack } from '../../stacks/detect.js';
import type { InitChoices } from './choices.js';
import { desiredEnvironment, PLACEHOLDER_COMMENTS, type HostingHints } from './desired-env.js';
import { verifyComposeEdits, type EditedFile } from './verify-edits.js';
import { planDaemonCommand } from './daemon-command.js';

export interface TextFile {
  path: string;
  text: string;
}

/** What discovery read from disk, already parsed where parsing can fail. */
export interface InitSnapshot {
  compose: ComposeFile[];
  /** Directory compose reads `.env` from, relative to where obs runs ('' for the same one). */
  projectDir: string;
  dotenv?: TextFile;
  dotenvExample?: TextFile;
  gitignore?: TextFile;
  obsConfig?: TextFile;
  /** obs.yaml as parsed: what obs wrote last time, so values it owns can follow new choices. */
  previous?: ObsConfig;
  /**
   * Instrumentation inputs: each chosen service's build-context files its stack's planner reads,
   * and the template loader. Absent: obs writes environment settings only (--no-instrument).
   */
  instrumentation?: {
    sources: Map<string, ServiceSources>;
    template: (stack: string) => (name: string) => string;
    /** Per service: files read that are not UTF-8 (paths as in FileChange.path); obs does not edit them. */
    notUtf8?: Map<string, ReadonlySet<string>>;
  };
  /** Each service `env_file` (path relative to where obs runs) as read, or null when missing. */
  envFiles: Map<string, TextFile | null>;
  hints: HostingHints;
  stacks: Map<string, Stack>;
  /** `.env` is ignored by git (or by .gitignore outside a repository). */
  envIgnored: boolean;
  /** `.env` is tracked by git: it must stop being tracked before a secret goes into it. */
  envTracked: boolean;
  projectName: string;
}

export interface MovedSecret {
  file: string;
  line: number;
  service: string;
  key: string;
  envVar: string;
  /**
   * Set when --force replaced the value the secret was in with obs's own (this text): the
   * secret is kept in .env as envVar, but nothing references it any more.
   */
  replacedWith?: string;
}

export interface Conflict {
  service: string;
  key: string;
  current: string | null;
  proposed: string;
  /** true when --force replaced it. */
  replaced: boolean;
  reason: string;
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
  notes: string[];
  daemonService?: string;
  daemonAdded: boolean;
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
}

/** `project` is buildProject(snapshot.compose), passed in when the caller already built it. */
export function planInit(snapshot: InitSnapshot, choices: InitChoices, project: ComposeProject = buildProject(snapshot.compose)): InitPlan {
  const notes: string[] = [];
  const conflicts: Conflict[] = [];
  const movedSecrets: MovedSecret[] = [];
  const updated: { service: string; key: string }[] = [];

  const existingDaemon = choices.xray.enabled ? findXrayDaemon(project) : undefined;
  const daemonName = choices.xray.enabled ? (existingDaemon?.name ?? freeServiceName(project, XRAY_DAEMON_NAME)) : undefined;

  // 1. Secrets already written into the compose file move to .env, whatever the choices.
  const secretWork = planSecretMoves(project, snapshot, movedSecrets);

  // 2. What each chosen service needs that it does not have yet.
  const work: ServiceWork[] = [];
  const nameOwners = serviceNameOwners(project);
  const codeChanges: FileChange[] = [];
  const instrumentedDirs = new Map<string, string>();
  const byName = new Map(project.services.map((s) => [s.name, s]));
  const missingEnvFiles = new Set<string>();
  for (const name of choices.services) {
    const service = byName.get(name)!;
    const stack = snapshot.stacks.get(name) ?? 'unknown';
    const desired = desiredEnvironment(service, stack, choices, snapshot.hints, daemonName);
    const code = planCode(snapshot, service, stack, choices, instrumentedDirs, notes);
    codeChanges.push(...code.changes);
    desired.push(...code.environment);
    const ownedBefore = previousValues(snapshot, service, stack);
    const item: ServiceWork = { service, additions: [], replacements: [] };
    const fromEnvFiles = envFileValues(snapshot, service, notes, missingEnvFiles);
    for (const setting of desired) {
      const inEnvironment = service.config.environment.has(setting.key);
      // A secret moved to .env leaves its reference behind: that is the value to compare, so a
      // reference to a per-service variable is a difference now, not only on the next run.
      const afterMove = secretWork.replaced.get(`${name}\0${setting.key}`);
      const current = afterMove ?? (inEnvironment ? service.config.environment.get(setting.key) : fromEnvFiles.get(setting.key));
      const has = inEnvironment || fromEnvFiles.has(setting.key);
      if (!has) {
        item.additions.push(setting);
        continue;
      }
      if (current === setting.value) continue;
      // NODE_OPTIONS from the Node planner already keeps the options the service had.
      const extends_ = setting.key === 'NODE_OPTIONS' && typeof current === 'string' && setting.value.startsWith(current);
      if (extends_) {
        // The user's own options stay in front: say what is added, not that obs owned the value.
        item.replacements.push(setting);
        notes.push(`${name}: NODE_OPTIONS keeps your options; obs adds ${setting.value.slice(current.length).trim()} after them`);
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
      conflicts.push({ ...conflict, replaced: choices.force });
      if (choices.force) item.replacements.push(setting);
    }
    work.push(item);
  }

  // A service written as `name:` or `name: {...}` has no block to add lines to: say what to add.
  for (const item of work) {
    const definition = item.service.definitions.find((d) => d.map);
    if (definition && !definition.map!.flow) continue;
    if (item.additions.length === 0 && item.replacements.length === 0) continue;
    const where = definition ? 'is written in flow style ({...})' : 'has no settings';
    notes.push(`${item.service.name} ${where} in ${(definition ?? item.service.definitions[0]!).file.path}; add by hand: ${[...item.additions, ...item.replacements].map((s) => `${s.key}=${s.value}`).join(' ')}`);
    item.additions = [];
    item.replacements = [];
  }

  // An environment shared through an anchor with a service left alone must not grow keys
  // meant for one service: obs shows the lines to add instead of guessing.
  const chosen = new Set(choices.services);
  const readers = environmentReaders(project);
  for (const item of work) {
    if (item.additions.length === 0 && item.replacements.length === 0) continue;
    const bystanders = readers.sharedWith(item.service.name).filter((s) => !chosen.has(s));
    if (bystanders.length === 0) continue;
    notes.push(
      `${item.service.name}: its environment is shared through a YAML anchor with ${bystanders.join(', ')}, which obs leaves alone; ` +
        `add these lines to ${item.service.name} by hand: ${[...item.additions, ...item.replacements].map((s) => `${s.key}=${s.value}`).join(' ')}`,
    );
    item.additions = [];
    item.replacements = [];
  }

  // 3. Turn all of it into text edits per compose file.
  const editsByFile = new Map<ComposeFile, TextEdit[]>(snapshot.compose.map((f) => [f, []]));
  const contexts = new Map<ComposeFile, EnvEditContext>(snapshot.compose.map((f) => [f, makeEnvEditContext(f)]));
  for (const item of work) {
    const definition = item.service.definitions.find((d) => d.map) ?? item.service.definitions[0]!;
    if (!definition.map) continue;
    const ctx = contexts.get(definition.file)!;
    const additions = [...item.additions];
    for (const replacement of item.replacements) {
      // The definition that sets the value last is the one compose uses.
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
  }
  for (const move of secretWork.edits) if (!move.superseded) editsByFile.get(move.file)!.push(move.edit);
  // A reused daemon whose command never reaches /xray is a value the user set: reported, fixed with --force.
  const daemonFix = existingDaemon ? planDaemonCommand(existingDaemon) : undefined;
  if (daemonFix && choices.force && !daemonFix.edit) notes.push(daemonFix.byHand);
  else if (daemonFix) {
    conflicts.push({ service: daemonFix.service, key: 'command', current: daemonFix.current, proposed: daemonFix.proposed, reason: daemonFix.reason, replaced: choices.force });
    if (choices.force) editsByFile.get(daemonFix.edit!.file)!.push(daemonFix.edit!.edit);
  }
  let daemonAdded = false;
  if (choices.xray.enabled && !existingDaemon && daemonName) {
    const main = snapshot.compose[0]!;
    const step = contexts.get(main)!.indentStep;
    editsByFile.get(main)!.push(addServiceEdit(main, (s) => xrayDaemonLines(daemonName, s), step));
    daemonAdded = true;
  }

  const changes: FileChange[] = [];
  const edited: EditedFile[] = [];
  for (const file of snapshot.compose) {
    const edits = keepMissingFinalNewline(file, editsByFile.get(file)!);
    const after = applyTextEdits(file.text, edits);
    edited.push({ file, edits, after });
    changes.push({ path: file.path, before: file.text, after, edits });
  }
  const planned = new Map(work.map((w) => [w.service.name, [...w.additions, ...w.replacements]]));
  verifyComposeEdits(project, edited, planned, daemonName);
  changes.push(...codeChanges);

  // 4. Placeholders, .env, .gitignore and obs.yaml.
  const referenced = referencedVariables(work, daemonAdded);
  // A moved secret whose value --force replaced is kept in .env but referenced by nothing: no placeholder.
  const requiredVariables = [...new Set([...referenced, ...movedSecrets.filter((m) => !m.replacedWith).map((m) => m.envVar)])];
  const secretFiles = planSecretFiles(snapshot, secretWork.dotenvValues, requiredVariables);
  changes.push(...secretFiles.changes);
  const untrack = secretFiles.untrack;

  const config = buildConfig(snapshot, choices, daemonName);
  if (config.xray.enabled && config.xray.groups.length === 0) {
    const names = choices.services;
    notes.push(
      `X-Ray is on, but ${names.join(', ')} ${names.length === 1 ? 'is a browser frontend' : 'are browser frontends'} and browser code sends no X-Ray segments: ` +
        'obs.yaml declares no X-Ray group or sampling rule (instrument a server-side service to get them)',
    );
  }
  const configText = renderObsConfig(config);
  const configBefore = snapshot.obsConfig?.text ?? null;
  changes.push({ path: OBS_CONFIG_FILE, before: configBefore, after: sameConfig(configBefore, configText) ? configBefore! : configText });

  return {
    changes,
    untrack,
    added: work.filter((w) => w.additions.length > 0).map((w) => ({ service: w.service.name, keys: w.additions.map((a) => a.key) })),
    updated,
    movedSecrets,
    conflicts,
    notes,
    daemonService: daemonName,
    daemonAdded,
    config,
    requiredVariables,
    secretValues: [...secretWork.dotenvValues.values()],
  };
}

/**
 * `.env.example` placeholders, `.env` (moved secrets and empty keys, appended, never rewritten)
 * and `.gitignore`, plus whether `.env` must leave the git index before a secret goes into it.
 */
export function planSecretFiles(
  snapshot: InitSnapshot,
  dotenvValues: Map<string, string>,
  requiredVariables: string[],
): { changes: FileChange[]; untrack: string[] } {
  const changes: FileChange[] = [];
  const envPath = joinPath(snapshot.projectDir, '.env');
  const examplePath = joinPath(snapshot.projectDir, '.env.example');
  const exampleAdditions: DotenvAddition[] = requiredVariables.map((key) => ({
    key,
    value: '',
    comment: PLACEHOLDER_COMMENTS[key] ?? `Moved out of ${snapshot.compose[0]!.path} by obs. Never commit it.`,
  }));
  const exampleBefore = snapshot.dotenvExample?.text ?? null;
  if (exampleBefore !== null || exampleAdditions.length > 0) {
    changes.push({ path: examplePath, before: exampleBefore, after: appendDotenvKeys(exampleBefore ?? '', exampleAdditions, examplePath) });
  }
  const untrack: string[] = [];
  const envBefore = snapshot.dotenv?.text ?? null;
  if (envBefore !== null || dotenvValues.size > 0) {
    let envAfter = envBefore ?? '# Local secrets for docker compose. Git-ignored: never commit this file.\n';
    for (const [envVar, value] of dotenvValues) {
      const current = dotenvToMap(parseDotenv(envAfter, envPath));
      envAfter = current.has(envVar) ? setDotenvValue(envAfter, envVar, value, envPath) : appendDotenvKeys(envAfter, [{ key: envVar, value }], envPath);
    }
    envAfter = appendDotenvKeys(envAfter, requiredVariables.map((key) => ({ key, value: '' })), envPath);
    changes.push({ path: envPath, before: envBefore, after: envAfter });
  }
  // Whether or not obs writes to it: .env is where secrets live, and the .gitignore line obs
  // adds does nothing while git still tracks the file.
  if (snapshot.envTracked && envBefore !== null) untrack.push(envPath);
  if (!snapshot.envIgnored) {
    const before = snapshot.gitignore?.text ?? null;
    const base = before ?? '';
    const eol = base.includes('\r\n') ? '\r\n' : '\n';
    const sep = base === '' || base.endsWith('\n') ? '' : eol;
    changes.push({ path: '.gitignore', before, after: `${base}${sep}# Local secrets (added by obs)${eol}.env${eol}` });
  }
  return { changes, untrack };
}

/** Instrumentation code for one service, once per build context (services sharing one share the code). */
function planCode(
  snapshot: InitSnapshot,
  service: ComposeService,
  stack: Stack,
  choices: InitChoices,
  instrumentedDirs: Map<string, string>,
  notes: string[],
): InstrumentResult {
  const none: InstrumentResult = { changes: [], notes: [], environment: [] };
  const sources = snapshot.instrumentation?.sources.get(service.name);
  const dir = serviceDirOf(snapshot.projectDir, service);
  if (!snapshot.instrumentation || !sources || dir === undefined || !INSTRUMENTED_STACKS.has(stack)) return none;
  const first = instrumentedDirs.get(dir);
  if (first !== undefined) {
    notes.push(`${service.name} is built from the same folder as ${first}; its instrumentation code is written once`);
    return none;
  }
  instrumentedDirs.set(dir, service.name);
  const planned = planServiceInstrumentation(service, stack, dir, sources, choices, snapshot.instrumentation.template);
  const notUtf8 = snapshot.instrumentation.notUtf8?.get(service.name);
  const result = notUtf8 ? holdBackNonUtf8Edits(service.name, planned, notUtf8) : planned;
  notes.push(...result.notes);
  return result;
}

/** Variables a service's env_file(s) set; a missing env_file is noted (often generated by a script). */
function envFileValues(snapshot: InitSnapshot, service: ComposeService, notes: string[], noted: Set<string>): Map<string, string | null> {
  const values = new Map<string, string | null>();
  for (const entry of service.config.envFiles) {
    const path = joinPath(snapshot.projectDir, entry.path).replace(/^\.\//, '');
    const file = snapshot.envFiles.get(path);
    if (file === null || file === undefined) {
      const note = `${service.name}: env_file ${path} is missing (generated by a script?); settings obs adds to environment take precedence over it`;
      if (entry.required && !noted.has(note)) {
        noted.add(note);
        notes.push(note);
      }
      continue;
    }
    for (const [key, value] of dotenvToMap(parseDotenv(file.text, file.path))) values.set(key, value ?? null);
  }
  return values;
}

/** What obs wrote for a service under the choices recorded in obs.yaml. */
function previousValues(snapshot: InitSnapshot, service: ComposeService, stack: Stack): Map<string, string> {
  const previous = snapshot.previous;
  if (!previous || !previous.services[service.name]) return new Map();
  const choices = choicesFromConfig(previous);
  const settings = desiredEnvironment(service, stack, choices, snapshot.hints, previous.xray.daemonService);
  return new Map(settings.map((s) => [s.key, s.value]));
}

export function choicesFromConfig(config: ObsConfig): InitChoices {
  const logGroup = config.cloudwatch.logGroups[0];
  return {
    services: Object.keys(config.services),
    honeycomb: { enabled: config.honeycomb.enabled, region: config.honeycomb.region, ...(config.honeycomb.dataset ? { dataset: config.honeycomb.dataset } : {}) },
    xray: { enabled: config.xray.enabled, group: config.xray.groups[0]?.name ?? '' },
    cloudwatch: { enabled: config.cloudwatch.enabled, logGroup: logGroup?.name ?? '', retentionInDays: logGroup?.retentionInDays ?? 0 },
    rollbar: { enabled: config.rollbar.enabled },
    force: false,
  };
}

/** Services that already claim each OTEL_SERVICE_NAME, to spot names shared by several. */
function serviceNameOwners(project: ComposeProject): Map<string, string[]> {
  const owners = new Map<string, string[]>();
  for (const service of project.services) {
    const name = service.config.environment.get('OTEL_SERVICE_NAME');
    if (!name) continue;
    owners.set(name, [...(owners.get(name) ?? []), service.name]);
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

export interface SecretWork {
  /** Each move's edit of the value it was in; superseded when --force rewrites that value whole. */
  edits: { file: ComposeFile; edit: TextEdit; scalar: unknown; moved: MovedSecret; superseded?: boolean }[];
  /** `.env` variable -> literal value moved there. */
  dotenvValues: Map<string, string>;
  /** `service\0KEY` whose value was replaced by a reference -> the value with the reference. */
  replaced: Map<string, string>;
}

export function planSecretMoves(project: ComposeProject, snapshot: InitSnapshot, moved: MovedSecret[]): SecretWork {
  const work: SecretWork = { edits: [], dotenvValues: new Map(), replaced: new Map() };
  const existing = snapshot.dotenv ? dotenvToMap(parseDotenv(snapshot.dotenv.text, snapshot.dotenv.path)) : new Map<string, string | undefined>();
  const seenNodes = new Set<unknown>();
  const variableFor = (base: string, value: string, service: string): string => {
    for (const candidate of [base, `${base}_${service.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`]) {
      const planned = work.dotenvValues.get(candidate);
      const onDisk = existing.get(candidate);
      if ((planned === undefined || planned === value) && (!onDisk || onDisk === value)) return candidate;
    }
    return `${base}_${moved.length + 1}`;
  };
  for (const service of project.services) {
    for (const definition of service.definitions) {
      if (!definition.map) continue;
      for (const [key, value] of service.config.environment) {
        // Only secrets move: most values are not, and need no lookup of where they are written.
        if (value === null || !holdsLiteralSecret(key, value)) continue;
        const entry = findEnvEntry(definition.file.doc, definition.map, key);
        if (!entry || seenNodes.has(entry.scalar)) continue;
        const written = entry.form === 'map' ? String(entry.scalar.value ?? '') : String(entry.scalar.value).slice(key.length + 1);
        if (written !== value) continue; // defined in another file; handled there
        let replacement: string | undefined;
        let envVar: string | undefined;
        if (isLiteralSecret(key, value)) {
          envVar = variableFor(key, value, service.name);
          replacement = `\${${envVar}}`;
          work.dotenvValues.set(envVar, value);
        } else if (OTLP_HEADER_KEYS.has(key)) {
          const literal = honeycombTeamLiteral(value);
          if (literal) {
            envVar = variableFor('HONEYCOMB_API_KEY', literal.value, service.name);
            replacement = `${value.slice(0, literal.start)}\${${envVar}}${value.slice(literal.end)}`;
            work.dotenvValues.set(envVar, literal.value);
          }
        }
        if (replacement === undefined || envVar === undefined) continue;
        seenNodes.add(entry.scalar);
        work.replaced.set(`${service.name}\0${key}`, replacement);
        const { line } = lineColOf(definition.file.text, entry.scalar.range![0]);
        const record: MovedSecret = { file: definition.file.path, line, service: service.name, key, envVar };
        moved.push(record);
        work.edits.push({ file: definition.file, edit: replaceEnvValue(definition.file.text, entry, key, replacement), scalar: entry.scalar, moved: record });
      }
    }
  }
  return work;
}

function referencedVariables(work: ServiceWork[], daemonAdded: boolean): string[] {
  const vars = new Set<string>();
  for (const item of work) {
    for (const setting of [...item.additions, ...item.replacements]) {
      for (const match of setting.value.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)) {
        if (PLACEHOLDER_COMMENTS[match[1]!]) vars.add(match[1]!);
      }
    }
  }
  if (daemonAdded) ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_DEFAULT_REGION'].forEach((v) => vars.add(v));
  const order = Object.keys(PLACEHOLDER_COMMENTS);
  return [...vars].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

/** A file without a final newline stays without one: lines appended at its end drop their last line ending. */
export function keepMissingFinalNewline(file: ComposeFile, edits: TextEdit[]): TextEdit[] {
  if (file.text === '' || file.text.endsWith('\n')) return edits;
  return edits.map((edit) =>
    edit.start === file.text.length && edit.text.endsWith(file.eol) ? { ...edit, text: edit.text.slice(0, -file.eol.length) } : edit,
  );
}

function freeServiceName(project: ComposeProject, base: string): string {
  const names = new Set(project.services.map((s) => s.name));
  if (!names.has(base)) return base;
  for (let i = 2; ; i++) if (!names.has(`${base}-${i}`)) return `${base}-${i}`;
}

function buildConfig(snapshot: InitSnapshot, choices: InitChoices, daemonName: string | undefined): ObsConfig {
  const services: ObsConfig['services'] = {};
  for (const name of choices.services) services[name] = { serviceName: name, stack: snapshot.stacks.get(name) ?? 'unknown' };
  // Only server-side code sends X-Ray segments; a browser frontend never matches a group.
  const traced = choices.services.filter((n) => !BROWSER_STACKS.has(snapshot.stacks.get(n) ?? 'unknown'));
  const filter = traced.map((n) => `service(${JSON.stringify(n)}) {fault OR error}`).join(' OR ');
  return {
    version: 1,
    compose: { files: snapshot.compose.map((f) => f.path) },
    services,
    honeycomb: {
      enabled: choices.honeycomb.enabled,
      region: choices.honeycomb.region,
      endpoint: HONEYCOMB_ENDPOINTS[choices.honeycomb.region],
      ...(choices.honeycomb.dataset ? { dataset: choices.honeycomb.dataset } : {}),
    },
    xray: choices.xray.enabled
      ? {
          enabled: true,
          daemonService: daemonName,
          groups: traced.length > 0 ? [{ name: choices.xray.group, filterExpression: filter }] : [],
          samplingRules:
            traced.length === 0
              ? []
              : [
                  {
                    ruleName: choices.xray.group,
                    priority: 9000,
                    fixedRate: 0.1,
                    reservoirSize: 5,
                    serviceName: traced.length === 1 ? traced[0]! : '*',
                    serviceType: '*',
                    host: '*',
                    httpMethod: '*',
                    urlPath: '*',
                    resourceArn: '*',
                  },
                ],
        }
      : { enabled: false, groups: [], samplingRules: [] },
    cloudwatch: choices.cloudwatch.enabled
      ? { enabled: true, logGroups: [{ name: choices.cloudwatch.logGroup, retentionInDays: choices.cloudwatch.retentionInDays }] }
      : { enabled: false, logGroups: [] },
    rollbar: { enabled: choices.rollbar.enabled },
  };
}

/** Keeps a user's obs.yaml byte for byte (comments included) when it already says the same. */
function sameConfig(before: string | null, after: string): boolean {
  if (before === null) return false;
  try {
    return JSON.stringify(parseYamlLoose(before)) === JSON.stringify(parseYamlLoose(after));
  } catch {
    return false;
  }
}


function joinPath(dir: string, name: string): string {
  return dir === '' || dir === '.' ? name : `${dir}/${name}`;
}
