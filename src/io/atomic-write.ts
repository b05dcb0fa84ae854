import { constants, type Stats } from 'node:fs';
import { chmod, chown, copyFile, link, mkdir, open, readFile, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { ObsError, UsageError } from '../errors.js';
import { describeFsError } from './fs-errors.js';
import type { GitInfo } from './git.js';
import {
  ensureStagingDir,
  JournalExists,
  journalPath,
  newCopyOf,
  newJournal,
  oldCopyOf,
  readJournal,
  removeStagingDir,
  STAGING_DIR,
  sweepStagingDir,
  syncDir,
  writeJournal,
  writerIsAlive,
  type Journal,
  type JournalEntry,
} from './journal.js';
import { fingerprint, type Fingerprint, type ReadLedger } from './read-ledger.js';
import { decodeBytes, encodeText } from './raw-text.js';

export interface WriteRequest {
  /** Absolute path. */
  path: string;
  /** Shown in messages. */
  display: string;
  /** null: the file is deleted (its old content kept for a rollback like any other). */
  content: string | null;
  /** Mode for a new file (an existing file keeps its own). */
  newFileMode?: number;
  /** The text the plan was made from (null: the file was not there), when the caller knows it. */
  before?: string | null;
}

export interface ApplyRequest {
  /** The project root: paths in messages and in the journal are relative to it. */
  root: string;
  /** "obs init", "obs doctor --fix": named when a later run finishes or rolls this one back. */
  command: string;
  writes: readonly WriteRequest[];
  /** Paths (relative to root) to take out of the git index once every file is written. */
  untrack?: readonly string[];
  /** Compose files (relative to root): replaced last, once the secrets they lose are in `.env`. */
  composeFiles?: readonly string[];
  git: GitInfo;
  /** What the plan was made from: if any of it changed since, nothing is written. */
  reads?: ReadLedger;
}

/**
 * Refuses before anything is written when a target cannot be replaced. Mode bits are checked
 * directly because root passes access(2) checks for files its owner made read-only: a file or
 * folder made read-only is bad input (exit 2); an immutable one is the file system's no (exit 1).
 */
export async function assertWritable(requests: readonly WriteRequest[]): Promise<void> {
  await eachLimited(requests, STAGING_CONCURRENCY, async (request) => {
    const info = await stat(request.path).catch(() => undefined);
    // A rename onto a folder fails only after earlier targets were replaced: refuse up front.
    if (info && !info.isFile()) {
      throw new UsageError(`it is a ${info.isDirectory() ? 'folder' : 'special file'}, not a file; move it away and run obs again`, { file: request.display });
    }
    if (info && (info.mode & 0o222) === 0) {
      throw new UsageError('the file is read-only; make it writable (chmod u+w) and run obs again', { file: request.display });
    }
    // An immutable or append-only file (chattr +i / +a) refuses a rename onto it, even for root,
    // and so does opening it for writing: ask that (without truncating) instead of finding out mid-way.
    if (info) {
      const handle = await open(request.path, constants.O_WRONLY | constants.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EPERM') throw writeFailure(request.display, 'cannot replace it', err, 'nothing was written');
        return undefined; // EACCES and the like: a rename needs only the folder's permission
      });
      await handle?.close();
    }
  });
  const firstIn = new Map<string, WriteRequest>();
  for (const request of requests) if (!firstIn.has(dirname(request.path))) firstIn.set(dirname(request.path), request);
  await eachLimited([...firstIn], STAGING_CONCURRENCY, async ([folder, request]) => {
    const dir = await stat(folder).catch(() => undefined);
    if (dir && (dir.mode & 0o222) === 0) {
      throw new UsageError(`cannot write it: the folder ${folder} is read-only; make it writable (chmod u+w) and run obs again`, { file: request.display });
    }
  });
}

/** The order files are replaced in, so a crash at any point leaves no secret exposed or lost. */
function renameRank(display: string, composeFiles: readonly string[]): number {
  const name = basename(display);
  if (name === '.gitignore') return 0; // `.env` is ignored before it gets a secret
  if (name === '.env') return 1; // the secret is in `.env` ...
  if (composeFiles.includes(display)) return 3; // ... before its literal leaves the compose file
  return 2;
}

