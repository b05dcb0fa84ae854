import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { killAtEveryStep, settledFiles, type StepChecks } from '../support/kill-every-step.js';
import { git, scratchDir, type ObsRun } from '../support/run-obs.js';

/**
 * `kill -9` at every step of an apply, not at random: a preload (test/support/fs-faults.cjs)
 * counts each call that changes the project (open for writing, write, fsync, chmod, link,
 * rename, unlink, mkdir, `git rm`) and SIGKILLs obs right before call N, for every N. After
 * each kill: every file is old or new in full, no secret exists only in a staged copy, git's
 * index holds no secret and would not pick up a staged copy; then a plain `obs init --yes`
 * finishes or rolls back the interrupted run (and says which) and ends with exactly the bytes,
 * modes and index of an uninterrupted run.
 */
const SECRETS = ['Ab3dEf6hIj9kLm2nOp5qRs', 'AKIAABCDEFGHIJKLMNOP', 'wJalrXUtnFEMIK7MDENGbPxRfiCYSECRETKEY123'];
const COMPOSE = [
  'services:',
  '  api:',
  '    build: ./api',
  '    environment:',
  `      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${SECRETS[0]}"`,
  `      AWS_ACCESS_KEY_ID: ${SECRETS[1]}`,
  `      AWS_SECRET_ACCESS_KEY: ${SECRETS[2]}`,
  '  db:',
  '    image: postgres:16',
  '',
].join('\n');

/** A committed project: hard-coded keys in compose, a tracked .env, no .gitignore, a Node service. */
async function fixture(): Promise<string> {
  // A fixed folder name: obs.yaml holds the project name, taken from it.
  const dir = join(await scratchDir('obs-crash-'), 'shop');
  await mkdir(join(dir, 'api'), { recursive: true });
  await writeFile(join(dir, 'docker-compose.yml'), COMPOSE);
  await writeFile(join(dir, 'api', 'Dockerfile'), 'FROM node:20\n');
  await writeFile(join(dir, 'api', 'package.json'), '{ "name": "api", "dependencies": { "express": "^4.19.2" } }\n');
  await writeFile(join(dir, '.env'), 'DEBUG=1\n');
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'fixture');
  return dir;
}

/** Paths of everything inside `.obs-apply` folders, with their modes. */
async function staged(dir: string): Promise<{ path: string; mode: number; isDir: boolean }[]> {
  const out: { path: string; mode: number; isDir: boolean }[] = [];
  async function walk(current: string, inside: boolean): Promise<void> {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      const path = join(current, entry.name);
      const here = inside || entry.name === '.obs-apply';
      if (here) out.push({ path: relative(dir, path), mode: (await stat(path)).mode & 0o777, isDir: entry.isDirectory() });
      if (entry.isDirectory()) await walk(path, here);
    }
  }
  await walk(dir, false);
  return out;
}

/** Which of `dir`'s files (outside staging, .git excluded) contain `secret`. */
async function filesHolding(dir: string, secret: string): Promise<string[]> {
  const found: string[] = [];
  for (const path of Object.keys(await settledFiles(dir))) {
    if ((await readFile(join(dir, path), 'utf8')).includes(secret)) found.push(path);
  }
  return found;
}

async function indexEntries(dir: string): Promise<string> {
  return git(dir, 'ls-files', '-s');
}

describe('obs init killed at every write step', () => {
  it('leaves whole files, keeps every secret in compose or .env, and the next run ends where an uninterrupted run does', { timeout: 900_000 }, async () => {
    const template = await fixture();
    const before = await settledFiles(template);
    const beforeIndex = await indexEntries(template);
    let afterIndex = '';

    const checks: StepChecks = {
      async afterReference(clean) {
        afterIndex = await indexEntries(clean);
      },
      async afterKill(dir, where) {
        const failures: string[] = [];
        // No secret exists only in a staged copy, and obs staged none in git (the fixture's commit
        // holds them: the index is the commit's or the finished run's, and adds no secret).
        for (const secret of SECRETS) {
          const holders = await filesHolding(dir, secret);
          if (!holders.includes('docker-compose.yml') && !holders.includes('.env')) failures.push(`${where}: a secret is in neither docker-compose.yml nor .env`);
        }
        const index = await indexEntries(dir);
        if (index !== beforeIndex && index !== afterIndex) failures.push(`${where}: git's index is neither the commit's nor the finished run's`);
        const stagedDiff = await git(dir, 'diff', '--cached');
        if (SECRETS.some((s) => stagedDiff.split('\n').some((l) => l.startsWith('+') && l.includes(s)))) failures.push(`${where}: a secret is staged in git`);
        // Staged copies: private, and invisible to `git add -A`.
        const untracked = (await git(dir, 'ls-files', '--others', '--exclude-standard')).split('\n');
        if (untracked.some((p) => p.includes('.obs-apply'))) failures.push(`${where}: git would add a staged copy: ${untracked.join(' ')}`);
        for (const entry of await staged(dir)) {
          if (entry.isDir && entry.mode !== 0o700) failures.push(`${where}: staging folder ${entry.path} has mode ${entry.mode.toString(8)}`);
        }
        const journal = (await staged(dir)).some((e) => e.path.endsWith('journal.json'));
        // The next plain run says what it did with the interrupted one, and leaves git's index as an uninterrupted run does.
        const afterNext = async (next: ObsRun) => {
          const more: string[] = [];
          if (journal && !/interrupted while writing; obs (finished it|rolled it back)/.test(next.stderr)) more.push(`${where}: the next run did not say what it did with the interrupted run`);
          if ((await indexEntries(dir)) !== afterIndex) more.push(`${where}: after the next run git's index differs from an uninterrupted run`);
          return more;
        };
        return { failures, afterNext };
      },
    };
    const { reference, clean, after, steps, failures } = await killAtEveryStep(template, (dir) => ['init', '--yes', '--dir', dir], 'obs-crash-', checks);
    expect(reference.calls.some((c) => / rename .*docker-compose\.yml/.test(c))).toBe(true);
    expect(reference.calls.some((c) => / git-rm /.test(c))).toBe(true);
    expect(after['docker-compose.yml']).not.toBe(before['docker-compose.yml']);
    expect(await staged(clean)).toEqual([]);
    expect(failures, failures.slice(0, 20).join('\n')).toEqual([]);
    expect(steps).toBeGreaterThan(40);
  });
});
