import { execa } from 'execa';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runObsWithFault } from '../support/faults.js';
import { git, runObs, scratchDir, snapshotTree, type ObsRun } from '../support/run-obs.js';

/**
 * When the file system says no (an immutable file or folder, a full disk, a locked git index,
 * a rename or `git rm` failing half-way): one line naming the file and the cause, exit 1, no
 * stack trace, and the project exactly as before -- files, modes, git's index, no staged copies.
 */
const KEY = 'Ab3dEf6hIj9kLm2nOp5qRs';
const COMPOSE = ['services:', '  api:', '    build: ./api', '    environment:', `      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${KEY}"`, ''].join('\n');
const ENV = { CI: 'true' };

async function project(parent?: string, options: { git?: boolean } = {}): Promise<string> {
  const dir = join(parent ?? (await scratchDir('obs-fail-')), 'shop');
  await mkdir(join(dir, 'api'), { recursive: true });
  await writeFile(join(dir, 'docker-compose.yml'), COMPOSE);
  await writeFile(join(dir, 'api', 'Dockerfile'), 'FROM node:20\n');
  await writeFile(join(dir, 'api', 'package.json'), '{ "name": "api", "dependencies": { "express": "^4.19.2" } }\n');
  await writeFile(join(dir, '.env'), 'DEBUG=1\n');
  if (options.git) {
    await git(dir, 'init', '-q', '-b', 'main');
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', 'fixture');
  }
  return dir;
}

/** Files and modes, git's index (in a repository) and nothing of obs's staging folders. */
async function state(dir: string): Promise<{ files: Record<string, string>; index: string }> {
  const index = await git(dir, 'ls-files', '-s', '--debug').catch(() => '');
  return { files: await snapshotTree(dir), index };
}

/** The rule for a failed apply: exit 1, the one `obs:` line matches, no trace, the state unchanged. */
async function expectFailedCleanly(run: ObsRun | { exitCode?: number; stderr: string; stdout: string }, dir: string, before: Awaited<ReturnType<typeof state>>, line: RegExp): Promise<void> {
  expect(run.stderr).not.toMatch(/unexpected error|\n\s+at /);
  expect(run.exitCode, run.stderr).toBe(1);
  const errors = run.stderr.split('\n').filter((l) => l.startsWith('obs: '));
  expect(errors, run.stderr).toHaveLength(1);
  expect(errors[0]).toMatch(line);
  expect(await state(dir)).toEqual(before);
  expect(await findStaging(dir)).toEqual([]);
}

async function findStaging(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.name === '.obs-apply' || /\.obs-[0-9a-f]+\.tmp$/.test(entry.name)) found.push(join(entry.parentPath, entry.name));
  }
  return found.filter((p) => !p.includes('/.git/'));
}

const chattr = await execa('chattr', ['--help'], { reject: false }).then(
  (r) => r.exitCode !== 127 && process.getuid?.() === 0,
  () => false,
);
const immutable: string[] = [];
afterAll(async () => {
  for (const path of immutable) await execa('chattr', ['-i', path], { reject: false });
});

describe.skipIf(!chattr)('immutable targets (chattr +i, as root)', () => {
  it('an immutable compose file is refused before the first rename: one line, exit 1, nothing changed', async () => {
    const dir = await project();
    immutable.push(join(dir, 'docker-compose.yml'));
    await execa('chattr', ['+i', join(dir, 'docker-compose.yml')]);
    const before = await state(dir);
    const run = await runObs(['init', '--dir', dir, '--yes'], { env: ENV });
    await expectFailedCleanly(run, dir, before, /^obs: docker-compose\.yml: cannot replace it: operation not permitted .*\(EPERM\); nothing was written$/);
  });

  it('an immutable service folder (where obs adds tracing code) fails while staging: nothing changed', async () => {
    const dir = await project();
    immutable.push(join(dir, 'api'));
    await execa('chattr', ['+i', join(dir, 'api')]);
    const before = await state(dir);
    const run = await runObs(['init', '--dir', dir, '--yes'], { env: ENV });
    await expectFailedCleanly(run, dir, before, /^obs: api\/[\w.]+: cannot write it: operation not permitted .*\(EPERM\); nothing was changed$/);
  });

  it('an immutable project folder: one line naming the folder, nothing changed', async () => {
    const dir = await project();
    immutable.push(dir);
    await execa('chattr', ['+i', dir]);
    const before = await state(dir);
    const run = await runObs(['init', '--dir', dir, '--yes'], { env: ENV });
    await expectFailedCleanly(run, dir, before, new RegExp(`^obs: ${dir}: cannot write in this folder: operation not permitted .*\\(EPERM\\); nothing was changed$`));
  });
});

