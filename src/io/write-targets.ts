import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UsageError } from '../errors.js';

export interface WriteTargets {
  /** Planned path (relative to root, as shown) -> the absolute path whose bytes change. */
  paths: Map<string, string>;
  /** One line per path that is written somewhere other than it reads: for the plan. */
  notes: string[];
}

/**
 * Where each planned write lands once symlinks are followed, decided before anything is shown
 * or written (the writer then replaces exactly that file):
 * - a symlink whose target is inside the project: the target is written, the link stays;
 * - a path that resolves outside the project (a link to elsewhere, `build: ../shared/app`, a
 *   linked build folder): refused, exit 2, unless the user named that file with -f (`named`,
 *   absolute), which also opens the folder of the named file;
 * - a dangling symlink: refused (writing would replace the link with a file).
 * Never silent: every write through a link is in `notes`.
 */
export function resolveWriteTargets(root: string, planned: readonly string[], named: readonly string[] = []): WriteTargets {
  const realRoot = realpathSync(root);
  const namedPaths = new Set(named.map((p) => resolve(root, p)));
  const namedFolders = named.map((p) => realOf(dirname(resolve(root, p))));
  const inside = (real: string) => within(realRoot, real) || namedFolders.some((folder) => within(folder, real));
  const shown = (real: string) => (within(realRoot, real) ? relative(realRoot, real).split('\\').join('/') : real);
  const paths = new Map<string, string>();
  const notes: string[] = [];
  for (const display of planned) {
    const path = resolve(root, display);
    if (isSymlink(path)) {
      let target: string;
      try {
        target = realpathSync(path);
      } catch {
        throw new UsageError(`it is a symlink to ${readlinkSync(path)}, which does not exist: obs would replace the link with a file`, {
          file: display,
          hint: 'create the file it points to, or remove the link, then run obs again',
        });
      }
      if (within(realRoot, target)) notes.push(`${display} is a symlink to ${shown(target)}: obs writes ${shown(target)}, the link stays`);
      else if (namedPaths.has(path)) notes.push(`${display} is a symlink to ${target}: obs writes it there (named with -f), the link stays`);
      else {
        throw new UsageError(`it is a symlink to ${target}, outside the project (${realRoot}): obs writes inside the project only`, {
          file: display,
          hint: 'replace the link with a copy of the file, or point it inside the project (a compose file may also be named with -f)',
        });
      }
      paths.set(display, target);
      continue;
    }
    const real = realOf(path);
    if (!inside(real) && !namedPaths.has(path)) {
      throw new UsageError(`it resolves to ${real}, outside the project (${realRoot}): obs writes inside the project only`, {
        file: display,
        hint: 'run obs with --dir on a folder that holds both, or pass --no-instrument to leave code outside the project alone',
      });
    }
    if (real !== path && within(realRoot, real) && shown(real) !== display) notes.push(`${display} is reached through a symlinked folder: obs writes ${shown(real)}`);
    paths.set(display, real);
  }
  return { paths, notes };
}

/** `path` with every symlink in its existing part resolved (the rest may not exist yet). */
function realOf(path: string): string {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      return join(realpathSync(current), ...missing.reverse());
    } catch {
      const parent = dirname(current);
      if (parent === current) return path;
      missing.push(basename(current));
      current = parent;
    }
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

function within(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * The write requests for planned file changes: each to its resolved target (through a symlink
 * inside the project), new files 0644 except `.env`, which holds secrets and is created 0600.
 */
export function writeRequestsFor(
  root: string,
  changes: readonly { path: string; before: string | null; after: string; remove?: boolean }[],
  targets: WriteTargets,
): { path: string; display: string; content: string | null; before: string | null; newFileMode: number }[] {
  return changes.map((c) => ({
    path: targets.paths.get(c.path) ?? join(root, c.path),
    display: c.path,
    // null: the file goes (see applyFileChanges).
    content: c.remove ? null : c.after,
    before: c.before,
    newFileMode: c.path.endsWith('.env') ? 0o600 : 0o644,
  }));
}