const isRoot = () => process.getuid?.() === 0;

/**
 * Writes every file all-or-nothing, and crash-safely:
 *  1. check that every target can be replaced, then take the journal (a lock: one apply per
 *     project at a time), listing every target with hashes of its old and new content;
 *  2. check nothing read for the plan changed since (and, to untrack, that git's index is free);
 *  3. stage each new content in `<dir>/.obs-apply/new/<name>` (0600, then the original's owner
 *     and mode, fsynced) and hard-link each original to `old/<name>`;
 *  4. mark the journal committed, rename in a safe order, fsync the folders, untrack `.env`;
 *  5. remove the staging folders and the journal.
 * A failure before 4 removes what was staged; a failure in 4 puts back the files already
 * replaced. A crash anywhere is finished or rolled back by the next run (recoverInterruptedApply).
 */
export async function applyFileChanges(request: ApplyRequest): Promise<void> {
  const { root, git } = request;
  const composeFiles = request.composeFiles ?? [];
  const writes = [...request.writes].sort((a, b) => renameRank(a.display, composeFiles) - renameRank(b.display, composeFiles));
  const untrack = [...(request.untrack ?? [])];

  const files: JournalEntry[] = [];
  for (const w of writes) {
    const before = w.before === null ? null : (request.reads?.recorded(w.path) ?? fingerprint(await readFile(w.path).catch(() => null)));
    files.push({ path: toJournalPath(root, w.path), before, after: w.content === null ? null : fingerprint(encodeText(w.content))! });
  }
  const createdDirs = await missingDirs(writes.filter((w) => w.content !== null).map((w) => dirname(w.path)));
  const journal = newJournal(
    request.command,
    files,
    createdDirs.map((d) => toJournalPath(root, d)),
    untrack,
  );

  await assertWritable(writes);
  await lock(root, journal);
  try {
    // Under the lock: no other obs run writes between this check and the renames.
    await assertUnchanged(root, writes, request.reads);
    if (untrack.length > 0) await assertIndexUnlocked(root, git);
  } catch (err) {
    await removeStagingDir(root);
    throw err;
  }

  // 3. Stage. Nothing the user sees has changed yet: any failure just removes what was staged.
  // Several files at a time: most of the time goes to waiting for fsync.
  const dirs = unique(writes.map((w) => dirname(w.path)));
  const firstIn = (dir: string) => writes.find((w) => w.path.startsWith(dir + sep))!;
  try {
    for (const dir of createdDirs) await blame(firstIn(dir), () => mkdirAs(dir));
    await eachLimited(dirs, STAGING_CONCURRENCY, (dir) => blame(firstIn(dir), () => ensureStagingDir(dir)));
    await eachLimited(writes, STAGING_CONCURRENCY, (w) => blame(w, () => stageFile(w)));
    await eachLimited(dirs, STAGING_CONCURRENCY, (dir) => syncDir(join(dir, STAGING_DIR, 'new')));
    journal.state = 'committed';
    await writeJournal(root, journal);
  } catch (err) {
    await discardStaged(root, journal);
    const cause = err instanceof StagingFailure ? err.cause : err;
    if (cause instanceof ObsError) throw cause;
    throw writeFailure(err instanceof StagingFailure ? err.display : root, 'cannot write it', cause, 'nothing was changed');
  }

  // 4. Replace. From here on a failure puts back what was already replaced.
  // The order matters between ranks only: within one (say the app files) renames run side by side.
  let current: WriteRequest | undefined;
  try {
    for (let rank = 0; rank <= 3; rank++) {
      const group = writes.filter((w) => renameRank(w.display, composeFiles) === rank);
      await eachLimited(group, STAGING_CONCURRENCY, async (w) => {
        try {
          if (w.content === null) await unlink(w.path);
          else await rename(newCopyOf(w.path), w.path);
        } catch (err) {
          current ??= w;
          throw err;
        }
      });
    }
    // Durable before the journal goes: else a power loss could undo some renames and not others.
    await eachLimited(dirs, STAGING_CONCURRENCY, syncDir);
    for (const path of untrack) {
      const failure = await git.untrack(path).then(
        () => undefined,
        (err: Error) => err,
      );
      if (failure) throw new ObsError(`${failure.message.replace(/\s+/g, ' ')}; obs put back every file it had replaced, nothing was changed`, { file: path });
    }
  } catch (err) {
    journal.state = 'rolling-back';
    // Best effort: if even this fails, the next run still finds the journal and repairs the project.
    await writeJournal(root, journal).catch(() => undefined);
    await rollBack(root, journal);
    if (err instanceof ObsError) throw err;
    throw writeFailure(current?.display ?? '?', 'cannot replace it', err, 'obs put back every file it had replaced, nothing was changed');
  }

  // 5. Done: the staged originals and the journal go.
  await cleanUpAfterSuccess(root, journal, dirs);
}

