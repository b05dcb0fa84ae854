import { readdirSync } from 'node:fs';
import { NotRegularFile, readRegularFileSync } from './read-regular.js';
import { join } from 'node:path';
import type { ReadLedger } from './read-ledger.js';

/**
 * Reads small files from project folders, each folder listed once and each file read once
 * however many steps ask for it (stack detection, then the instrumentation planners), and
 * only when asked: a name the listing lacks is never tried.
 *
 * Synchronous on purpose: for thousands of tiny reads it measured 2-3x faster than the same
 * reads through promises or callbacks with bounded concurrency, which add a round trip per file.
 */
export class FolderReader {
  private readonly listings = new Map<string, ReadonlySet<string>>();
  private readonly files = new Map<string, string | undefined>();
  private readonly notUtf8 = new Set<string>();

  /** `ledger`, when given, hears every file read (and every name looked for and not found). */
  constructor(private readonly ledger?: ReadLedger) {}

  /** Names in `folder` (absolute); empty when it is missing or unreadable. */
  list(folder: string): ReadonlySet<string> {
    let names = this.listings.get(folder);
    if (!names) {
      try {
        names = new Set(readdirSync(folder));
      } catch {
        names = new Set();
      }
      this.listings.set(folder, names);
    }
    return names;
  }

  /** The text of `folder/name`, or undefined when it is not there or cannot be read. */
  read(folder: string, name: string): string | undefined {
    // Down the path one listed folder at a time: a `src/` its parent does not hold is never
    // listed itself (compared ignoring case, as a case-insensitive file system would open it).
    let dir = folder;
    const parts = name.split('/');
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i]!;
      if (part !== '.' && part !== '..' && part !== '' && !holdsIgnoringCase(this.list(dir), part)) return this.missing(join(folder, name));
      dir = join(dir, part);
    }
    if (!this.list(dir).has(parts[parts.length - 1]!)) return this.missing(join(folder, name));
    const path = join(folder, name);
    if (this.files.has(path)) return this.files.get(path);
    let text: string | undefined;
    try {
      // A FIFO or device named like a project file throws NotRegularFile (exit 2): never waited on.
      const bytes = readRegularFileSync(path);
      this.ledger?.record(path, bytes ?? null);
      if (bytes === undefined) throw new Error('gone');
      try {
        text = UTF8.decode(bytes);
      } catch {
        // Still read (stack detection only looks), but editors must not write it back: see isUtf8.
        this.notUtf8.add(path);
        text = bytes.toString('utf8');
      }
    } catch (err) {
      if (err instanceof NotRegularFile) throw err;
      text = undefined; // unreadable: callers work with what they have
    }
    this.files.set(path, text);
    return text;
  }

  private missing(path: string): undefined {
    this.ledger?.record(path, null);
    return undefined;
  }

  /** False for a file read() found not to be UTF-8 (its text then holds replacement characters). */
  isUtf8(folder: string, name: string): boolean {
    return !this.notUtf8.has(join(folder, name));
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function holdsIgnoringCase(names: ReadonlySet<string>, name: string): boolean {
  if (names.has(name)) return true;
  const lower = name.toLowerCase();
  for (const n of names) if (n.toLowerCase() === lower) return true;
  return false;
}
