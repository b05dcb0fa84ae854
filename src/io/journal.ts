import { constants, readFileSync } from 'node:fs';
import { chown, link, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ObsError } from '../errors.js';
import type { Fingerprint } from './read-ledger.js';

/**
 * Where obs keeps what an apply needs to survive a crash: in each folder it writes to, a folder
 * `.obs-apply/` holding `new/<name>` (the content about to replace `<name>`) and `old/<name>`
 * (a hard link to what it replaces, for rolling back), plus, in the project root, `journal.json`.
 *
 * Why there: a temp file must sit on its target's file system (rename(2) does not cross them), and
 * a folder next to the target always does, where `.git/` may not (a bind-mounted subfolder, a
 * worktree). The folder is mode 0700 and holds a `.gitignore` of `*` written before anything else,
 * so git never lists what is inside; a staged `.env` keeps the name `.env`, so the usual `.env`
 * ignore rule covers it too.
 */
export const STAGING_DIR = '.obs-apply';
export const JOURNAL_FILE = 'journal.json';

export interface JournalEntry {
  /** The target, relative to the journal's root (posix separators). */
  path: string;
  /** sha256 of the target before (null: obs creates it) and of what obs writes. */
  before: Fingerprint;
  /** null: obs deletes the target. */
  after: Fingerprint;
}

/**
 * The journal: written (as a lock, with O_EXCL semantics) before anything else, marked
 * `committed` once every new content is staged and fsynced, removed when the apply is done.
 * A run that finds one finishes a committed apply or rolls back anything else.
 */
export interface Journal {
  version: 1;
  /** What was running ("obs init"), for the message that reports the recovery. */
  command: string;
  pid: number;
  host: string;
  started: string;
  state: 'prepared' | 'committed' | 'rolling-back';
  /** In rename order: .gitignore, then .env, ..., compose files last. */
  files: JournalEntry[];
  /** Folders obs creates for new files (parents first): removed again on roll-back. */
  createdDirs: string[];
  /** Paths `git rm --cached` takes out of the index once every file is written. */
  untrack: string[];
}

export const journalPath = (root: string) => join(root, STAGING_DIR, JOURNAL_FILE);
export const stagingDirOf = (target: string) => join(dirname(target), STAGING_DIR);
export const newCopyOf = (target: string) => join(stagingDirOf(target), 'new', basename(target));
export const oldCopyOf = (target: string) => join(stagingDirOf(target), 'old', basename(target));