const STAGING_CONCURRENCY = 8;

/** A staging step that failed, and for which file. */
class StagingFailure extends Error {
  constructor(
    readonly display: string,
    override readonly cause: unknown,
  ) {
    super(display);
  }
}

async function blame(w: WriteRequest, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (err) {
    throw new StagingFailure(w.display, err);
  }
}

/**
 * `fn` over `items`, at most `limit` at once. After a failure nothing new starts, and the first
 * error is thrown once every call under way has settled (so clean-up never races a write).
 */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.err;
}

/**
 * After a successful apply each staging folder holds exactly: an empty `new/`, the hard links in
 * `old/`, the `.gitignore` (and, in the root, the journal, removed last). Removing exactly those
 * is much cheaper than a recursive rm per folder; anything unexpected falls back to it.
 */
async function cleanUpAfterSuccess(root: string, journal: Journal, dirs: readonly string[]): Promise<void> {
  const backups = new Map<string, string[]>();
  for (const entry of journal.files) {
    if (entry.before === null) continue;
    const target = fromJournalPath(root, entry.path);
    backups.set(dirname(target), [...(backups.get(dirname(target)) ?? []), oldCopyOf(target)]);
  }
  const clean = async (dir: string) => {
    const staging = join(dir, STAGING_DIR);
    try {
      for (const copy of backups.get(dir) ?? []) await unlink(copy);
      await rmdir(join(staging, 'new'));
      await rmdir(join(staging, 'old'));
    } catch {
      await removeStagingDir(dir, { keepJournal: dir === root });
    }
    if (dir === root) await unlink(journalPath(root));
    // Once the journal is gone another run may take the lock and stage here: from now on only
    // what is surely ours and empty goes, never anything recursively.
    await unlink(join(staging, '.gitignore')).catch(() => undefined);
    await rmdir(staging).catch(() => undefined);
  };
  await eachLimited(
    dirs.filter((d) => d !== root),
    STAGING_CONCURRENCY,
    clean,
  );
  await clean(root);
}

/** One line naming the file and the cause, exit 1 (the input was fine; the file system said no). */
function writeFailure(display: string, what: string, err: unknown, after?: string): ObsError {
  return new ObsError(`${what}: ${describeFsError(err)}${after ? `; ${after}` : ''}`, { file: display, cause: err });
}

/**
 * Refuses when a file the plan was made from changed since it was read (an edit made while
 * "Apply these changes?" waited), naming it. Exit 1, not 2: the input was valid and the same
 * command succeeds when run again; 2 tells scripts to fix the command or its input.
 */
async function assertUnchanged(root: string, writes: readonly WriteRequest[], reads: ReadLedger | undefined): Promise<void> {
  let changed = reads?.firstChanged(root);
  for (const w of writes) {
    if (changed) break;
    if (w.before === undefined || reads?.recorded(w.path) !== undefined) continue;
    const now = await readFile(w.path).then(
      (b) => decodeBytes(b).text,
      () => null,
    );
    if (now !== w.before) changed = { path: w.display, now: w.before === null ? 'created' : now === null ? 'deleted' : 'changed' };
  }
  if (changed) {
    throw new ObsError(`${changed.now} since obs read it (while obs was planning or asking); nothing was written`, {
      file: changed.path,
      hint: 'run obs again: it plans from the file as it is now',
    });
  }
}

