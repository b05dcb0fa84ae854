import { lstatSync, readdirSync, type Dirent } from 'node:fs';
import { readRegularFileSync } from '../../io/read-regular.js';
import { join, posix } from 'node:path';
import { maskSecret } from '../../secrets/shapes.js';
import { resultFrom, type Check, type CheckResult, type DoctorProject, type Finding } from '../types.js';
import { scanForSecrets, type SecretHit } from './scan.js';
import { dotenvPath } from './sources.js';
import { environmentIndex } from '../project/lib/env.js';

const META = { id: 'no-hardcoded-secrets', title: 'No hard-coded secrets' };
const MAX_BYTES = 1024 * 1024;
/**
 * Outside git: the file types that carry keys in practice (configs, scripts, templates, notes),
 * plus files without an extension (Dockerfile, bin/ scripts).
 */
const SCANNED_EXTENSIONS = new Set(
  [
    'erb',
    'json',
    'jsonc',
    'yml',
    'yaml',
    'py',
    'rb',
    'js',
    'mjs',
    'cjs',
    'jsx',
    'ts',
    'tsx',
    'sh',
    'bash',
    'zsh',
    'env',
    'txt',
    'md',
    'ini',
    'cfg',
    'conf',
    'toml',
    'properties',
    'tf',
    'tfvars',
    'ps1',
  ].map((e) => `.${e}`),
);
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git', '.venv', 'venv', '__pycache__']);
const MAX_WALKED_FILES = 20_000;
const MAX_WALKED_FOLDERS = 20_000;

interface ScanTarget {
  path: string;
  compose: boolean;
  tracked: boolean;
}

/** In git: the compose files and every tracked file. Outside: compose files and likely key-holders under root. */
function targets(project: DoctorProject): ScanTarget[] {
  const compose = new Set(project.composePaths);
  const out = new Map<string, ScanTarget>();
  for (const path of project.composePaths) out.set(path, { path, compose: true, tracked: project.git.trackedFiles.includes(path) });
  if (project.git.isRepo) {
    for (const path of project.git.trackedFiles) if (!out.has(path)) out.set(path, { path, compose: false, tracked: true });
    return [...out.values()];
  }
  // The project's .env and the compose env_files are where keys belong: dotenv-ignored covers them.
  const secretStores = new Set([dotenvPath(project), ...project.envFiles.keys()]);
  for (const path of walk(project.root)) {
    if (out.has(path) || secretStores.has(path)) continue;
    const base = posix.basename(path);
    const ext = posix.extname(base);
    if (base.startsWith('.env') || ext === '' || SCANNED_EXTENSIONS.has(ext)) out.set(path, { path, compose: compose.has(path), tracked: false });
  }
  return [...out.values()];
}

/**
 * The project's files, breadth first and bounded: never through a symlink (it may lead out of
 * the tree), never onto another file system (`obs doctor --dir /` would walk into /proc and
 * block on /proc/kmsg), only regular files.
 */
function walk(root: string): string[] {
  const files: string[] = [];
  let device: number;
  try {
    device = lstatSync(root).dev;
  } catch {
    return files;
  }
  const queue: string[] = [''];
  let folders = 0;
  while (queue.length > 0 && files.length < MAX_WALKED_FILES && folders < MAX_WALKED_FOLDERS) {
    const dir = queue.shift()!;
    folders++;
    let entries: Dirent[] = [];
    try {
      entries = readdirSync(join(root, dir), { withFileTypes: true });
    } catch {
      // unreadable folder: skipped
    }
    for (const entry of entries) {
      const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name) && onDevice(join(root, path), device)) queue.push(path);
      } else if (entry.isFile()) files.push(path);
    }
  }
  return files;
}

function onDevice(path: string, device: number): boolean {
  try {
    return lstatSync(path).dev === device;
  } catch {
    return false;
  }
}

/**
 * The file as text, or undefined for what is not scanned: missing, a symlink, over 1 MiB, binary.
 * Synchronous: small local files, one after another, cost less than the promise machinery.
 */
