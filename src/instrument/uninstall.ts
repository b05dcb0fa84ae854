/**
 * Pure: what `obs remove` takes out of one service's app -- the module obs wrote (only while it
 * still carries obs's marker), the lines obs inserted to load it, and the packages obs added --
 * as file changes. What obs can no longer tell apart from the user's is left and said.
 */
import type { FileChange } from '../plan/file-change.js';
import { FLASK_IMPORT_LINE, FLASK_MODULE, isObsPythonPackage } from './flask.js';
import { findFlaskEntry } from './flask-entry.js';
import { NODE_MODULE } from './node.js';
import { NODE_INSTRUMENTATIONS, NODE_SDK_PACKAGES, NODE_SHARED_PINS } from './node-instrumentations.js';
import { removeDependencies } from './package-json.js';
import { RAILS_INITIALIZER } from './rails.js';
import { CRA_ENTRIES, REACT_PACKAGES, VITE_ENTRIES } from './react.js';
import { removePyprojectDependencies } from './pyproject-dependencies.js';
import { removeAddedLines, splitRequirement } from './requirements.js';
import { MANAGED_MARKER, servicePath } from './template.js';
import { installSteps, nodePackageManager, pythonManifest, pythonPackageManager } from '../stacks/package-manager.js';
import type { WiringInput } from './wiring.js';

/** What the uninstaller reads: the same as doctor's wiring check (src/instrument/wiring.ts), so both find the app alike. */
export type UninstallInput = WiringInput;

export type UninstallNote =
  /** A module obs once wrote whose marker line is gone: the user's now, left with what loads it. */
  | { kind: 'module-kept'; service: string; file: string }
  /** Packages obs may have added to a manifest it cannot mark (pyproject.toml), with no record of which (or unreadable): left, named. */
  | { kind: 'packages-by-hand'; service: string; file: string; packages: string[] }
  /** A package obs recorded adding whose entry the user changed since: theirs now, left. */
  | { kind: 'package-kept'; service: string; file: string; entry: string; now: string };

export interface UninstallPlan {
  changes: FileChange[];
  notes: UninstallNote[];
  /** Packages taken out, per manifest (paths relative to where obs runs), with what to run so the lock file and the image follow. */
  removedPackages: RemovedPackages[];
}

export interface RemovedPackages {
  file: string;
  packages: string[];
  /** The lock step of the app's package manager, then the image rebuild (installSteps). */
  commands: string[];
}

/** Every package obs may add to a package.json, with the exact ranges it writes (per stack): the fingerprint of obs's entries. */
const NPM_RANGE_SETS = (() => {
  const out = new Map<string, Set<string>>();
  for (const [pkg, range] of [
    ...Object.entries(NODE_SDK_PACKAGES),
    ...Object.entries(NODE_SHARED_PINS),
    ...NODE_INSTRUMENTATIONS.map((i) => [i.pkg, i.range] as const),
    ...Object.entries(REACT_PACKAGES),
  ]) {
    out.set(pkg, (out.get(pkg) ?? new Set()).add(range));
  }
  return out;
})();

