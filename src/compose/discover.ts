/** Compose's own file discovery (compose-go cli/options.go), restricted to one folder. */
import { relative, resolve, sep } from 'node:path';

/** compose-go DefaultFileNames: note `.yml` before `.yaml` for the legacy name. */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'] as const;
export const OVERRIDE_FILE_NAMES = ['compose.override.yml', 'compose.override.yaml', 'docker-compose.override.yml', 'docker-compose.override.yaml'] as const;

export interface Discovery {
  files: string[];
  /** Other candidate names present but not used (compose warns about them too). */
  ignored: string[];
}

/**
 * Names in a folder without a compose file of compose's own names that look like one (another
 * case, `docker-compose.dev.yml`, `compose.prod.yaml`): compose reads none of them unless told
 * with -f, and a newcomer may not know; sorted, the plain names' look-alikes first.
 */
export function composeLookalikes(present: ReadonlySet<string>): string[] {
  const plain = (name: string) => (COMPOSE_FILE_NAMES as readonly string[]).includes(name.toLowerCase());
  return [...present]
    .filter((name) => /^(docker-)?compose([.-][\w.-]+)?\.ya?ml$/i.test(name) && !/\.override\.ya?ml$/i.test(name))
    .sort((a, b) => Number(plain(b)) - Number(plain(a)) || a.localeCompare(b));
}

/** Picks the main file and its override from the names present in a folder. */
export function discoverComposeFiles(present: ReadonlySet<string>): Discovery | undefined {
  const mains = COMPOSE_FILE_NAMES.filter((n) => present.has(n));
  if (mains.length === 0) return undefined;
  const overrides = OVERRIDE_FILE_NAMES.filter((n) => present.has(n));
  return {
    files: overrides.length > 0 ? [mains[0]!, overrides[0]!] : [mains[0]!],
    ignored: [...mains.slice(1), ...overrides.slice(1)],
  };
}

/**
 * `docker compose` as the user types it for these files (relative to where it runs): compose
 * finds a main file of its own names, with an override file, by itself; any other set
 * (`docker-compose.prod.yml`, a main file plus `docker-compose.dev.yml`) needs each file, in order.
 */
export function composeCommand(files: readonly string[]): string {
  const [main, override, ...rest] = files;
  const found =
    main === undefined || ((COMPOSE_FILE_NAMES as readonly string[]).includes(main) && rest.length === 0 && (override === undefined || (OVERRIDE_FILE_NAMES as readonly string[]).includes(override)));
  return found ? 'docker compose' : ['docker compose', ...files.map((f) => `-f ${shellWord(f)}`)].join(' ');
}

/** A path as one POSIX shell word: as it is when plain, else in single quotes. */
function shellWord(path: string): string {
  return /^[\w./@%+=:,-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}

export interface ExplicitFiles {
  /** Each file once, relative to root (posix), in the order first given. */
  files: string[];
  /** One note per file given more than once. */
  notes: string[];
}

/**
 * `-f` values made relative to `root` and deduplicated by where they resolve to: `-f a.yml -f ./a.yml`
 * is one file, read and edited once (compose itself would merge the file with itself).
 */
export function explicitComposeFiles(root: string, given: readonly string[]): ExplicitFiles {
  const counts = new Map<string, number>();
  for (const f of given) {
    const rel = relative(root, resolve(root, f)).split(sep).join('/') || '.';
    counts.set(rel, (counts.get(rel) ?? 0) + 1);
  }
  const notes = [...counts].filter(([, n]) => n > 1).map(([file, n]) => `-f ${file} given ${n} times; reading it once`);
  return { files: [...counts.keys()], notes };
}
