/** What a failed file-system call means to a user, in a few words, with the code for searching. */
const CAUSES: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EPERM: 'operation not permitted (an immutable or append-only file or folder? see lsattr)',
  EACCES: 'permission denied',
  EROFS: 'read-only file system',
  EBUSY: 'the file is busy (a mount point?)',
  EXDEV: 'the file is on another file system (a mount point?)',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
};

export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code && CAUSES[code]) return `${CAUSES[code]} (${code})`;
  if (code) return code;
  return (err as Error | undefined)?.message ?? String(err);
}
