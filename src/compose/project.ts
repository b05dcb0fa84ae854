import { isMap, isPair, isScalar, type Pair, type YAMLMap } from 'yaml';
import { envFromJs, type EnvMap } from './environment.js';
import { servicesMap, type ComposeFile } from './parse.js';

/** One place a service is written: compose merges these across files in load order. */
export interface ServiceDefinition {
  file: ComposeFile;
  pair: Pair;
  /** null for a service written as `name:` with no settings. */
  map: YAMLMap | null;
  /** This definition's settings as compose reads them (anchors and merges resolved), before merging files. */
  resolved: Record<string, unknown>;
}

export interface PortMapping {
  published?: string;
  target: string;
  protocol?: string;
}

/** What compose would see for a service, merged across files (the subset obs needs). */
export interface ServiceConfig {
  image?: string;
  /** Build context relative to the project directory. */
  buildContext?: string;
  dockerfile?: string;
  /** `build.target`: the Dockerfile stage compose builds. */
  buildTarget?: string;
  environment: EnvMap;
  envFiles: { path: string; required: boolean }[];
  ports: PortMapping[];
  command?: unknown;
  entrypoint?: unknown;
  profiles: string[];
  /** The networks the service joins; undefined: compose's `default` network only. */
  networks?: string[];
  /** `network_mode` (host, none, service:NAME, container:ID): the service joins no compose network. */
  networkMode?: string;
  /**
   * Bind mounts of host paths (`./src:/app/src`, `{ type: bind, source, target }`), sources as
   * written (relative to the project directory; not interpolated). Files merge them by target.
   */
  bindMounts?: BindMount[];
}

export interface BindMount {
  source: string;
  target: string;
}

export interface ComposeService {
  name: string;
  definitions: ServiceDefinition[];
  config: ServiceConfig;
}

export interface ComposeProject {
  files: ComposeFile[];
  services: ComposeService[];
  /** Top-level `name:` if set. */
  name?: string;
}

export function buildProject(files: ComposeFile[]): ComposeProject {
  const byName = new Map<string, ComposeService>();
  let name: string | undefined;
  for (const file of files) {
    const js = file.value;
    if (typeof js.name === 'string') name = js.name;
    const services = servicesMap(file);
    const resolved = (js.services ?? {}) as Record<string, Record<string, unknown> | null>;
    for (const pair of services?.items ?? []) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const serviceName = String(pair.key.value);
      let service = byName.get(serviceName);
      if (!service) {
        service = { name: serviceName, definitions: [], config: emptyConfig() };
        byName.set(serviceName, service);
      }
      const settings = resolved[serviceName] ?? {};
      service.definitions.push({ file, pair, map: isMap(pair.value) ? pair.value : null, resolved: settings });
      mergeConfig(service.config, settings);
    }
  }
  return { files, services: [...byName.values()], name };
}

function emptyConfig(): ServiceConfig {
  return { environment: new Map(), envFiles: [], ports: [], profiles: [] };
}

/** Compose's merge rules for the keys obs reads: scalars override, environment merges by key, lists append. */
function mergeConfig(config: ServiceConfig, raw: Record<string, unknown>): void {
  if (typeof raw.image === 'string') config.image = raw.image;
  const build = raw.build;
  if (typeof build === 'string') config.buildContext = build;
  else if (build && typeof build === 'object') {
    const b = build as Record<string, unknown>;
    config.buildContext = typeof b.context === 'string' ? b.context : (config.buildContext ?? '.');
    if (typeof b.dockerfile === 'string') config.dockerfile = b.dockerfile;
    if (typeof b.target === 'string') config.buildTarget = b.target;
  }
  for (const [key, value] of envFromJs(raw.environment)) config.environment.set(key, value);
  config.envFiles.push(...envFileList(raw.env_file));
  config.ports.push(...portList(raw.ports));
  if (raw.command !== undefined) config.command = raw.command;
  if (raw.entrypoint !== undefined) config.entrypoint = raw.entrypoint;
  if (Array.isArray(raw.profiles)) config.profiles = raw.profiles.map(String);
  // Files merge a service's networks (list or mapping form) by name.
  const networks = networkNames(raw.networks);
  if (networks) config.networks = [...new Set([...(config.networks ?? []), ...networks])];
  if (typeof raw.network_mode === 'string') config.networkMode = raw.network_mode;
  const mounts = bindMountList(raw.volumes);
  if (mounts.length > 0) config.bindMounts = [...(config.bindMounts ?? []).filter((m) => !mounts.some((n) => n.target === m.target)), ...mounts];
}