async function lock(root: string, journal: Journal): Promise<void> {
  try {
    // A run that just finished may remove the staging folder between these two steps: retry.
    for (let attempt = 1; ; attempt++) {
      await ensureStagingDir(root);
      try {
        await writeJournal(root, journal, { exclusive: true });
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 3) throw err;
      }
    }
  } catch (err) {
    if (!(err instanceof JournalExists)) throw writeFailure(root, 'cannot write in this folder', err, 'nothing was changed');
    const other = await readJournal(root).catch(() => undefined);
    if (other && writerIsAlive(other)) throw busy(other);
    throw new ObsError('an earlier obs run was interrupted while writing this project; nothing was written', {
      file: toJournalPath(root, journalPath(root)),
      hint: 'run obs again: it first finishes or rolls back the interrupted run',
    });
  }
}

function busy(other: Journal): ObsError {
  return new ObsError(`another obs run (${other.command}, pid ${other.pid}) is writing this project right now; nothing was written`, {
    hint: 'run obs again when it has finished',
  });
}

/** `git rm --cached` fails on a locked index only after the files are written: ask first. */
async function assertIndexUnlocked(root: string, git: GitInfo): Promise<void> {
  if (!git.isRepo || !git.indexLockPath) return;
  const lockFile = await git.indexLockPath();
  if (lockFile && (await stat(lockFile).catch(() => undefined))) {
    throw new ObsError('another git process is running (or one crashed and left its lock); nothing was written', {
      file: relative(root, lockFile) || lockFile,
      hint: 'when no git command is running, remove that file and run obs again',
    });
  }
}

/**
 * The new content in `new/<name>`: created 0600, so a secret is never readable by others while
 * it is written; then, running as root, the original's owner (or the folder's, for a new file),
 * then the original's mode (chown clears set-id bits, so it comes first); then fsync.
 * The original gets a hard link in `old/<name>` to roll back to (a copy where links fail).
 */
async function stageFile(w: WriteRequest): Promise<void> {
  const temp = newCopyOf(w.path);
  const original = await stat(w.path).catch(() => undefined);
  if (w.content === null) {
    // A deletion stages nothing new: the original's backup is what a rollback puts back.
    if (original) await backUp(w.path, original);
    return;
  }
  const owner = original ?? (isRoot() ? await stat(dirname(w.path)) : undefined);
  const handle = await createFresh(temp);
  try {
    // Bytes that were not UTF-8 when read (see raw-text.ts) are written back as they were.
    await handle.writeFile(encodeText(w.content));
    if (owner) await keepOwner(() => handle.chown(owner.uid, owner.gid), owner);
    await handle.chmod(original ? original.mode & 0o7777 : (w.newFileMode ?? 0o644));
    await handle.sync();
  } finally {
    await handle.close();
  }
  if (original) await backUp(w.path, original);
}

/** chown when the owner differs; only root must succeed (others may not give files away). */
async function keepOwner(chown: () => Promise<void>, owner: Stats): Promise<void> {
  if (owner.uid === process.getuid?.() && owner.gid === process.getgid?.()) return;
  try {
    await chown();
  } catch (err) {
    if (isRoot()) throw err;
  }
}

/** O_EXCL, so nothing else's file is ever written through; a stale one from a crash is replaced. */
async function createFresh(path: string) {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
  return open(path, flags, 0o600).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EEXIST') throw err;
    await rm(path, { force: true });
    return open(path, flags, 0o600);
  });
}