function readScannable(root: string, path: string): string | undefined {
  try {
    const info = lstatSync(join(root, path));
    if (!info.isFile() || info.size > MAX_BYTES) return undefined;
    // Opened without blocking and checked again: a FIFO swapped in, or a kernel file, is skipped.
    const buffer = readRegularFileSync(join(root, path));
    if (buffer === undefined || buffer.length > MAX_BYTES) return undefined;
    if (buffer.subarray(0, 8192).includes(0)) return undefined;
    return buffer.toString('utf8');
  } catch {
    return undefined;
  }
}

const isExampleEnv = (base: string) => /^\.env\.(example|sample|template|dist|defaults?)$|\.example$/i.test(base);
const isEnvFile = (base: string) => /^\.env(\..+)?$|\.env$/i.test(base);

function fixFor(target: ScanTarget, hit: SecretHit, project: DoctorProject): string {
  const rotate = target.tracked ? 'then rotate the key: it stays in the git history' : 'then rotate the key if this file was ever shared';
  const base = posix.basename(target.path);
  if (target.compose) {
    const ref = hit.header ? `x-honeycomb-team=\${${hit.envName}}` : `\${${hit.envName}}`;
    // As init and --fix decide (project/secret-moves.ts): not into a .env other services load.
    const owner = project.project?.services.find((s) => [...s.config.environment.values()].some((v) => v?.includes(hit.value)))?.name;
    const others = environmentIndex(project)
      .envFileReaders(dotenvPath(project))
      .filter((s) => s !== owner);
    if (others.length > 0) {
      return `export ${hit.envName}='…' in the shell that runs docker compose and write ${ref} here (not in ${dotenvPath(project)}: ${others.join(', ')} ${others.length === 1 ? 'loads' : 'load'} it through env_file); ${rotate}`;
    }
    return `put ${hit.envName}=… in ${dotenvPath(project)} and write ${ref} here (\`obs init\` does it; \`obs doctor --fix\` will); ${rotate}`;
  }
  if (isExampleEnv(base)) return `leave the value empty in ${target.path} (${hit.envName}=); ${rotate}`;
  if (isEnvFile(base)) {
    return target.tracked ? `stop tracking it: git rm --cached ${target.path} && echo ${base} >> .gitignore; ${rotate}` : `keep ${target.path} out of git (echo ${base} >> .gitignore); ${rotate}`;
  }
  return `read ${hit.envName} from the environment and keep the value in ${dotenvPath(project)} (git-ignored), referenced as \${${hit.envName}}; ${rotate}`;
}

/**
 * No credential written literally in a compose file or in any file git tracks (a push publishes
 * it): Honeycomb keys, AWS key pairs and session tokens, Rollbar tokens. Findings show where,
 * which kind, and the masked value, never the value.
 */
export const noHardcodedSecrets: Check = {
  ...META,
  group: 'secrets',
  async run(project): Promise<CheckResult> {
    const findings: Finding[] = [];
    const files = new Set<string>();
    let scanned = 0;
    for (const target of targets(project)) {
      const text = readScannable(project.root, target.path);
      if (text === undefined) continue;
      scanned++;
      for (const hit of scanForSecrets(text)) {
        files.add(target.path);
        findings.push({
          file: target.path,
          line: hit.line,
          message: `${hit.kind} hard-coded (${maskSecret(hit.value)})`,
          fix: fixFor(target, hit, project),
        });
      }
    }
    findings.sort((a, b) => (a.file! < b.file! ? -1 : a.file! > b.file! ? 1 : a.line! - b.line!));
    const scope = project.git.isRepo ? 'the compose files and every git-tracked file' : 'compose, config, script and .env* files (not a git repository)';
    return resultFrom(META, findings, {
      pass: `no hard-coded keys in ${scanned} ${scanned === 1 ? 'file' : 'files'}: ${scope}`,
      problem: (n) => `${n} hard-coded ${n === 1 ? 'key' : 'keys'} in ${files.size} ${files.size === 1 ? 'file' : 'files'}`,
      fix: 'move each key to .env (git-ignored) and reference it as ${VAR}, then rotate every key listed',
    });
  },
};
