/**
 * Instrumentation code for each chosen service, from templates/<stack>/: which files to read
 * (I/O, here) and which planner turns them into file changes (pure, in src/instrument/).
 */
import { join, posix } from 'node:path';
import type { ComposeService } from '../../compose/project.js';
import { FLASK_INPUT_FILES, planFlask } from '../../instrument/flask.js';
import { NODE_INPUT_FILES, planNode } from '../../instrument/node.js';
import { planRails } from '../../instrument/rails.js';
import { planReact, REACT_INPUT_FILES, REACT_SOURCE } from '../../instrument/react.js';
import { includedRequirementFiles } from '../../instrument/requirements.js';
import { servicePath, templateLoader, type InstrumentInput } from '../../instrument/template.js';
import type { FolderReader } from '../../io/folder-reader.js';
import type { FileChange } from '../../plan/file-change.js';
import type { Stack } from '../../stacks/detect.js';
import type { InitChoices } from '../../backends/choices.js';
import { cloudwatch } from '../../backends/cloudwatch.js';
import { honeycomb } from '../../backends/honeycomb.js';
import { settingsOf } from '../../backends/index.js';
import { rollbar } from '../../backends/rollbar.js';
import { xray } from '../../backends/xray.js';
import type { Discovered } from '../../project/discover.js';
import type { InitSnapshot, ServiceSources } from '../../project/snapshot.js';

export interface InstrumentResult {
  changes: FileChange[];
  notes: string[];
  /** Compose variables the instrumentation needs (NODE_OPTIONS=--require ./tracing.cjs). */
  environment: { key: string; value: string }[];
}

/** Build context of a service as a posix path relative to where obs runs. */
export function serviceDirOf(projectDir: string, service: ComposeService): string | undefined {
  const context = service.config.buildContext;
  if (context === undefined || /^[a-z][a-z0-9+.-]*:\/\//i.test(context)) return undefined; // a git URL is not ours to edit
  return posix.normalize(posix.join(projectDir || '.', context.split('\\').join('/'))).replace(/^\.\/?$/, '');
}

/**
 * Reads the files the stack's planner looks at, from the build context on disk. Folders are
 * listed once and only files that exist are read (through `folders`, which stack detection
 * already filled): a failed read per missing candidate costs more than the reads themselves.
 */
export function readServiceSources(folders: FolderReader, root: string, serviceDir: string, stack: Stack, notUtf8?: Set<string>): ServiceSources {
  const dir = join(root, serviceDir);
  const files: ServiceSources = new Map();
  const add = (name: string) => {
    const text = folders.read(dir, name);
    if (text !== undefined) files.set(name, text);
    if (text !== undefined && !folders.isUtf8(dir, name)) notUtf8?.add(servicePath(serviceDir, name));
  };
  if (stack === 'flask') {
    FLASK_INPUT_FILES.forEach(add);
    // Requirements files included with -r are part of the dependency list too.
    const queue = files.has('requirements.txt') ? includedRequirementFiles(files.get('requirements.txt')!) : [];
    while (queue.length > 0) {
      const name = queue.shift()!;
      if (files.has(name)) continue;
      add(name);
      if (files.has(name)) queue.push(...includedRequirementFiles(files.get(name)!, name));
    }
  } else if (stack === 'rails') {
    add('Gemfile');
    for (const name of folders.list(join(dir, 'config/initializers'))) if (name.endsWith('.rb')) add(`config/initializers/${name}`);
  } else if (stack === 'node') {
    NODE_INPUT_FILES.forEach(add);
  } else if (stack === 'react') {
    REACT_INPUT_FILES.forEach(add);
    // A browser OpenTelemetry setup of the app's own can live in any source file.
    for (const name of sourceFiles(folders, dir, 'src')) if (REACT_SOURCE.test(name)) add(name);
  }
  return files;
}

/** Bounds of the src/ scan: a frontend's own code, never a vendored tree. */
const MAX_SOURCE_FILES = 500;
const MAX_SOURCE_DEPTH = 6;

/** Paths (relative to `dir`, posix) of the files under `sub`, breadth first, bounded. */
function sourceFiles(folders: FolderReader, dir: string, sub: string): string[] {
  const out: string[] = [];
  const queue: { path: string; depth: number }[] = [{ path: sub, depth: 0 }];
  while (queue.length > 0 && out.length < MAX_SOURCE_FILES) {
    const { path, depth } = queue.shift()!;
    for (const name of [...folders.list(join(dir, path))].sort()) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const child = `${path}/${name}`;
      if (/\.[cm]?[jt]sx?$/.test(name)) out.push(child);
      else if (!name.includes('.') && depth < MAX_SOURCE_DEPTH) queue.push({ path: child, depth: depth + 1 });
      if (out.length >= MAX_SOURCE_FILES) break;
    }
  }
  return out;
}