async function backUp(target: string, original: Stats): Promise<void> {
  const copy = oldCopyOf(target);
  try {
    await link(target, copy).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
      await rm(copy, { force: true });
      await link(target, copy);
    });
  } catch {
    await rm(copy, { force: true });
    await copyFile(target, copy, constants.COPYFILE_EXCL);
    await keepOwner(() => chown(copy, original.uid, original.gid), original);
    await chmod(copy, original.mode & 0o7777);
  }
}

function ignoreExists(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EEXIST') throw err;
}

/** Folders that do not exist yet among `dirs` and their parents, parents first. */
async function missingDirs(dirs: readonly string[]): Promise<string[]> {
  const exists = new Map<string, boolean>();
  await eachLimited(unique(dirs), STAGING_CONCURRENCY, async (dir) => {
    exists.set(
      dir,
      await stat(dir).then(
        () => true,
        () => false,
      ),
    );
  });
  const missing = new Set<string>();
  for (const start of unique(dirs)) {
    for (let dir = start; !missing.has(dir); dir = dirname(dir)) {
      const known =
        exists.get(dir) ??
        (await stat(dir).then(
          () => true,
          () => false,
        ));
      if (known) break;
      missing.add(dir);
      if (dirname(dir) === dir) break;
    }
  }
  return [...missing].sort((a, b) => a.length - b.length);
}

