import { execa } from 'execa';

/** Git queries obs needs; each answers "no" outside a repository instead of failing. */
export interface GitInfo {
  isRepo: boolean;
  /** Paths (relative to cwd) git tracks. */
  isTracked(path: string): Promise<boolean>;
  isIgnored(path: string): Promise<boolean>;
  /** Which of `paths` have uncommitted changes (staged, unstaged or untracked-but-not-ignored are not counted). */
  uncommitted(paths: string[]): Promise<string[]>;
  untrack(path: string): Promise<void>;
}

export async function gitInfo(cwd: string): Promise<GitInfo> {
  const run = (args: string[]) => execa('git', args, { cwd, reject: false, stdin: 'ignore' });
  const probe = await run(['rev-parse', '--is-inside-work-tree']).catch(() => undefined);
  const isRepo = probe?.exitCode === 0 && probe.stdout.trim() === 'true';
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
    isTracked: async (path) => (await run(['ls-files', '--error-unmatch', '--', path])).exitCode === 0,
    // --no-index: a tracked file still counts as matched by .gitignore, which is what we ask.
    isIgnored: async (path) => (await run(['check-ignore', '-q', '--no-index', '--', path])).exitCode === 0,
    uncommitted: async (paths) => {
      if (paths.length === 0) return [];
      const status = await run(['status', '--porcelain', '--untracked-files=no', '--', ...paths]);
      return status.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => line.slice(3));
    },
    untrack: async (path) => {
      const result = await run(['rm', '--cached', '-q', '--', path]);
      if (result.exitCode !== 0) throw new Error(`git rm --cached ${path} failed: ${result.stderr.trim()}`);
    },
  };
}

/** Outside a git repository: does a .gitignore line cover `.env`? */
export function gitignoreCoversDotenv(text: string | undefined): boolean {
  if (!text) return false;
  return text.split(/\r?\n/).some((raw) => {
    const line = raw.trim();
    return ['.env', '/.env', '.env*', '*.env', '**/.env', '.env/'].includes(line);
  });
}