/** The journal in `root`, or undefined. A journal obs cannot parse is an error naming it. */
export async function readJournal(root: string): Promise<Journal | undefined> {
  let text: string;
  try {
    text = await readFile(journalPath(root), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw new ObsError(`cannot read it: ${(err as Error).message}`, { file: journalPath(root) });
  }
  try {
    const journal = JSON.parse(text) as Journal;
    if (journal.version === 1 && Array.isArray(journal.files) && typeof journal.state === 'string') return journal;
  } catch {
    // reported below
  }
  // obs writes the journal by rename, so it is never half-written by obs itself.
  throw new ObsError('not a journal obs can read (edited by hand?); move the folder away to start over', { file: journalPath(root) });
}

export function newJournal(command: string, files: JournalEntry[], createdDirs: string[], untrack: string[]): Journal {
  return { version: 1, command, pid: process.pid, host: hostname(), started: new Date().toISOString(), state: 'prepared', files, createdDirs, untrack };
}

/** Thrown by writeJournal({ exclusive }) when a journal is already there. */
export class JournalExists extends Error {}

/**
 * Writes the journal whole (temp file, fsync, then rename), so a reader never sees half of it.
 * `exclusive` takes it as a lock: link(2) fails when a journal exists, atomically.
 */
export async function writeJournal(root: string, journal: Journal, options: { exclusive?: boolean } = {}): Promise<void> {
  const target = journalPath(root);
  const temp = `${target}.${process.pid}.tmp`;
  await rm(temp, { force: true });
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(journal, null, 2)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (options.exclusive) {
    try {
      await link(temp, target);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new JournalExists();
      throw err;
    }
    await unlink(temp);
  } else {
    await rename(temp, target);
  }
  await syncDir(dirname(target));
}

/**
 * Creates `<dir>/.obs-apply/` (0700) with its `.gitignore` of `*` before anything goes in it.
 * Running as root, the folder gets the owner of `dir`, so its owner can clean up after a crash.
 */
export async function ensureStagingDir(dir: string): Promise<void> {
  const staging = join(dir, STAGING_DIR);
  const created = await mkdir(staging, { mode: 0o700 }).then(
    () => true,
    (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
      return false;
    },
  );
  const ignore = join(staging, '.gitignore');
  const present = created ? undefined : await readFile(ignore, 'utf8').catch(() => undefined);
  if (present !== '*\n') await writeFile(ignore, '*\n', { mode: 0o600 });
  for (const sub of ['new', 'old']) {
    await mkdir(join(staging, sub), { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
  if (process.getuid?.() === 0) {
    const owner = await stat(dir);
    const mine = await stat(staging);
    if (mine.uid !== owner.uid || mine.gid !== owner.gid) {
      for (const path of [staging, ignore, join(staging, 'new'), join(staging, 'old')]) await chown(path, owner.uid, owner.gid);
    }
  }
}

/**
 * Removes what obs staged in `<dir>/.obs-apply/`, then its journal (unless `keepJournal`) and the
 * folder itself when nothing else is left. Only while holding the lock, or with no journal there.
 */
export async function removeStagingDir(dir: string, options: { keepJournal?: boolean } = {}): Promise<void> {
  const staging = join(dir, STAGING_DIR);
  await rm(join(staging, 'new'), { recursive: true, force: true });
  await rm(join(staging, 'old'), { recursive: true, force: true });
  // A journal being rewritten when obs was killed: `journal.json.<pid>.tmp`.
  const names = await readdir(staging).catch(() => [] as string[]);
  for (const name of names) if (/^journal\.json\.\d+\.tmp$/.test(name)) await rm(join(staging, name), { force: true });
  if (options.keepJournal) return;
  await rm(join(staging, JOURNAL_FILE), { force: true });
  await rm(join(staging, '.gitignore'), { force: true });
  await rmdir(staging).catch(() => undefined);
}

/**
 * What is left of `<dir>/.obs-apply/` with no journal in it (the journal goes last, so nothing
 * that matters): empty folders, the `.gitignore`, temp journals of runs no longer alive. Never
 * recursive: another run may be taking the lock right now.
 */
export async function sweepStagingDir(dir: string): Promise<void> {
  const staging = join(dir, STAGING_DIR);
  for (const sub of ['new', 'old']) await rmdir(join(staging, sub)).catch(() => undefined);
  for (const name of await readdir(staging).catch(() => [] as string[])) {
    const temp = /^journal\.json\.(\d+)\.tmp$/.exec(name);
    if (temp && !pidIsAlive(Number(temp[1]))) await rm(join(staging, name), { force: true });
  }
  const left = await readdir(staging).catch(() => [] as string[]);
  if (left.every((name) => name === '.gitignore')) {
    await unlink(join(staging, '.gitignore')).catch(() => undefined);
    await rmdir(staging).catch(() => undefined);
  }
}

/** fsync a folder so the renames and creations in it survive a power loss (a no-op where unsupported). */
export async function syncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, constants.O_RDONLY);
    await handle.sync();
  } catch {
    // EINVAL/EISDIR on file systems without directory fsync: nothing more to do.
  } finally {
    await handle?.close();
  }
}

/**
 * Whether the process that wrote `journal` still runs: then its apply is in progress, not
 * interrupted. On Linux the command line must mention obs too, so a reused pid does not count.
 */
export function writerIsAlive(journal: Journal): boolean {
  return pidIsAlive(journal.pid);
}

function pidIsAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return /obs/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return process.platform !== 'linux';
  }
}