/**
 * What the planners of the chosen services read: each one's build-context files, and the
 * templates, each read once however many services use it.
 */
export function readInstrumentation(found: Discovered, chosen: readonly string[]): NonNullable<InitSnapshot['instrumentation']> {
  const { snapshot, project } = found;
  const byName = new Map(project.services.map((s) => [s.name, s]));
  const sources = new Map<string, ServiceSources>();
  const notUtf8 = new Map<string, Set<string>>();
  for (const name of chosen) {
    const service = byName.get(name)!;
    const stack = snapshot.stacks.get(name) ?? 'unknown';
    const dir = serviceDirOf(snapshot.projectDir, service);
    if (dir === undefined || !INSTRUMENTED_STACKS.has(stack)) continue;
    const odd = new Set<string>();
    sources.set(name, readServiceSources(found.folders, found.root, dir, stack, odd));
    if (odd.size > 0) notUtf8.set(name, odd);
  }
  const templates = new Map<string, string>();
  const template = (stack: string) => (name: string) => {
    const key = `${stack}/${name}`;
    if (!templates.has(key)) templates.set(key, templateLoader(stack)(name));
    return templates.get(key)!;
  };
  return { sources, template, notUtf8 };
}

export const INSTRUMENTED_STACKS: ReadonlySet<Stack> = new Set(['flask', 'rails', 'node', 'react']);

/** Pure: the planner for the stack, fed with what discovery read. */
export function planServiceInstrumentation(
  service: ComposeService,
  stack: Stack,
  serviceDir: string,
  sources: ServiceSources,
  choices: InitChoices,
  template: (stack: string) => (name: string) => string,
  /** What the container is given (env_file included), from the environment index. */
  environment: ReadonlyMap<string, string | null> = service.config.environment,
): InstrumentResult {
  const command = service.config.command;
  const input: InstrumentInput = {
    serviceDir,
    serviceName: service.name,
    backends: {
      honeycomb: settingsOf(choices, honeycomb).enabled,
      xray: settingsOf(choices, xray).enabled,
      cloudwatch: settingsOf(choices, cloudwatch).enabled,
      rollbar: settingsOf(choices, rollbar).enabled,
    },
    ...(settingsOf(choices, cloudwatch).enabled ? { logGroup: settingsOf(choices, cloudwatch).logGroup } : {}),
    files: sources,
    template: template(stack),
    // Apps send straight to each backend until the collector pipeline (issue 11) is wired into init.
    pipeline: 'direct',
    ...(command !== undefined ? { command: Array.isArray(command) ? command.map(String).join(' ') : String(command) } : {}),
    environment,
  };
  switch (stack) {
    case 'flask':
      return { ...planFlask(input), environment: [] };
    case 'rails':
      return { ...planRails(input), environment: [] };
    case 'node':
      return planNode(input);
    case 'react': {
      const apiUrl = [...environment.entries()].find(([k, v]) => /BACKEND_URL|API_URL/.test(k) && v && !v.includes('$'))?.[1] ?? undefined;
      return { ...planReact({ ...input, ...(apiUrl ? { apiUrl } : {}) }), environment: [] };
    }
    default:
      return { changes: [], notes: [], environment: [] };
  }
}
