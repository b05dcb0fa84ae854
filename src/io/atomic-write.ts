import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors.js';

export interface WriteRequest {
  /** Absolute path. */
  path: string;
  /** Shown in messages. */
  display: string;
  content: string;
  /** Mode for a new file (an existing file keeps its own). */
  newFileMode?: number;
}

/**
 * Refuses before anything is written when a target cannot be replaced. Mode bits are checked
 * directly because root passes access(2) checks for files its owner made read-only.
 */
export async function assertWritable(requests: readonly WriteRequest[]): Promise<void> {
  for (const request of requests) {
    const info = await stat(request.path).catch(() => undefined);
    // A rename onto a folder fails only after earlier targets were replaced: refuse up front.
    if (info && !info.isFile()) {
      throw new UsageError(`it is a ${info.isDirectory() ? 'folder' : 'special file'}, not a file; move it away and run obs again`, { file: request.display });
    }
    if (info && (info.mode & 0o222) === 0) {
      throw new UsageError('the file is read-only; make it writable (chmod u+w) and run obs again', { file: request.display });
    }
    const dir = await stat(dirname(request.path)).catch(() => undefined);
    if (dir && (dir.mode & 0o222) === 0) {
      throw new UsageError(`cannot write it: the folder ${dirname(request.path)} is read-only; make it writable (chmod u+w) and run obs again`, { file: request.display });
    }
  }
}

/**
 * Writes every file atomically and all-or-nothing: each new content goes to a temp file in the
 * target's folder (fsynced, original mode kept), and only when every temp file exists does the
 * first rename happen. A failure before that leaves every original untouched.
 */
export async function writeFilesAtomically(requests: readonly WriteRequest[]): Promise<void> {
  const staged: { temp: string; target: string }[] = [];
  try {
    for (const request of requests) {
      const mode = await stat(request.path).then((s) => s.mode & 0o7777, () => request.newFileMode ?? 0o644);
      await mkdir(dirname(request.path), { recursive: true });
      const temp = join(dirname(request.path), `.${basename(request.path)}.obs-${randomBytes(4).toString('hex')}.tmp`);
      const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
      staged.push({ temp, target: request.path });
      try {
        await handle.writeFile(request.content, 'utf8');
        await handle.chmod(mode);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  } catch (err) {
    await Promise.all(staged.map((s) => rm(s.temp, { force: true })));
    throw err;
  }
  for (const { temp, target } of staged) await rename(temp, target);
}