describe('a full disk (ENOSPC)', () => {
  it('on a small tmpfs: one line naming the file, exit 1, nothing changed, no staged copy left', async (t) => {
    const mountPoint = await scratchDir('obs-tmpfs-');
    const mounted = await execa('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mountPoint], { reject: false });
    if (mounted.exitCode !== 0) {
      t.skip(`mount -t tmpfs refused (${mounted.stderr.trim() || `exit ${mounted.exitCode}`}): needs root and CAP_SYS_ADMIN`);
      return;
    }
    try {
      const dir = await project(mountPoint);
      // Fill the disk, then free 12 KiB: room for the journal and a staged file or two, not all.
      await execa('sh', ['-c', `dd if=/dev/zero of=${mountPoint}/fill bs=4k 2>/dev/null; truncate -s -12k ${mountPoint}/fill`]);
      const before = await state(dir);
      const run = await runObs(['init', '--dir', dir, '--yes'], { env: ENV });
      await expectFailedCleanly(run, dir, before, /^obs: [\w./]+: cannot write (it|in this folder): no space left on the device \(ENOSPC\); nothing was changed$/);
    } finally {
      await execa('umount', [mountPoint], { reject: false });
    }
  });

  it('injected at a rename half-way: the files already replaced are put back', async () => {
    const dir = await project(undefined, { git: true });
    const before = await state(dir);
    const run = await runObsWithFault(['init', '--dir', dir, '--yes'], { root: dir, only: ['rename'], at: 4, action: 'ENOSPC' });
    await expectFailedCleanly(run, dir, before, /^obs: [\w./-]+: cannot replace it: no space left on the device \(ENOSPC\); obs put back every file it had replaced, nothing was changed$/);
  });
});

describe('a rename refused half-way (EPERM)', () => {
  it('the renames done so far are rolled back, .env stays tracked, nothing changed', async () => {
    const dir = await project(undefined, { git: true });
    const before = await state(dir);
    // The 3rd rename: .gitignore and .env are already replaced by then (they go first).
    const run = await runObsWithFault(['init', '--dir', dir, '--yes'], { root: dir, only: ['rename'], at: 3, action: 'EPERM' });
    await expectFailedCleanly(run, dir, before, /^obs: [\w./-]+: cannot replace it: operation not permitted .*; obs put back every file it had replaced, nothing was changed$/);
    expect(await git(dir, 'ls-files', '--', '.env')).toBe('.env');
  });
});

describe('git', () => {
  it('.git/index.lock present: refused before writing, since `git rm --cached .env` would fail after', async () => {
    const dir = await project(undefined, { git: true });
    await writeFile(join(dir, '.git', 'index.lock'), '');
    const before = await state(dir);
    const run = await runObs(['init', '--dir', dir, '--yes'], { env: ENV });
    await expectFailedCleanly(run, dir, before, /^obs: \.git\/index\.lock: another git process is running .*; nothing was written$/);
    await rm(join(dir, '.git', 'index.lock'));
    const again = await runObs(['init', '--dir', dir, '--yes'], { env: ENV });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(await git(dir, 'ls-files', '--', '.env')).toBe('');
  });

  it('`git rm --cached .env` failing after the writes: every file is put back, nothing staged', async () => {
    const dir = await project(undefined, { git: true });
    const before = await state(dir);
    const run = await runObsWithFault(['init', '--dir', dir, '--yes'], { root: dir, only: ['git-rm'], at: 1, action: 'EIO' });
    await expectFailedCleanly(run, dir, before, /^obs: \.env: git rm --cached \.env failed: .*; obs put back every file it had replaced, nothing was changed$/);
  });

  it('untracks .env only after every file is written (the order of the calls)', async () => {
    const dir = await project(undefined, { git: true });
    const log = join(await scratchDir('obs-fail-log-'), 'calls.txt');
    const run = await runObsWithFault(['init', '--dir', dir, '--yes'], { root: dir }, { log });
    expect(run.exitCode, run.stderr).toBe(0);
    const kinds = run.calls.map((c) => c.split(' ')[1]);
    expect(kinds.lastIndexOf('rename')).toBeLessThan(kinds.indexOf('git-rm'));
    // .gitignore (so .env is ignored), then .env (so the key is there), the compose file last.
    const renamed = run.calls.filter((c) => c.split(' ')[1] === 'rename' && c.includes('/.obs-apply/new/')).map((c) => c.split('/').pop());
    expect(renamed[0]).toBe('.gitignore');
    expect(renamed[1]).toBe('.env');
    expect(renamed.at(-1)).toBe('docker-compose.yml');
  });
});