/** A new folder, owned (running as root) like its parent. */
async function mkdirAs(dir: string): Promise<void> {
  await mkdir(dir).catch(ignoreExists);
  if (isRoot()) {
    const parent = await stat(dirname(dir));
    await chown(dir, parent.uid, parent.gid);
  }
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

function toJournalPath(root: string, path: string): string {
  return relative(root, path).split(sep).join('/');
}

function fromJournalPath(root: string, path: string): string {
  return join(root, ...path.split('/'));
}

async function bytesOf(path: string): Promise<Fingerprint> {
  return fingerprint(await readFile(path).catch(() => null));
}

/** Nothing was replaced yet: remove the staged files, the folders obs made, the journal. */
async function discardStaged(root: string, journal: Journal): Promise<void> {
  for (const entry of journal.files) {
    const target = fromJournalPath(root, entry.path);
    await rm(newCopyOf(target), { force: true });
    await rm(oldCopyOf(target), { force: true });
  }
  await cleanUp(root, journal);
  for (const dir of [...journal.createdDirs].reverse()) await rmdir(fromJournalPath(root, dir)).catch(() => undefined);
}

/** Removes every staging folder, the root's (with the journal) last. */
async function cleanUp(root: string, journal: Journal): Promise<void> {
  const dirs = unique(journal.files.map((e) => dirname(fromJournalPath(root, e.path)))).filter((d) => d !== root);
  for (const dir of dirs) await removeStagingDir(dir);
  await removeStagingDir(root);
}

/** A target changed by someone else since the interrupted run: obs cannot tell what to keep. */
function conflict(root: string, entry: JournalEntry): ObsError {
  const target = fromJournalPath(root, entry.path);
  return new ObsError('changed since an interrupted obs run began writing it, so obs can neither finish nor roll back that run', {
    file: entry.path,
    hint: `obs staged its new content in ${relative(root, newCopyOf(target))} and kept the old in ${relative(root, oldCopyOf(target))}; put the one you want in place, then remove the ${STAGING_DIR} folders`,
  });
}

/** Puts every target back to its old content (or removes it, when obs created it). */
async function rollBack(root: string, journal: Journal): Promise<string[]> {
  const restored: string[] = [];
  for (const entry of [...journal.files].reverse()) {
    const target = fromJournalPath(root, entry.path);
    const now = await bytesOf(target);
    if (now === entry.before) {
      // Never replaced (or already put back): the backup is a second name for the same file.
      await rm(oldCopyOf(target), { force: true });
    } else if (entry.before === null && now === entry.after) {
      await unlink(target);
      restored.push(entry.path);
    } else if (now === entry.after && (await bytesOf(oldCopyOf(target))) === entry.before) {
      await rename(oldCopyOf(target), target);
      restored.push(entry.path);
    } else {
      throw conflict(root, entry);
    }
    await rm(newCopyOf(target), { force: true });
  }
  for (const dir of unique(journal.files.map((e) => dirname(fromJournalPath(root, e.path))))) await syncDir(dir);
  await cleanUp(root, journal);
  for (const dir of [...journal.createdDirs].reverse()) await rmdir(fromJournalPath(root, dir)).catch(() => undefined);
  return restored;
}

/** Finishes a committed apply: every target not yet replaced gets its staged content. */
async function rollForward(root: string, journal: Journal, git: () => Promise<GitInfo>): Promise<string[]> {
  const written: string[] = [];
  for (const entry of journal.files) {
    const target = fromJournalPath(root, entry.path);
    if ((await bytesOf(target)) === entry.after) continue;
    if (entry.after === null) await unlink(target);
    else await rename(newCopyOf(target), target);
    written.push(entry.path);
  }
  for (const dir of unique(journal.files.map((e) => dirname(fromJournalPath(root, e.path))))) await syncDir(dir);
  if (journal.untrack.length > 0) {
    const info = await git();
    for (const path of journal.untrack) if (await info.isTracked(path)) await info.untrack(path);
  }
  await cleanUp(root, journal);
  return written;
}

/** Whether every target is already new, or still old with its complete new content staged. */
async function canRollForward(root: string, journal: Journal): Promise<boolean> {
  if (journal.state !== 'committed') return false;
  for (const entry of journal.files) {
    const target = fromJournalPath(root, entry.path);
    const now = await bytesOf(target);
    if (now === entry.after) continue;
    if (now !== entry.before || (await bytesOf(newCopyOf(target))) !== entry.after) return false;
  }
  return true;
}

/**
 * An apply interrupted by a crash (kill -9, power loss) left its journal: finish it when every
 * new content was staged (the journal says committed), else roll it back. Returns the line
 * saying which, or undefined when there was nothing to do. Refuses while the run that wrote the
 * journal is still alive, and when a target changed since (naming it), touching nothing.
 */
export async function recoverInterruptedApply(root: string, git: () => Promise<GitInfo>): Promise<string | undefined> {
  const journal = await readJournal(root);
  if (!journal) {
    // The journal goes before the root's staging folder: what is left of it holds nothing.
    if (
      await stat(join(root, STAGING_DIR)).then(
        () => true,
        () => false,
      )
    )
      await sweepStagingDir(root);
    return undefined;
  }
  if (writerIsAlive(journal)) throw busy(journal);
  const what = `an earlier \`${journal.command}\` (pid ${journal.pid}, started ${journal.started}) was interrupted while writing`;
  if (journal.state === 'prepared') {
    // Not one target was replaced yet (renames start only once the journal says committed).
    await discardStaged(root, journal);
    return `${what}; obs rolled it back: no file had been changed yet, and removed its staged files.`;
  }
  for (const entry of journal.files) {
    const now = await bytesOf(fromJournalPath(root, entry.path));
    if (now !== entry.before && now !== entry.after) throw conflict(root, entry);
  }
  try {
    if (await canRollForward(root, journal)) {
      const written = await rollForward(root, journal, git);
      const untracked = journal.untrack.length > 0 ? `, and stopped tracking ${journal.untrack.join(', ')} in git` : '';
      return `${what}; obs finished it: ${written.length > 0 ? `wrote ${written.join(', ')}` : 'every file was already written'}${untracked}.`;
    }
    const restored = await rollBack(root, journal);
    return `${what}; obs rolled it back: ${restored.length > 0 ? `restored ${restored.join(', ')}` : 'no file had been changed yet'}, and removed its staged files.`;
  } catch (err) {
    if (err instanceof ObsError) throw err;
    throw new ObsError(`cannot finish or roll back an interrupted obs run: ${describeFsError(err)}`, { file: toJournalPath(root, journalPath(root)), cause: err });
  }
}

/** Whether `root` holds an unfinished apply (for --dry-run and doctor, which only report it). */
export async function pendingApply(root: string): Promise<Journal | undefined> {
  return readJournal(root).catch(() => undefined);
}