/**
 * A short-form `volumes` entry, `SOURCE:TARGET[:MODE]` or a lone `TARGET` (an anonymous volume):
 * its source (a path or a volume name; absent for a lone target) and target. A Windows drive
 * letter (`C:\\x`) is part of the source. The one reader of that syntax.
 */
export function splitShortVolume(text: string): { source?: string; target: string } {
  const parts = text.split(':');
  if (/^[A-Za-z]$/.test(parts[0]!) && parts.length > 2) parts.splice(0, 2, `${parts[0]}:${parts[1]}`);
  return parts.length < 2 ? { target: parts[0]! } : { source: parts[0]!, target: parts[1]! };
}

/** The bind mounts of a `volumes` list: a short-form source that is a path (`.`, `/`, `~`), or long form `type: bind`. */
function bindMountList(value: unknown): BindMount[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): BindMount[] => {
    if (typeof item === 'string') {
      const { source, target } = splitShortVolume(item);
      return source !== undefined && /^(?:\.|\/|~|[A-Za-z]:)/.test(source) ? [{ source, target }] : [];
    }
    if (item && typeof item === 'object') {
      const { type, source, target } = item as { type?: unknown; source?: unknown; target?: unknown };
      if (type === 'bind' && typeof source === 'string' && typeof target === 'string') return [{ source, target }];
    }
    return [];
  });
}

/** `networks: [a, b]` or `networks: { a: { aliases: [...] }, b: null }`: the names. */
function networkNames(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.filter((n) => typeof n === 'string');
  if (value && typeof value === 'object') return Object.keys(value);
  return undefined;
}

function envFileList(value: unknown): { path: string; required: boolean }[] {
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return list.flatMap((entry) => {
    if (typeof entry === 'string') return [{ path: entry, required: true }];
    if (entry && typeof entry === 'object' && typeof (entry as { path?: unknown }).path === 'string') {
      const e = entry as { path: string; required?: boolean };
      return [{ path: e.path, required: e.required !== false }];
    }
    return [];
  });
}

/**
 * Splits on `sep` except inside `${...}`: `${API_PORT:-3000}:3000` is two parts, not three
 * (compose interpolates before it reads the port).
 */
function splitOutsideVariables(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}' && depth > 0) depth--;
    else if (text[i] === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Parses `"4567:4567"`, `"127.0.0.1:80:80/tcp"`, `2000:2000/udp`, `${PORT:-80}:80` and the long form. */
export function portList(value: unknown): PortMapping[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry): PortMapping[] => {
    if (typeof entry === 'number') return [{ target: String(entry) }];
    if (typeof entry === 'string') {
      const [spec, protocol] = splitOutsideVariables(entry, '/');
      const parts = splitOutsideVariables(spec!, ':');
      const target = parts[parts.length - 1]!;
      const published = parts.length >= 2 ? parts[parts.length - 2] : undefined;
      return [{ target, published: published || undefined, protocol }];
    }
    if (entry && typeof entry === 'object') {
      const e = entry as Record<string, unknown>;
      if (e.target === undefined) return [];
      return [{ target: String(e.target), published: e.published === undefined ? undefined : String(e.published), protocol: typeof e.protocol === 'string' ? e.protocol : undefined }];
    }
    return [];
  });
}

/** `base`, or `base-2`, `base-3`, ... : the first name no service of the project has (for a service obs adds). */
export function freeServiceName(project: ComposeProject, base: string): string {
  const names = new Set(project.services.map((s) => s.name));
  if (!names.has(base)) return base;
  for (let i = 2; ; i++) if (!names.has(`${base}-${i}`)) return `${base}-${i}`;
}