/** Gems obs adds: `gem "opentelemetry-..."`. */
function gemOfObs(line: string): boolean {
  return /^gem\s*\(?\s*(["'])opentelemetry-[A-Za-z0-9._-]+\1\s*\)?$/.test(line);
}

/** `addedPackages`: obs.yaml's record of the packages obs added to pyproject.toml files (manifest path -> entries as written). */
export function planUninstall(input: UninstallInput, addedPackages?: Readonly<Record<string, readonly string[]>>): UninstallPlan {
  switch (input.stack) {
    case 'flask':
      return uninstallFlask(input, addedPackages);
    case 'node':
      return uninstallNode(input);
    case 'rails':
      return uninstallRails(input);
    case 'react':
      return uninstallReact(input);
    default:
      return { changes: [], notes: [], removedPackages: [] };
  }
}

const empty = (): UninstallPlan => ({ changes: [], notes: [], removedPackages: [] });

/** The module obs wrote: deleted while it has the marker; otherwise kept and said, and false returned. */
function takeModule(input: UninstallInput, file: string, plan: UninstallPlan): boolean | undefined {
  const text = input.files.get(file);
  if (text === undefined) return undefined;
  if (!text.includes(MANAGED_MARKER)) {
    plan.notes.push({ kind: 'module-kept', service: input.serviceName, file: servicePath(input.serviceDir, file) });
    return false;
  }
  plan.changes.push({ path: servicePath(input.serviceDir, file), before: text, after: '', remove: true });
  return true;
}

/** requirements.txt or a Gemfile: obs's appended blocks go. */
function takeBlocks(input: UninstallInput, file: string, owned: (line: string) => boolean, plan: UninstallPlan): void {
  const text = input.files.get(file);
  if (text === undefined) return;
  const result = removeAddedLines(text, owned);
  if (result.removed.length === 0) return;
  plan.changes.push({ path: servicePath(input.serviceDir, file), before: text, after: result.text });
  plan.removedPackages.push({ file: servicePath(input.serviceDir, file), packages: result.removed, commands: reinstallSteps(input) });
}

/** What to run once packages left a manifest: the same lock step and rebuild init names when it adds them. */
function reinstallSteps(input: UninstallInput): string[] {
  const manager = input.stack === 'rails' ? 'bundler' : input.stack === 'flask' ? pythonPackageManager(input.files) : nodePackageManager(input.files);
  return installSteps(manager, input.serviceDir, input.serviceName);
}

/** package.json: entries with a package obs adds at the exact range obs writes. */
function takeNpmPackages(input: UninstallInput, plan: UninstallPlan): void {
  const text = input.files.get('package.json');
  if (text === undefined) return;
  let deps: Record<string, unknown> = {};
  try {
    const value = (JSON.parse(text.replace(/^\uFEFF/, '')) as { dependencies?: unknown }).dependencies;
    if (value && typeof value === 'object' && !Array.isArray(value)) deps = value as Record<string, unknown>;
  } catch {
    return;
  }
  const ours = Object.entries(deps)
    .filter(([pkg, range]) => typeof range === 'string' && NPM_RANGE_SETS.get(pkg)?.has(range))
    .map(([pkg]) => pkg);
  if (ours.length === 0) return;
  const result = removeDependencies(text, ours, { dropEmptySection: true });
  if (result.removed.length === 0) return;
  plan.changes.push({ path: servicePath(input.serviceDir, 'package.json'), before: text, after: result.text });
  plan.removedPackages.push({ file: servicePath(input.serviceDir, 'package.json'), packages: result.removed, commands: reinstallSteps(input) });
}

function uninstallNode(input: UninstallInput): UninstallPlan {
  const plan = empty();
  if (takeModule(input, NODE_MODULE, plan) !== true) return plan;
  takeNpmPackages(input, plan);
  return plan;
}

function uninstallReact(input: UninstallInput): UninstallPlan {
  const plan = empty();
  const moduleFile = ['src/tracing.js', 'src/tracing.ts'].find((f) => input.files.has(f));
  if (moduleFile === undefined || takeModule(input, moduleFile, plan) !== true) return plan;
  // The import obs put first in the entry file (addImport): `import './tracing.js';`.
  const specifier = moduleFile.endsWith('.ts') ? './tracing' : './tracing.js';
  const line = new RegExp(`^import (['"])${specifier.replace(/\./g, '\\.')}\\1;?\\r?\\n`, 'm');
  for (const entry of [...VITE_ENTRIES, ...CRA_ENTRIES]) {
    const text = input.files.get(entry);
    if (text === undefined || !line.test(text)) continue;
    plan.changes.push({ path: servicePath(input.serviceDir, entry), before: text, after: text.replace(line, '') });
    break;
  }
  takeNpmPackages(input, plan);
  return plan;
}

function uninstallRails(input: UninstallInput): UninstallPlan {
  const plan = empty();
  if (takeModule(input, RAILS_INITIALIZER, plan) !== true) return plan;
  takeBlocks(input, 'Gemfile', gemOfObs, plan);
  return plan;
}

function uninstallFlask(input: UninstallInput, addedPackages: Readonly<Record<string, readonly string[]>> = {}): UninstallPlan {
  const plan = empty();
  const entry = findFlaskEntry(input);
  const moduleFile = entry.moduleDir === '' ? FLASK_MODULE : `${entry.moduleDir}/${FLASK_MODULE}`;
  if (takeModule(input, moduleFile, plan) !== true) return plan;
  // The lines obs put right after `app = Flask(...)`: the import (unless the user had written it) and the call.
  for (const file of entry.candidates) {
    const text = input.files.get(file);
    if (text === undefined) continue;
    const after = withoutFlaskCall(text);
    if (after === text) continue;
    plan.changes.push({ path: servicePath(input.serviceDir, file), before: text, after });
    break;
  }
  // obs's blocks sit in the requirements file the image installs (requirements/docker.txt for
  // `pip install -r requirements/docker.txt`), or in requirements.txt where an older obs put them.
  const manifest = pythonManifest(input.files, pythonPackageManager(input.files), input.buildTarget);
  for (const file of new Set(['requirements.txt', ...(manifest !== undefined && manifest !== 'pyproject.toml' ? [manifest] : [])])) takeBlocks(input, file, isObsPythonPackage, plan);
  const pyproject = input.files.get('pyproject.toml');
  const file = servicePath(input.serviceDir, 'pyproject.toml');
  const recorded = addedPackages[file];
  if (pyproject !== undefined && recorded !== undefined) takeRecordedPackages(input, file, pyproject, recorded, plan);
  else if (!input.files.has('requirements.txt') && pyproject !== undefined) {
    // pyproject.toml has no place for obs's marker, and obs.yaml (written by an older obs) has no record: the packages obs may have added are named, not guessed at.
    const named = [...pyproject.matchAll(/["']?((?:opentelemetry-[A-Za-z0-9._-]+|aws-xray-sdk|watchtower|rollbar|blinker))\b/g)].map((m) => m[1]!);
    if (named.length > 0) plan.notes.push({ kind: 'packages-by-hand', service: input.serviceName, file, packages: [...new Set(named)] });
  }
  return plan;
}

/** pyproject.toml: the entries obs.yaml records obs adding go while they read as obs wrote them; one the user changed stays, said. */
function takeRecordedPackages(input: UninstallInput, file: string, text: string, recorded: readonly string[], plan: UninstallPlan): void {
  const result = removePyprojectDependencies(text, recorded);
  if (result.removed.length > 0) {
    plan.changes.push({ path: file, before: text, after: result.text });
    plan.removedPackages.push({ file, packages: result.removed, commands: reinstallSteps(input) });
  }
  for (const { entry, now } of result.changed) plan.notes.push({ kind: 'package-kept', service: input.serviceName, file, entry, now });
  // Still named in the file, yet neither taken out nor read as changed: a list obs cannot edit as text.
  const left = recorded.filter((entry) => !result.removed.includes(entry) && !result.changed.some((c) => c.entry === entry) && text.includes(splitRequirement(entry).name));
  if (left.length > 0) plan.notes.push({ kind: 'packages-by-hand', service: input.serviceName, file, packages: left.map((entry) => splitRequirement(entry).name) });
}

/** `text` without obs's `init_observability(app)` line and the import line right before it. */
function withoutFlaskCall(text: string): string {
  const lines = text.split(/(?<=\n)/);
  const call = lines.findIndex((l) => /^[ \t]*init_observability\([A-Za-z_][A-Za-z0-9_]*\)[ \t]*\r?\n?$/.test(l));
  if (call === -1) return text;
  const indent = /^[ \t]*/.exec(lines[call]!)![0];
  const importAt = call - 1;
  const imported = importAt >= 0 && lines[importAt]!.replace(/\r?\n$/, '') === `${indent}${FLASK_IMPORT_LINE}`;
  const start = imported ? importAt : call;
  let out = [...lines.slice(0, start), ...lines.slice(call + 1)].join('');
  // At the end of a file without a final newline, init wrote `<eol>import<eol>call`: the line break before goes too.
  if (call === lines.length - 1 && !lines[call]!.endsWith('\n')) out = out.replace(/\r?\n$/, '');
  return out;
}
