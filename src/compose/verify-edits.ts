/**
 * The safety net under every compose edit: the edited files must read, the way compose reads
 * them, as the plan says. An edit that fails this is a bug in obs, and nothing is written.
 */
import { isMap } from 'yaml';
import type { EnvSetting } from './edit-env.js';
import { environmentsAfterEdits } from './edit-proof.js';
import type { EnvMap } from './environment.js';
import { parseComposeText, type ComposeFile } from './parse.js';
import { buildProject, type ComposeProject } from './project.js';
import type { TextEdit } from '../text/edits.js';
import { holdsLiteralSecret } from '../secrets/shapes.js';
import { buildEnvironmentIndex, type EnvFileReader, type EnvironmentIndex } from './environment-index.js';

export interface EditedFile {
  file: ComposeFile;
  edits: readonly TextEdit[];
  after: string;
}

/**
 * Proves the edits did what the plan says: every planned service has each planned value, every
 * other service sees exactly the environment it had (bar secrets turned into references), and
 * no service appears but the X-Ray daemon obs adds. The edited lines alone are read when that
 * is proof enough (compose/edit-proof.ts says when); otherwise, or when that reading finds a
 * problem, every edited file is parsed again whole, and its verdict stands.
 */
/** Services and keys the plan adds or takes out on purpose. */
export interface ExpectedChanges {
  addedServices: readonly string[];
  removedServices: readonly string[];
  /** Per service, keys obs takes out of its environment. */
  removedKeys: ReadonlyMap<string, ReadonlySet<string>>;
}

export function verifyComposeEdits(project: ComposeProject, edited: readonly EditedFile[], planned: ReadonlyMap<string, readonly EnvSetting[]>, expected: ExpectedChanges): void {
  const changed = edited.filter((e) => e.after !== e.file.text);
  const proven = environmentsAfterEdits(project, changed);
  if (proven && problemIn(project, proven, planned, expected) === undefined) return;
  const files = project.files.map((file) => {
    const edit = changed.find((e) => e.file === file);
    return edit ? reparse(file, edit.after) : file;
  });
  const after = new Map(buildProject(files).services.map((s) => [s.name, s.config.environment]));
  const problem = problemIn(project, after, planned, expected);
  if (problem) throw new Error(`obs planned an edit that does not read back as intended (${problem}); nothing was written`);
}

/** Re-reads the edited text: an edit that broke the YAML is a bug in obs, never written to disk. */
export function reparse(file: ComposeFile, after: string): ComposeFile {
  try {
    const reparsed = parseComposeText(file.path, after);
    if (!isMap(reparsed.doc.contents)) throw new Error('not a mapping');
    return reparsed;
  } catch (err) {
    throw new Error(`obs produced invalid YAML for ${file.path}; nothing was written (${(err as Error).message})`, { cause: err });
  }
}

/** The first way `after` (service -> environment) differs from the plan, or undefined. */
export function problemIn(before: ComposeProject, after: ReadonlyMap<string, EnvMap>, planned: ReadonlyMap<string, readonly EnvSetting[]>, expected: ExpectedChanges): string | undefined {
  const names = new Set<string>();
  for (const old of before.services) {
    names.add(old.name);
    const now = after.get(old.name);
    if (expected.removedServices.includes(old.name)) {
      if (now) return `service ${old.name} is still there`;
      continue;
    }
    if (!now) return `service ${old.name} disappeared`;
    const settings = planned.get(old.name) ?? [];
    const removedKeys = expected.removedKeys.get(old.name) ?? new Set<string>();
    // Unedited: the very map the project was read into.
    if (now === old.config.environment && settings.length === 0 && removedKeys.size === 0) continue;
    for (const key of removedKeys) if (now.has(key)) return `${old.name} still has ${key}`;
    for (const setting of settings) {
      if (now.get(setting.key) !== setting.value) return `${old.name} lacks ${setting.key}`;
    }
    const touched = new Set(settings.map((s) => s.key));
    for (const [key, value] of old.config.environment) {
      if (touched.has(key) || removedKeys.has(key)) continue;
      const next = now.get(key);
      if (next !== value && !(holdsLiteralSecret(key, value) && next !== undefined)) return `${old.name}'s ${key} changed`;
    }
    for (const key of now.keys()) {
      if (!old.config.environment.has(key) && !touched.has(key)) return `${key} leaked into ${old.name}`;
    }
  }
  const added = [...after.keys()].filter((name) => !names.has(name));
  if (added.some((name) => !expected.addedServices.includes(name))) return `unexpected new service ${added.join(', ')}`;
  return undefined;
}

/**
 * The same guard for env_files: once the planned files are written, every service not in
 * `chosen` loads exactly the env_file variables it loaded before. `exempt`: variables of
 * secrets moved out of a compose file into `.env`, which happens only when no service but the
 * secret's own loads `.env` (project/secret-moves.ts): the value moves within that service.
 */
export function verifyEnvFileEdits(
  project: ComposeProject,
  projectDir: string,
  before: EnvFileReader,
  changes: readonly { path: string; after: string }[],
  chosen: ReadonlySet<string>,
  exempt: ReadonlySet<string>,
  /** The index of `project` with `before`, when the caller has it. */
  was: EnvironmentIndex = buildEnvironmentIndex(project, projectDir, before),
): void {
  const loaded = new Set([...was.services.values()].flatMap((s) => s.envFiles.map((f) => f.path)));
  const changed = new Map(changes.filter((c) => loaded.has(c.path)).map((c) => [c.path, c.after]));
  if (changed.size === 0) return; // no env_file is written: nothing to compare
  const after: EnvFileReader = (path) => {
    const text = changed.get(path);
    return text === undefined ? before(path) : { path, text };
  };
  const now = buildEnvironmentIndex(project, projectDir, after);
  for (const [name, env] of was.services) {
    if (chosen.has(name)) continue;
    const next = now.variables(name);
    const fromFiles = (vars: ReadonlyMap<string, { value: string | null; from: string }>) =>
      new Map([...vars].filter(([key, v]) => v.from === 'env_file' && !exempt.has(key)).map(([key, v]) => [key, v.value]));
    const old = fromFiles(env.variables);
    const fresh = fromFiles(next);
    for (const [key, value] of fresh) {
      if (!old.has(key)) throw new Error(`obs planned an edit that does not read back as intended (${key} leaked into ${name} through env_file); nothing was written`);
      if (old.get(key) !== value) throw new Error(`obs planned an edit that does not read back as intended (${name}'s env_file ${key} changed); nothing was written`);
    }
    for (const key of old.keys()) if (!fresh.has(key)) throw new Error(`obs planned an edit that does not read back as intended (${name}'s env_file ${key} disappeared); nothing was written`);
  }
}
