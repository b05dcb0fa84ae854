import { execFile, spawn } from 'node:child_process';

/** Git queries obs needs; each answers "no" outside a repository instead of failing. */
export interface GitInfo {
  isRepo: boolean;
  isTracked(path: string): Promise<boolean>;
  /** Matched by a .gitignore rule (whether or not the file is also tracked). */
  isIgnored(path: string): Promise<boolean>;
  /** Which of `paths` have uncommitted changes (staged or not). */
  uncommitted(paths: string[]): Promise<string[]>;
  untrack(path: string): Promise<void>;
  /** Absolute path of the index lock (`.git/index.lock`): while it exists, `git rm --cached` fails. */
  indexLockPath?(): Promise<string | undefined>;
}

interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * node:child_process rather than execa: these are a few short git calls, and loading execa
 * costs more start-up time than every git call together. Pipes only for what is read: starting
 * a process with pipes costs this process more than the git work itself.
 */
function runGit(cwd: string, args: string[]): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, encoding: 'utf8', windowsHide: true }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 127) : 0;
      resolve({ exitCode: code, stdout, stderr });
    });
  });
}

export async function gitInfo(cwd: string): Promise<GitInfo> {
  const isRepo = (await gitStdout(cwd, ['rev-parse', '--is-inside-work-tree']))?.trim() === 'true';
  if (!isRepo) {
    return {
      isRepo: false,
      isTracked: async () => false,
      isIgnored: async () => false,
      uncommitted: async () => [],
      untrack: async () => undefined,
    };
  }
  return {
    isRepo: true,
    isTracked: async (path) => (await gitExitCode(cwd, ['ls-files', '--error-unmatch', '--', path])) === 0,
    // --no-index: a tracked file still counts as matched by .gitignore, which is what we ask.
    isIgnored: async (path) => (await gitExitCode(cwd, ['check-ignore', '-q', '--no-index', '--', path])) === 0,
    uncommitted: async (paths) => {
      if (paths.length === 0) return [];
      const status = (await gitStdout(cwd, ['status', '--porcelain', '--untracked-files=no', '--', ...paths])) ?? '';
      return status
        .split('\n')
        .filter(Boolean)
        .map((line) => line.slice(3));
    },
    untrack: async (path) => {
      // The one call whose stderr obs shows: its first line says why.
      const result = await runGit(cwd, ['rm', '--cached', '-q', '--', path]);
      if (result.exitCode !== 0) throw new Error(`git rm --cached ${path} failed: ${result.stderr.trim().split('\n')[0]}`);
    },
    indexLockPath: async () => {
      const path = (await gitStdout(cwd, ['rev-parse', '--path-format=absolute', '--git-path', 'index.lock']))?.trim();
      return path || undefined;
    },
  };
}

/**
 * What doctor needs from git, from two concurrent processes: every tracked file under cwd
 * (undefined outside a repository) and whether `path` is ignored.
 */
export async function gitSnapshot(cwd: string, path: string): Promise<{ trackedFiles?: string[]; ignored: boolean }> {
  const [files, ignoredExit] = await Promise.all([gitStdout(cwd, ['ls-files', '-z']), gitExitCode(cwd, ['check-ignore', '-q', '--no-index', '--', path])]);
  return { trackedFiles: files?.split('\0').filter(Boolean), ignored: ignoredExit === 0 };
}

/** stdout of a git command that succeeded, else undefined (not a repository, no git). */
function gitStdout(cwd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'], windowsHide: true });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => resolve(code === 0 ? Buffer.concat(chunks).toString('utf8') : undefined));
  });
}

/** Exit code of a git command run without any pipes; 127 when git cannot start. */
function gitExitCode(cwd: string, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('git', args, { cwd, stdio: 'ignore', windowsHide: true });
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 128));
  });
}

/** The usual .gitignore patterns that match a `.env` file at the top (`.env/` matches folders only). */
const DOTENV_PATTERNS = new Set(['.env', '/.env', '.env*', '*.env', '**/.env']);

/** Outside a git repository: does .gitignore cover `.env`? As in git, the last matching line wins, `!` included. */
export function gitignoreCoversDotenv(text: string | undefined): boolean {
  if (!text) return false;
  let ignored = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (DOTENV_PATTERNS.has(line)) ignored = true;
    else if (line.startsWith('!') && DOTENV_PATTERNS.has(line.slice(1))) ignored = false;
  }
  return ignored;
}
