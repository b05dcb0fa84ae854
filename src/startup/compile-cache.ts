import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, wrap } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/**
 * Loads obs's CommonJS bundles with V8's code cache, so a run after the first one skips
 * compiling them. Node 20 only: it has vm.Script's cachedData but not module.enableCompileCache(),
 * which start.ts uses where Node has it (this cache saves 36 ms per run on Node 20, bench/RESULTS.md,
 * issue 10). Without a usable cache directory obs still runs, just compiles.
 *
 * One cache file per bundle and per command: V8 stores the functions that ran, and `doctor`
 * runs different functions than `init`. A file is written once, when the process exits after
 * a run that had none (or whose cache V8 rejected, e.g. after a Node upgrade).
 */
export interface CompileCache {
  /** `require` for a bundle under dist/: cached compile, then evaluated like CommonJS. */
  load(file: string): unknown;
}

interface Loaded {
  exports: unknown;
  script: Script;
  cacheFile: string | undefined;
  needsWrite: boolean;
}

/** `report`, when given, hears what happened to each bundle's cache (OBS_COMPILE_CACHE_DEBUG=1). */
export function createCompileCache(dir: string | undefined, variant: string, report?: (line: string) => void): CompileCache {
  const loaded = new Map<string, Loaded>();
  let exitHooked = false;

  const load = (file: string): unknown => {
    const known = loaded.get(file);
    if (known) return known.exports;
    // latin1: the build writes pure ASCII (scripts/build.mjs checks), which latin1 decodes to the
    // same text as UTF-8, about twice as fast for obs's bundles.
    const source = readFileSync(file, 'latin1');
    const cacheFile = dir ? join(dir, cacheFileName(file, variant)) : undefined;
    const cachedData = cacheFile ? readIfPresent(cacheFile) : undefined;
    const script = new Script(wrap(source), { filename: file, cachedData });
    const entry: Loaded = { exports: {}, script, cacheFile, needsWrite: cacheFile !== undefined && (!cachedData || script.cachedDataRejected === true) };
    const module = { exports: {} as unknown, filename: file, id: file, loaded: false };
    loaded.set(file, entry);
    report?.(`${basename(file)}: ${!cacheFile ? 'no cache folder' : !cachedData ? 'no cache yet' : script.cachedDataRejected ? 'cache rejected' : 'cache used'}${cacheFile ? ` (${cacheFile})` : ''}`);
    const fileDir = dirname(file);
    const plainRequire = createRequire(file);
    // Bundles require each other by relative path (dist/vendor/*.cjs): those go through the cache too.
    const bundleRequire = Object.assign((id: string): unknown => (id.startsWith('./') && id.endsWith('.cjs') ? load(join(fileDir, id)) : plainRequire(id)), {
      resolve: plainRequire.resolve,
      cache: plainRequire.cache,
    });
    const compiled = script.runInThisContext() as (exports: unknown, require: unknown, module: unknown, filename: string, dirname: string) => void;
    compiled.call(module.exports, module.exports, bundleRequire, module, file, fileDir);
    entry.exports = module.exports;
    module.loaded = true;
    if (entry.needsWrite && !exitHooked) {
      exitHooked = true;
      process.once('exit', () => writeCaches(loaded, report));
    }
    return entry.exports;
  };
  return { load };
}

/**
 * `<bundle>-<folder hash>.<variant>.<size>-<mtime>.<flags hash>-<arch>-v8-<version>.bin`: a rebuilt
 * bundle or another Node gets a new file; two installs of obs (global and npx) keep theirs apart.
 */
export function cacheFileName(file: string, variant: string): string {
  const info = statSync(file);
  // V8 rejects a cache made under other V8 flags: runs with other flags get their own file.
  const flags = fnv1a(`${process.execArgv.join(' ')}|${process.env.NODE_OPTIONS ?? ''}`);
  return `${basename(file, '.cjs')}-${fnv1a(dirname(file))}.${variant}.${info.size}-${Math.floor(info.mtimeMs)}.${flags}-${process.arch}-v8-${process.versions.v8}.bin`;
}

/** 32-bit FNV-1a, hex: a short stable name for a folder (node:crypto would cost start-up time). */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16).padStart(8, '0');
}

function readIfPresent(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** At exit: write what V8 compiled during the run. Never fails the run. */
function writeCaches(loaded: Map<string, Loaded>, report?: (line: string) => void): void {
  for (const entry of loaded.values()) {
    if (!entry.needsWrite || !entry.cacheFile) continue;
    try {
      const dir = dirname(entry.cacheFile);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      removeStale(dir, entry.cacheFile);
      // Another obs may write the same file at the same time: write aside, then rename.
      const temp = `${entry.cacheFile}.${process.pid}.tmp`;
      writeFileSync(temp, entry.script.createCachedData(), { mode: 0o600 });
      renameSync(temp, entry.cacheFile);
      report?.(`wrote ${entry.cacheFile}`);
    } catch (err) {
      // a read-only or full disk only costs speed
      report?.(`could not write ${entry.cacheFile}: ${(err as Error).message}`);
    }
  }
}

/** Caches of earlier builds of the same bundle, install and variant (other Node versions and flags stay). */
function removeStale(dir: string, current: string): void {
  const [bundle, variant, build] = basename(current).split('.');
  for (const other of readdirSync(dir)) {
    const [otherBundle, otherVariant, otherBuild] = other.split('.');
    if (otherBundle === bundle && otherVariant === variant && otherBuild !== build && other.endsWith('.bin')) rmSync(join(dir, other), { force: true });
  }
}

/**
 * Where caches live: OBS_CACHE_DIR, else the user's cache folder (XDG_CACHE_HOME, ~/.cache,
 * ~/Library/Caches, %LOCALAPPDATA%). A private folder, not a shared /tmp one, because whoever
 * can write the cache can choose the code obs runs. OBS_COMPILE_CACHE=0 turns caching off.
 */
export function compileCacheDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string | undefined {
  if (env.OBS_COMPILE_CACHE === '0') return undefined;
  if (env.OBS_CACHE_DIR) return join(env.OBS_CACHE_DIR, 'compile-cache');
  let base: string | undefined;
  if (platform === 'win32') base = env.LOCALAPPDATA;
  else if (platform === 'darwin') base = env.HOME ? join(env.HOME, 'Library', 'Caches') : undefined;
  else base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, '.cache') : undefined);
  base ??= safeHomedir();
  return base ? join(base, 'obs', 'compile-cache') : undefined;
}

function safeHomedir(): string | undefined {
  try {
    const home = homedir();
    return home ? join(home, '.cache') : undefined;
  } catch {
    return undefined;
  }
}
