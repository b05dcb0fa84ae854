/**
 * Pure: libraries a service uses that obs's module does not instrument, for doctor's
 * instrumentation-coverage check. Only modules obs wrote (marker line) are judged: a module
 * the user owns says what it wants itself.
 */
import { PYTHON_INSTRUMENTATIONS } from './flask.js';
import { NODE_MODULE, readManifest } from './node.js';
import { missingInstrumentations } from './node-instrumentations.js';
import { RAILS_INITIALIZER, RUBY_INSTRUMENTATIONS } from './rails.js';
import { pythonDeclarations } from './requirements.js';
import { pythonManifest, pythonPackageManager } from '../stacks/package-manager.js';
import { MANAGED_MARKER } from './template.js';

export interface Uncovered {
  /** The library the app declares (`pg`, `psycopg2-binary`, `sidekiq`). */
  library: string;
  /** The instrumentation package or gem that would trace it. */
  pkg: string;
  /** The manifest that declares the library. */
  manifest: string;
  /** obs's module that lacks it. */
  module: string;
}

/** The files coverage reads for a stack, relative to the build context. */
export function coverageFiles(stack: string): string[] {
  if (stack === 'node') return ['package.json', NODE_MODULE];
  if (stack === 'flask') return ['requirements.txt', 'pyproject.toml', 'observability.py', 'Dockerfile'];
  if (stack === 'rails') return ['Gemfile', RAILS_INITIALIZER];
  return [];
}

/**
 * `files`: what coverageFiles named and exists (plus, for Flask, the requirements files the image
 * installs and the `-r` files, when read); `buildTarget`: compose's build.target.
 */
export function uncoveredLibraries(stack: string, files: ReadonlyMap<string, string>, buildTarget?: string): Uncovered[] | undefined {
  if (stack === 'node') {
    const module = files.get(NODE_MODULE);
    const pkg = files.get('package.json');
    if (module === undefined || !module.includes(MANAGED_MARKER) || pkg === undefined) return undefined;
    const deps = readManifest(pkg, ['dependencies', 'optionalDependencies'])?.names;
    if (deps === undefined) return undefined;
    const present = new Set([...module.matchAll(/^\s*\[\s*"([^"]+)"/gm)].map((m) => m[1]!));
    return missingInstrumentations(deps, present).map((m) => ({ ...m, manifest: 'package.json', module: NODE_MODULE }));
  }
  if (stack === 'flask') {
    const module = files.get('observability.py');
    if (module === undefined || !module.includes(MANAGED_MARKER) || !/^OTEL_TRACES = True$/m.test(module)) return undefined;
    // What the image installs: requirements/docker.txt for `pip install -r requirements/docker.txt`.
    const manifest = pythonManifest(files, pythonPackageManager(files), buildTarget);
    if (!manifest) return undefined;
    const declared = pythonDeclarations(files, manifest);
    const out: Uncovered[] = [];
    for (const inst of PYTHON_INSTRUMENTATIONS) {
      const library = inst.when.find((n) => declared.has(n));
      if (library && !module.includes(`"${inst.module}"`)) out.push({ library, pkg: inst.pkg, manifest: declared.get(library)!.file, module: 'observability.py' });
    }
    return out;
  }
  if (stack === 'rails') {
    const module = files.get(RAILS_INITIALIZER);
    const gemfile = files.get('Gemfile');
    if (module === undefined || !module.includes(MANAGED_MARKER) || gemfile === undefined) return undefined;
    if (/^\s*c\.use_all\b/m.test(module)) return [];
    const gems = new Set([...gemfile.matchAll(/^\s*gem\s*\(?\s*(["'])([A-Za-z0-9._-]+)\1/gm)].map((m) => m[2]!.toLowerCase()));
    const out: Uncovered[] = [];
    for (const inst of RUBY_INSTRUMENTATIONS) {
      if (inst.when.length === 0) continue;
      const library = [...gems].find((g) => inst.when.some((w) => (w.endsWith('-') ? g.startsWith(w) : g === w)));
      if (library && !module.includes(`"${inst.require}"`)) out.push({ library, pkg: inst.gem, manifest: 'Gemfile', module: RAILS_INITIALIZER });
    }
    return out;
  }
  return undefined;
}
