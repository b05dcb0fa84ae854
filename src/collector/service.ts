/**
 * Finding the OpenTelemetry Collector in a compose project (written by obs or by hand) and the
 * project file it runs with: `--config` in its command, else the image's default config path,
 * matched against its bind mounts.
 */
import { posix } from 'node:path';
import { expand, type Lookup } from '../compose/interpolation.js';
import { keyWhere, listItems, rawService } from '../compose/nodes.js';
import { splitShortVolume, type ComposeProject, type ComposeService } from '../compose/project.js';
import { COLLECTOR_CONFIG_PATH } from './image.js';

/** Collector images and where each reads its config when the command does not say. */
const IMAGES: { repository: RegExp; configPath: string }[] = [
  { repository: /(^|\/)otel\/opentelemetry-collector-contrib$/, configPath: COLLECTOR_CONFIG_PATH },
  { repository: /(^|\/)otel\/opentelemetry-collector(-k8s)?$/, configPath: '/etc/otelcol/config.yaml' },
  { repository: /(^|\/)(aws-observability\/aws-otel-collector|amazon\/aws-otel-collector)$/, configPath: '/etc/ecs/ecs-default-config.yaml' },
];

export interface CollectorMount {
  /** The project file, relative to the root (compose paths are relative to the project directory). */
  path: string;
  file: string;
  line: number;
}

export interface CollectorService {
  service: ComposeService;
  /** The image as interpolated, when it has one. */
  image?: string;
  /** Where the collector reads its config inside the container; undefined when it reads none from a file. */
  configPath?: string;
  configFrom: 'command' | 'image';
  /** Where the command names it, or the service. */
  configWhere: { file: string; line: number };
  /** The project file mounted there, when one is. */
  mount?: CollectorMount;
}

/** `docker.io/otel/opentelemetry-collector-contrib:0.141.0@sha256:…` → `docker.io/otel/opentelemetry-collector-contrib`. */
export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0]!;
  const lastColon = noDigest.lastIndexOf(':');
  return (lastColon > noDigest.lastIndexOf('/') ? noDigest.slice(0, lastColon) : noDigest).toLowerCase();
}

function imageDefault(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const repository = imageRepository(image);
  return IMAGES.find((i) => i.repository.test(repository))?.configPath;
}

export function isCollectorImage(image: string | undefined): boolean {
  return imageDefault(image) !== undefined;
}

function commandWords(service: ComposeService): { value: string; file: string; line: number }[] {
  const items = listItems(service, 'command');
  if (items.length > 0) return items;
  const command = service.config.command;
  if (typeof command !== 'string') return [];
  const where = keyWhere(service, 'command');
  return command
    .split(/\s+/)
    .filter(Boolean)
    .map((value) => ({ value, ...where }));
}

/** `--config=file:/x.yaml`, `--config /x.yaml`: the file, without the `file:` scheme; env:/yaml:/http: sources are not files. */
function configFromCommand(service: ComposeService): { path: string; file: string; line: number } | undefined {
  const words = commandWords(service);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    let value: string | undefined;
    const eq = /^--?config=(.*)$/.exec(word.value);
    if (eq) value = eq[1];
    else if (/^--?config$/.test(word.value)) value = words[i + 1]?.value;
    if (value === undefined) continue;
    value = value.replace(/^["']|["']$/g, '');
    if (/^[a-z]+:/.test(value) && !value.startsWith('file:')) continue;
    return { path: value.replace(/^file:/, ''), file: word.file, line: word.line };
  }
  return undefined;
}

interface Volume {
  source: string;
  target: string;
  file: string;
  line: number;
}

function volumes(service: ComposeService, lookup: Lookup): Volume[] {
  const raw = rawService(service).volumes;
  if (!Array.isArray(raw)) return [];
  const lines = listItems(service, 'volumes');
  const where = keyWhere(service, 'volumes');
  const out: Volume[] = [];
  raw.forEach((item) => {
    const at = typeof item === 'string' ? (lines.find((l) => l.value === item) ?? where) : where;
    if (typeof item === 'string') {
      const { source, target } = splitShortVolume(expand(item, lookup).value);
      if (source !== undefined) out.push({ source, target, file: at.file, line: at.line });
    } else if (item && typeof item === 'object') {
      const { type, source, target } = item as { type?: unknown; source?: unknown; target?: unknown };
      if ((type === undefined || type === 'bind') && typeof source === 'string' && typeof target === 'string') {
        out.push({ source: expand(source, lookup).value, target, file: at.file, line: at.line });
      }
    }
  });
  return out;
}

/** A bind source as a path relative to the root; undefined for named volumes and paths outside the project. */
function projectPath(source: string, projectDir: string, root: string): string | undefined {
  if (!/^(\.{1,2}(\/|$)|\/|~)/.test(source)) return undefined;
  let path: string;
  if (source.startsWith('/')) {
    const rootSlash = root.split('\\').join('/').replace(/\/$/, '');
    if (source !== rootSlash && !source.startsWith(`${rootSlash}/`)) return undefined;
    path = source.slice(rootSlash.length + 1);
  } else if (source.startsWith('~')) return undefined;
  else path = posix.normalize(posix.join(projectDir, source));
  path = path.replace(/\/$/, '');
  return path.startsWith('..') ? undefined : path === '' ? '.' : path;
}

/**
 * The collectors of a project: services running a collector image, and services whose command
 * passes `--config` to a file mounted from the project under a collector-like name.
 */
export function findCollectors(project: ComposeProject, lookup: Lookup, projectDir: string, root: string): CollectorService[] {
  const out: CollectorService[] = [];
  for (const service of project.services) {
    const image = service.config.image ? expand(service.config.image, lookup).value : undefined;
    const byImage = isCollectorImage(image);
    // Cheap test first: doctor runs on projects with dozens of services, and reading volumes is not free.
    if (!byImage && !JSON.stringify(service.config.command ?? '').includes('config')) continue;
    const fromCommand = configFromCommand(service);
    const mounts = volumes(service, lookup);
    const configPath = fromCommand?.path ?? imageDefault(image);
    const mounted = configPath ? mountOf(configPath, mounts, projectDir, root) : undefined;
    const looksLikeCollector = !service.config.buildContext && fromCommand !== undefined && mounted !== undefined && /otel|collector|otelcol/i.test(`${service.name} ${mounted.path} ${image ?? ''}`);
    if (!byImage && !looksLikeCollector) continue;
    out.push({
      service,
      ...(image !== undefined && { image }),
      ...(configPath !== undefined && { configPath }),
      configFrom: fromCommand ? 'command' : 'image',
      configWhere: fromCommand ? { file: fromCommand.file, line: fromCommand.line } : keyWhere(service, 'image'),
      ...(mounted && { mount: mounted }),
    });
  }
  return out;
}

/** The project file behind a container path: a file mount onto it, or a directory mount above it. */
function mountOf(containerPath: string, mounts: Volume[], projectDir: string, root: string): CollectorMount | undefined {
  const target = posix.normalize(containerPath);
  for (const mount of [...mounts].reverse()) {
    const mountTarget = posix.normalize(mount.target).replace(/\/$/, '');
    let rest: string | undefined;
    if (mountTarget === target) rest = '';
    else if (target.startsWith(`${mountTarget}/`)) rest = target.slice(mountTarget.length + 1);
    if (rest === undefined) continue;
    const base = projectPath(mount.source, projectDir, root);
    if (base === undefined) return undefined;
    const path = rest === '' ? base : base === '.' ? rest : `${base}/${rest}`;
    return { path, file: mount.file, line: mount.line };
  }
  return undefined;
}
