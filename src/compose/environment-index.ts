/**
 * One index of what each service's container is given, as compose computes it: its env_file(s)
 * in order, then `environment:` over them (list or map, anchors and `<<:` merges resolved, later
 * compose files over earlier ones). Each variable records the file and line that set it and
 * whether it came from an env_file. init's planner, its edit guards and doctor's checks all read
 * this one index, so they agree on what a container sees. Pure: env_file texts are passed in.
 */
import { posix } from 'node:path';
import { isMap, type Document, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { parseDotenv } from '../dotenv/index.js';
import { definitionEnvironment } from './env-entries.js';
import { envNodeOf, locateEnvironment, mergeSources } from './environment.js';
import { referencesIn } from './interpolation.js';
import type { ComposeProject } from './project.js';

/** One variable a service's container gets, and where it is written. */
export interface IndexedVariable {
  key: string;
  /** The value as written, before interpolation; null for `KEY:` / `- KEY` (taken from the project env). */
  value: string | null;
  /** The compose file or env_file that sets it (path as obs reads it, relative to where obs runs). */
  file: string;
  line: number;
  from: 'environment' | 'env_file';
  /** How the line is written: `KEY: value`, `- KEY=value`, or `KEY=value` in an env_file. */
  form: 'map' | 'list' | 'dotenv';
  /**
   * Where it is written: on the service (inline), in an anchored node it reads through an alias
   * or a `<<:` merge (anchor; editing it edits every reader), or in an env_file.
   */
  source: 'inline' | 'anchor' | 'env_file';
  /** The compose file is not the first one: an override file set it. */
  override: boolean;
  /** The YAML node of an `environment:` entry (the list item or map key); absent for env_file lines. */
  node?: Node;
}

/** One `env_file` entry of a service, path relative to where obs runs. */
export interface IndexedEnvFile {
  path: string;
  /** `required: false` (compose 2.24): a missing file is skipped silently. */
  required: boolean;
  /** read; missing (not on disk); unreadable (not valid dotenv: compose fails, the index skips it). */
  state: 'read' | 'missing' | 'unreadable';
}

export interface ServiceEnvironment {
  service: string;
  /** The effective variables: env_file entries under the service's `environment:`. */
  variables: ReadonlyMap<string, IndexedVariable>;
  envFiles: readonly IndexedEnvFile[];
}

export interface EnvironmentIndex {
  /** Every service, in the order compose files declare them. */
  readonly services: ReadonlyMap<string, ServiceEnvironment>;
  /** A service's effective variables (empty for an unknown service). */
  variables(service: string): ReadonlyMap<string, IndexedVariable>;
  /** Services that load the env_file at `path` (relative to where obs runs), in declaration order. */
  envFileReaders(path: string): string[];
  /**
   * Services other than `service` that read the `environment:` node `service` itself writes into
   * (an anchored environment, or an anchored service merged elsewhere): adding to it adds to them.
   */
  sharedWith(service: string): string[];
}

/** An env_file as read: its text, or null/undefined when it is not on disk. */
export type EnvFileReader = (path: string) => { path: string; text: string } | null | undefined;

/** Where compose reads an env_file from: relative paths are relative to the project directory. */
export function envFilePath(projectDir: string, path: string): string {
  const joined = projectDir === '' || projectDir === '.' ? posix.normalize(path) : posix.join(projectDir, path);
  return joined.replace(/^\.\//, '');
}

export function buildEnvironmentIndex(project: ComposeProject, projectDir: string, readEnvFile: EnvFileReader): EnvironmentIndex {
  const services = new Map<string, ServiceEnvironment>();
  const readers = new Map<string, Set<string>>();
  const parsed = new Map<string, IndexedVariable[] | 'missing' | 'unreadable'>();
  const envFileEntries = (path: string): IndexedVariable[] | 'missing' | 'unreadable' => {
    let entries = parsed.get(path);
    if (entries === undefined) {
      const file = readEnvFile(path);
      if (!file) entries = 'missing';
      else {
        try {
          entries = parseDotenv(file.text, file.path).entries.map((e) => ({
            key: e.key,
            value: e.value ?? null,
            file: file.path,
            line: e.line,
            from: 'env_file' as const,
            form: 'dotenv' as const,
            source: 'env_file' as const,
            override: false,
          }));
        } catch {
          entries = 'unreadable';
        }
      }
      parsed.set(path, entries);
    }
    return entries;
  };

  for (const service of project.services) {
    const variables = new Map<string, IndexedVariable>();
    const envFiles: IndexedEnvFile[] = [];
    for (const entry of service.config.envFiles) {
      const path = envFilePath(projectDir, entry.path);
      let loaders = readers.get(path);
      if (!loaders) readers.set(path, (loaders = new Set()));
      loaders.add(service.name);
      const entries = envFileEntries(path);
      envFiles.push({ path, required: entry.required, state: typeof entries === 'string' ? entries : 'read' });
      if (typeof entries === 'string') continue;
      for (const variable of entries) variables.set(variable.key, variable);
    }
    for (const def of service.definitions) {
      for (const [key, item] of definitionEnvironment(def)) {
        const override = def.file !== project.files[0];
        variables.set(key, { key, value: item.value, file: def.file.path, line: item.line, from: 'environment', form: item.form, source: item.source, override, node: item.node });
      }
    }
    services.set(service.name, { service: service.name, variables, envFiles });
  }

  const shared = environmentNodeReaders(project);
  return {
    services,
    variables: (service) => services.get(service)?.variables ?? new Map(),
    envFileReaders: (path) => [...(readers.get(envFilePath('', path)) ?? [])],
    sharedWith: shared,
  };
}

/** Which services read which environment node, through aliases and merge keys. */
function environmentNodeReaders(project: ComposeProject): (service: string) => string[] {
  const readers = new Map<Node, string[]>();
  const owned = new Map<string, Node>();
  for (const service of project.services) {
    for (const definition of service.definitions) {
      if (!definition.map) continue;
      const location = locateEnvironment(definition.file.doc, definition.map);
      const node = envNodeOf(location);
      if (!node) continue;
      // A service reads its environment node and everything that node merges in (`<<: *x`).
      for (const read of withMergeSources(definition.file.doc, node)) readers.set(read, [...(readers.get(read) ?? []), service.name]);
      if (location.kind === 'own' && !owned.has(service.name)) owned.set(service.name, node);
    }
  }
  return (name) => {
    const node = owned.get(name);
    return node ? (readers.get(node) ?? []).filter((s) => s !== name) : [];
  };
}

function withMergeSources(doc: Document, node: YAMLMap | YAMLSeq): Node[] {
  const out: Node[] = [node];
  for (let i = 0; i < out.length; i++) {
    const current = out[i]!;
    if (!isMap(current)) continue;
    for (const source of mergeSources(doc, current)) if (!out.includes(source)) out.push(source);
  }
  return out;
}

/** A service's `environment:` values as a plan leaves them: keys it takes out, values it writes. */
export interface PlannedEnvironment {
  removed: readonly string[];
  values: readonly string[];
}

/**
 * Which services' `environment:` values reference each variable (`${VAR}`, `$VAR`, inside
 * defaults too): the services a key in compose's `.env` is for. A service that only loads that
 * `.env` through env_file, and references none of it, would get the key without using it.
 * `planned` overlays what a plan changes (init, before it writes).
 */
export function variableUsers(index: EnvironmentIndex, planned: ReadonlyMap<string, PlannedEnvironment> = new Map()): Map<string, Set<string>> {
  const users = new Map<string, Set<string>>();
  for (const [service, env] of index.services) {
    const change = planned.get(service);
    const values = [...env.variables.values()].filter((v) => v.from === 'environment' && !change?.removed.includes(v.key)).map((v) => v.value ?? '');
    values.push(...(change?.values ?? []));
    for (const value of values) {
      for (const ref of referencesIn(value)) {
        if (!users.has(ref.name)) users.set(ref.name, new Set());
        users.get(ref.name)!.add(service);
      }
    }
  }
  return users;
}
