import { execa } from 'execa';
import { cp, mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createHash } from 'node:crypto';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const OBS_BIN = join(REPO_ROOT, 'bin', 'obs.js');
export const OBS_INIT_BIN = join(REPO_ROOT, 'bin', 'obs-init.js');

export interface ObsRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `obs` binary as a child process, the way a user would, with a clean
 * environment (no CI flag leaking in unless given, no colour, no AWS settings from the machine).
 */
export async function runObs(args: string[], options: { cwd?: string; env?: Record<string, string>; input?: string; bin?: string; timeoutMs?: number; node?: string } = {}): Promise<ObsRun> {
  const result = await execa(options.node ?? process.execPath, [options.bin ?? OBS_BIN, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', ...options.env },
    extendEnv: false,
    reject: false,
    input: options.input ?? '',
    timeout: options.timeoutMs ?? 60_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const scratch: string[] = [];

/**
 * A fresh temp directory, removed after the test file (test/support/cleanup.ts), so repeated
 * runs do not fill the temp folder. Set OBS_KEEP_TEST_DIRS=1 to keep them for a look.
 */
export async function scratchDir(prefix = 'obs-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** Removes every scratchDir of this test file (vitest workers are killed, so not at exit). */
export function removeScratchDirs(): void {
  if (process.env.OBS_KEEP_TEST_DIRS === '1') return;
  for (const path of scratch.splice(0)) rmSync(path, { recursive: true, force: true });
}

/** A fresh temp directory (see scratchDir), optionally filled with a copy of `from`. */
export async function tempProject(from?: string): Promise<string> {
  const dir = await scratchDir();
  if (from) await cp(from, dir, { recursive: true });
  return dir;
}

/** sha256 of every file under `dir` (relative path -> hash), to prove nothing changed. */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(current: string): Promise<void> {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === '.git' || entry.name === 'node_modules') continue;
        await walk(path);
      } else if (entry.isFile()) {
        const info = await stat(path);
        out[relative(dir, path)] = `${createHash('sha256')
          .update(await readFile(path))
          .digest('hex')} ${(info.mode & 0o777).toString(8)}`;
      }
    }
  }
  await walk(dir);
  return out;
}

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const result = await execa('git', args, { cwd, env: { GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 't@example.com' } });
  return result.stdout;
}

/** A temp dir that is a git repository with everything committed. */
export async function gitProject(from?: string): Promise<string> {
  const dir = await tempProject(from);
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '--allow-empty', '-m', 'fixture');
  return dir;
}
