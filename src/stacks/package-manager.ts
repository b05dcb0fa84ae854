/**
 * Pure: which package manager installs an app's dependencies, from its lock files, the
 * manifest and the Dockerfile (in that order of trust), and the exact commands to run after
 * obs changed the manifest: the lock step the image's install reads (a `uv sync --frozen` or
 * `yarn install --frozen-lockfile` image never sees a package missing from the lock file),
 * then the image rebuild.
 */
import type { ContextFiles } from './detect.js';
import { imageRequirementFiles } from './pip-installs.js';
import { readPyproject } from './pyproject.js';

export type NodePackageManager = 'npm' | 'yarn' | 'pnpm' | 'bun';
export type PythonPackageManager = 'pip' | 'uv' | 'poetry' | 'pipenv';
export type PackageManager = NodePackageManager | PythonPackageManager | 'bundler';

export function nodePackageManager(files: ContextFiles): NodePackageManager {
  if (files.has('pnpm-lock.yaml')) return 'pnpm';
  if (files.has('yarn.lock')) return 'yarn';
  if (files.has('bun.lockb') || files.has('bun.lock')) return 'bun';
  if (files.has('package-lock.json') || files.has('npm-shrinkwrap.json')) return 'npm';
  // Corepack's field: "packageManager": "yarn@4.1.0".
  const declared = /"packageManager"\s*:\s*"(npm|yarn|pnpm|bun)@/.exec(files.get('package.json') ?? '')?.[1];
  if (declared) return declared as NodePackageManager;
  const docker = files.get('Dockerfile') ?? '';
  if (/\bpnpm\s+(?:install|i)\b/.test(docker)) return 'pnpm';
  if (/\byarn(?:\s+install)?\b/.test(docker)) return 'yarn';
  if (/\bbun\s+install\b/.test(docker)) return 'bun';
  return 'npm';
}

export function pythonPackageManager(files: ContextFiles): PythonPackageManager {
  if (files.has('uv.lock')) return 'uv';
  if (files.has('poetry.lock')) return 'poetry';
  const text = files.get('pyproject.toml');
  const pyproject = text === undefined ? undefined : readPyproject(text);
  const docker = files.get('Dockerfile') ?? '';
  if (/\buv\s+(?:sync|lock|pip)\b/.test(docker) || pyproject?.tools.has('uv')) return 'uv';
  if (/\bpoetry\s+install\b/.test(docker) || pyproject?.poetryDependencies) return 'poetry';
  if (files.has('Pipfile.lock') || (files.has('Pipfile') && !files.has('requirements.txt'))) return 'pipenv';
  return 'pip';
}

/**
 * The manifest obs edits for a Python app: uv and poetry install from pyproject.toml, whatever
 * requirements file sits beside it; else the requirements file the image installs (its
 * Dockerfile's `pip install -r requirements/docker.txt`, requirements.txt first when it is one of
 * them): a requirements.txt the image never installs (kept for Heroku, say) gives the container nothing.
 */
export function pythonManifest(files: ContextFiles, manager: PythonPackageManager, buildTarget?: string): string | undefined {
  if ((manager === 'uv' || manager === 'poetry') && files.has('pyproject.toml')) return 'pyproject.toml';
  const installed = imageRequirements(files, buildTarget);
  if (installed.length > 0 && !installed.includes('requirements.txt')) return installed[0];
  if (files.has('requirements.txt')) return 'requirements.txt';
  if (files.has('pyproject.toml')) return 'pyproject.toml';
  return undefined;
}

/** The requirements files the image compose builds installs (imageRequirementFiles), when the files hold its Dockerfile. */
export function imageRequirements(files: ContextFiles, buildTarget?: string): string[] {
  const dockerfile = files.get('Dockerfile');
  return dockerfile === undefined ? [] : imageRequirementFiles(dockerfile, buildTarget, (p) => files.has(p));
}

/** The lock file a manager keeps, when it keeps one. */
export const LOCK_FILES: Readonly<Record<PackageManager, string | undefined>> = {
  npm: 'package-lock.json',
  yarn: 'yarn.lock',
  pnpm: 'pnpm-lock.yaml',
  bun: 'bun.lock',
  uv: 'uv.lock',
  poetry: 'poetry.lock',
  pipenv: 'Pipfile.lock',
  pip: undefined,
  bundler: 'Gemfile.lock',
};

/**
 * The command that brings the lock file (and node_modules) in line with the edited manifest,
 * run in `dir` (the app's folder, '' for where obs runs); undefined for pip, which locks nothing.
 */
export function lockCommand(manager: PackageManager, dir: string): string | undefined {
  const command: Record<PackageManager, string | undefined> = {
    npm: 'npm install',
    yarn: 'yarn install',
    pnpm: 'pnpm install',
    bun: 'bun install',
    uv: 'uv lock',
    poetry: 'poetry lock',
    pipenv: 'pipenv lock',
    pip: undefined,
    bundler: 'bundle install',
  };
  const run = command[manager];
  if (run === undefined) return undefined;
  return dir === '' || dir === '.' ? run : `(cd ${dir} && ${run})`;
}

/** What to run after obs edited the manifest of a service's app: the lock step, then the rebuild. */
export function installSteps(manager: PackageManager, dir: string, service: string): string[] {
  const lock = lockCommand(manager, dir);
  const lockFile = LOCK_FILES[manager];
  const steps: string[] = [];
  if (lock) steps.push(lockFile ? `${lock} (updates ${dir === '' || dir === '.' ? '' : `${dir}/`}${lockFile})` : lock);
  steps.push(`docker compose build ${service}`);
  return steps;
}
