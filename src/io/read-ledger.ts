import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { readRegularFileSync } from './read-regular.js';
import { basename, dirname, relative } from 'node:path';

/** sha256 of the bytes, or null for "not there" (a file obs looked for and did not find). */
export type Fingerprint = string | null;

export function fingerprint(bytes: Uint8Array | null): Fingerprint {
  return bytes === null ? null : createHash('sha256').update(bytes).digest('hex');
}

/** The bytes of a regular file as they are now, or null when it is missing (or not a file: a FIFO swapped in is never waited on). */
function currentBytes(path: string): Uint8Array | null {
  try {
    return readRegularFileSync(path) ?? null;
  } catch {
    return null;
  }
}

/**
 * What a run read, file by file, as content hashes: right before writing, obs checks that
 * nothing it planned from changed meanwhile (an edit made while "Apply these changes?" waits
 * would otherwise be overwritten with a plan made from the old text).
 */
export class ReadLedger {
  private readonly seen = new Map<string, Fingerprint>();

  /** `path` absolute; `bytes` null when the file was looked for and is not there. The first read counts. */
  record(path: string, bytes: Uint8Array | null): void {
    if (!this.seen.has(path)) this.seen.set(path, fingerprint(bytes));
  }

  /** What was recorded for `path` (undefined when obs never looked at it). */
  recorded(path: string): Fingerprint | undefined {
    return this.seen.get(path);
  }

  /** The first file (relative to `root`) whose content differs from what was read, if any. */
  firstChanged(root: string): { path: string; now: 'changed' | 'created' | 'deleted' } | undefined {
    // Names looked for and not found are many (stack detection tries a dozen per folder): one
    // listing per folder answers for all of them, where a failed open per name costs more.
    const listings = new Map<string, ReadonlySet<string>>();
    const listed = (dir: string) => {
      let names = listings.get(dir);
      if (!names) {
        try {
          names = new Set(readdirSync(dir));
        } catch {
          names = new Set();
        }
        listings.set(dir, names);
      }
      return names;
    };
    for (const [path, then] of this.seen) {
      if (then === null && !listed(dirname(path)).has(basename(path))) continue;
      const now = fingerprint(currentBytes(path));
      if (now === then) continue;
      return { path: relative(root, path) || path, now: then === null ? 'created' : now === null ? 'deleted' : 'changed' };
    }
    return undefined;
  }
}
