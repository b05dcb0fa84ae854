import { posix } from 'node:path';
import { buildEnvironmentIndex, envFilePath as composeEnvFilePath, variableUsers, type EnvironmentIndex, type IndexedVariable } from '../../../compose/environment-index.js';
import { rawService } from '../../../compose/nodes.js';
import type { ComposeService } from '../../../compose/project.js';
import type { DoctorProject } from '../../types.js';
import { expand, type Expansion, type Lookup } from '../../../compose/interpolation.js';
import { isXrayDaemon } from '../../../compose/xray-daemon.js';
import { isCollectorImage } from '../../../collector/service.js';
import { isSecretName } from '../../../secrets/redact.js';

export { lineOf, lineOfText, rawService } from '../../../compose/nodes.js';

/** One variable a service's container gets, and where it is written (see compose/environment-index.ts). */
export interface EnvEntry extends IndexedVariable {
  service: string;
}

/** Path of an env_file as load.ts keys it: relative to the root, through the project directory. */
export function envFilePath(project: DoctorProject, path: string): string {
  return composeEnvFilePath(project.projectDir, path);
}

const indexCache = new WeakMap<DoctorProject, EnvironmentIndex>();

/** The project's compose environment index, built once per doctor run. */
export function environmentIndex(project: DoctorProject): EnvironmentIndex {
  let index = indexCache.get(project);
  if (!index) {
    index = project.project ? buildEnvironmentIndex(project.project, project.projectDir, (path) => project.envFiles.get(path)) : EMPTY_INDEX;
    indexCache.set(project, index);
  }
  return index;
}

const EMPTY_INDEX: EnvironmentIndex = { services: new Map(), variables: () => new Map(), envFileReaders: () => [], sharedWith: () => [] };

const envCache = new WeakMap<DoctorProject, Map<string, Map<string, EnvEntry>>>();

/** Each service's variables, env_file first and `environment:` over it, later files over earlier ones. */
export function serviceEnvs(project: DoctorProject): Map<string, Map<string, EnvEntry>> {
  const cached = envCache.get(project);
  if (cached) return cached;
  const all = new Map<string, Map<string, EnvEntry>>();
  for (const [service, env] of environmentIndex(project).services) {
    all.set(service, new Map([...env.variables].map(([key, v]) => [key, { ...v, service }])));
  }
  envCache.set(project, all);
  return all;
}

export function serviceEnv(project: DoctorProject, service: string): Map<string, EnvEntry> {
  return serviceEnvs(project).get(service) ?? new Map<string, EnvEntry>();
}

const lookupCache = new WeakMap<DoctorProject, Lookup>();

/**
 * What compose interpolates the files with: the environment obs runs in, then the project `.env`
 * (whose own `${VAR}` are expanded the same way). Never env_file, never a service's environment.
 */
export function projectLookup(project: DoctorProject): Lookup {
  const cached = lookupCache.get(project);
  if (cached) return cached;
  const expanding = new Set<string>();
  const lookup: Lookup = (name) => {
    const fromEnv = project.env[name];
    if (fromEnv !== undefined) return fromEnv;
    const raw = project.dotenv?.values.get(name);
    if (raw === undefined) {
      if (name === 'COMPOSE_PROJECT_NAME') return project.project?.name ?? posix.basename(project.root.split('\\').join('/'));
      if (name === 'PWD') return project.root;
      return undefined;
    }
    if (!raw.includes('$') || expanding.has(name)) return raw;
    expanding.add(name);
    try {
      return expand(raw, lookup).value;
    } finally {
      expanding.delete(name);
    }
  };
  lookupCache.set(project, lookup);
  return lookup;
}

/**
 * The value a container sees for an entry: interpolated, or for `KEY:` taken from the project
 * environment. `complete` is false when part of it could not be known.
 */
export function effectiveValue(project: DoctorProject, entry: EnvEntry): Expansion {
  const lookup = projectLookup(project);
  if (entry.value === null) {
    const v = lookup(entry.key);
    return { value: v ?? '', events: [], complete: v !== undefined };
  }
  // env_file values are interpolated with the project env too (then the service's environment).
  return expand(entry.value, lookup);
}

/** Names a service answers to on the compose network: its name, container_name, hostname and aliases. */
export function networkNames(service: ComposeService): Set<string> {
  const raw = rawService(service);
  const names = new Set([service.name]);
  for (const key of ['container_name', 'hostname']) if (typeof raw[key] === 'string') names.add(raw[key]);
  const networks = raw.networks;
  if (networks && typeof networks === 'object' && !Array.isArray(networks)) {
    for (const settings of Object.values(networks as Record<string, unknown>)) {
      const aliases = (settings as { aliases?: unknown } | null)?.aliases;
      if (Array.isArray(aliases)) for (const a of aliases) if (typeof a === 'string') names.add(a);
    }
  }
  return names;
}

export function findServiceByHost(project: DoctorProject, host: string): ComposeService | undefined {
  return project.project?.services.find((s) => networkNames(s).has(host));
}

/** The keys and AWS settings obs's senders read: what init keeps out of a `.env` other services load. */
const OBS_KEYS = new Set(['HONEYCOMB_API_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'ROLLBAR_ACCESS_TOKEN']);

/**
 * Services that load compose's `.env` through env_file without using `names` (no `${NAME}` in
 * their environment; the collector and the X-Ray daemon aside: the keys are theirs): a key
 * written there would reach their containers for nothing. `obs init` keeps the same keys out.
 */
export function dotenvBystanders(project: DoctorProject, names: readonly string[]): string[] {
  const path = envFilePath(project, '.env');
  const byName = new Map((project.project?.services ?? []).map((s) => [s.name, s]));
  const index = environmentIndex(project);
  const users = variableUsers(index);
  return index.envFileReaders(path).filter((name) => {
    const service = byName.get(name);
    if (name === project.obsConfig?.collector?.service || (service && (isXrayDaemon(service) || isCollectorImage(service.config.image)))) return false;
    return names.some((n) => !users.get(n)?.has(name));
  });
}

/**
 * Where to set `name` so compose interpolates it: compose's `.env`, unless it is one of obs's
 * keys or AWS settings and services obs leaves alone load that `.env` through env_file, as
 * `obs init` says too: then the shell. undefined means `.env`. The project's own variables (a
 * database password the database reads from that `.env`) are its own business.
 */
export function shellInstead(project: DoctorProject, name: string): string | undefined {
  if (!OBS_KEYS.has(name)) return undefined;
  const bystanders = dotenvBystanders(project, [name]);
  if (bystanders.length === 0) return undefined;
  const dotenv = project.dotenv?.path ?? envFilePath(project, '.env');
  const what = isSecretName(name) ? 'the key' : 'the value';
  return `set ${name} in your shell before docker compose up (not in ${dotenv}: ${bystanders.join(', ')} ${bystanders.length === 1 ? 'loads' : 'load'} it through env_file, so ${what} would reach ${bystanders.length === 1 ? 'that container' : 'those containers'})`;
}
