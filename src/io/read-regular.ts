import { closeSync, constants, fstatSync, openSync, readFileSync, statSync, type Stats } from 'node:fs';
import { UsageError } from '../errors.js';

/**
 * Reading a FIFO, socket or device blocks until a writer comes (forever, in practice), and a
 * few kernel files (/proc/kmsg) block although they look regular. obs reads regular files only:
 * it checks what the path is first, then opens without blocking and checks the open file again,
 * so a file swapped for a FIFO in between is caught too.
 */
export class NotRegularFile extends UsageError {
  constructor(
    readonly path: string,
    readonly kind: string,
    display = path,
  ) {
    super(`${kind}, not a regular file: obs reads regular files only`, { file: display });
  }
}

/** What a non-regular file is, for messages. */
export function fileKind(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/**
 * The bytes of `path`, or undefined when nothing is there (ENOENT, ENOTDIR). Throws
 * NotRegularFile (exit 2, naming `display`) for a FIFO, socket, device or directory; other
 * errors (EACCES, EIO) as they come.
 */
export function readRegularFileSync(path: string, display = path): Buffer | undefined {
  let info: Stats;
  try {
    info = statSync(path);
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
  if (!info.isFile()) throw new NotRegularFile(path, fileKind(info), display);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile()) throw new NotRegularFile(path, fileKind(opened), display);
    return readFileSync(fd);
  } catch (err) {
    // /proc/kmsg and the like: regular to stat, but nothing to read without waiting.
    if ((err as NodeJS.ErrnoException).code === 'EAGAIN') throw new NotRegularFile(path, 'a kernel file that blocks on read', display);
    throw err;
  } finally {
    closeSync(fd);
  }
}

/** readRegularFileSync as UTF-8 text (invalid bytes become U+FFFD, as readFile(…, 'utf8') does). */
export function readRegularTextSync(path: string, display = path): string | undefined {
  return readRegularFileSync(path, display)?.toString('utf8');
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
