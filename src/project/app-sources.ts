/**
 * The files of a service's app that its stack's planner (init) and doctor's wiring checks read,
 * from the build context on disk.
 */
import { defaultDockerfileName } from '../stacks/dockerfile.js';
import { isAbsolute, join } from 'node:path';
import type { ComposeService } from '../compose/project.js';
import { FLASK_INPUT_FILES, FLASK_MODULE } from '../instrument/flask.js';
import { DEFAULT_APP_FILES, findFlaskEntry, PACKAGE_APP_FILES } from '../instrument/flask-entry.js';
import { NODE_INPUT_FILES } from '../instrument/node.js';
import { REACT_INPUT_FILES, REACT_SOURCE } from '../instrument/react.js';
import { imageRequirementFiles, requirementsClosure } from '../stacks/pip-installs.js';
import { servicePath } from '../instrument/template.js';
import type { FolderReader } from '../io/folder-reader.js';
import type { Stack } from '../stacks/detect.js';
import { LOCK_FILES } from '../stacks/package-manager.js';
import type { ServiceSources } from './snapshot.js';

/**
 * Reads the files the stack's planner looks at, from the build context on disk. Folders are
 * listed once and only files that exist are read (through `folders`, which stack detection
 * already filled): a failed read per missing candidate costs more than the reads themselves.
 */
export function readServiceSources(
  folders: FolderReader,
  root: string,
  serviceDir: string,
  stack: Stack,
  notUtf8?: Set<string>,
  service?: ComposeService,
  /** compose's `build.dockerfile` relative to serviceDir, when the app is the build context itself. */
  composeDockerfile?: string,
): ServiceSources {
  const dir = join(root, serviceDir);
  const files: ServiceSources = new Map();
  const listed = folders.list(dir);
  const add = (name: string) => {
    // `dockerfile: Dockerfile.prod`: the planners read that one as the image's Dockerfile, never the plain one.
    const file = name === 'Dockerfile' ? (composeDockerfile ?? defaultDockerfileName(listed)) : name;
    const text = folders.read(dir, file);
    if (text !== undefined) files.set(name, text);
    if (text !== undefined && !folders.isUtf8(dir, file)) notUtf8?.add(servicePath(serviceDir, file));
  };
  // Lock files name the package manager: only whether they exist matters, so they are listed, not read.
  for (const lock of [...new Set(Object.values(LOCK_FILES)), 'bun.lockb', 'npm-shrinkwrap.json']) if (lock && listed.has(lock)) files.set(lock, '');
  if (stack === 'flask') {
    FLASK_INPUT_FILES.forEach(add);
    // The app file: named by FLASK_APP or the start command, else the usual names and packages.
    for (const name of listed) {
      if (name.includes('.') || /^(?:tests?|venv|node_modules|migrations)$/.test(name) || !folders.list(join(dir, name)).has('__init__.py')) continue;
      for (const file of PACKAGE_APP_FILES) add(`${name}/${file}`);
    }
    const command = service?.config.command;
    const entry = findFlaskEntry({
      files,
      ...(command !== undefined && command !== null ? { command: Array.isArray(command) ? command.map(String).join(' ') : String(command) } : {}),
      ...(service ? { environment: service.config.environment } : {}),
      ...(service?.config.buildTarget !== undefined ? { buildTarget: service.config.buildTarget } : {}),
    });
    for (const name of entry.candidates) if (!DEFAULT_APP_FILES.includes(name as never)) add(name);
    if (entry.moduleDir !== '') add(`${entry.moduleDir}/${FLASK_MODULE}`);
    // The requirements files the image installs (`pip install -r requirements/docker.txt`), and every
    // file their -r lines include, are part of the dependency list too.
    const installed = files.has('Dockerfile') ? imageRequirementFiles(files.get('Dockerfile')!, service?.config.buildTarget, (p) => folders.read(dir, p) !== undefined) : [];
    requirementsClosure(['requirements.txt', ...installed], (p) => {
      if (!files.has(p)) add(p);
      return files.get(p);
    });
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

/** The `composeDockerfile` argument of readServiceSources for a service whose app is its whole build context. */
export function composeDockerfileOf(service: ComposeService, appDir: string | undefined): string | undefined {
  const path = service.config.dockerfile;
  if (path === undefined || (appDir ?? '') !== '' || isAbsolute(path) || /^[a-z]:/i.test(path)) return undefined;
  return path.split('\\').join('/');
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
