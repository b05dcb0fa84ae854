import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCacheDir } from '../../src/startup/compile-cache.js';
import { REPO_ROOT, runObs, scratchDir } from '../support/run-obs.js';

const EXAMPLE = join(REPO_ROOT, 'examples', 'cruddur');

/** `obs doctor` on the example with its compile cache in `cacheDir`, reporting what the cache did. */
function doctor(cacheDir: string, extraEnv: Record<string, string> = {}) {
  return runObs(['doctor', '--dir', EXAMPLE], { env: { CI: 'true', OBS_CACHE_DIR: cacheDir, OBS_COMPILE_CACHE_DEBUG: '1', ...extraEnv } });
}

const reports = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('obs: compile cache: '));
const withoutReports = (stderr: string) =>
  stderr
    .split('\n')
    .filter((l) => !l.startsWith('obs: compile cache: '))
    .join('\n');

describe('compile cache', () => {
  it('is written by the first run, used by the next, and changes nothing in the output', async () => {
    const cacheDir = await scratchDir('obs-cache-');
    const first = await doctor(cacheDir);
    expect(reports(first.stderr)[0]).toMatch(/^obs: compile cache: main\.cjs: no cache yet/);
    expect(reports(first.stderr).some((l) => l.includes('wrote '))).toBe(true);
    const files = await readdir(join(cacheDir, 'compile-cache'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^main-[0-9a-f]{8}\.doctor\.\d+-\d+\.[0-9a-f]{8}-.+\.bin$/);
    const written = await stat(join(cacheDir, 'compile-cache', files[0]!));
    expect(written.mode & 0o077).toBe(0); // private: whoever can write it chooses the code obs runs

    const second = await doctor(cacheDir);
    expect(reports(second.stderr)).toEqual([expect.stringMatching(/^obs: compile cache: main\.cjs: cache used/)]);
    expect(second.exitCode).toBe(first.exitCode);
    expect(withoutReports(second.stderr)).toBe(withoutReports(first.stderr));
    expect(second.stdout).toBe(first.stdout);
    expect((await stat(join(cacheDir, 'compile-cache', files[0]!))).mtimeMs).toBe(written.mtimeMs);
  });

  it('keeps one file per command: init does not reuse what doctor compiled', async () => {
    const cacheDir = await scratchDir('obs-cache-');
    await doctor(cacheDir);
    const init = await runObs(['init', '--dir', EXAMPLE, '--yes', '--dry-run'], { env: { CI: 'true', OBS_CACHE_DIR: cacheDir, OBS_COMPILE_CACHE_DEBUG: '1' } });
    expect(init.exitCode).toBe(0);
    expect(reports(init.stderr)[0]).toMatch(/main\.cjs: no cache yet/);
    expect((await readdir(join(cacheDir, 'compile-cache'))).map((f) => f.split('.')[1]).sort()).toEqual(['doctor', 'init']);
  });

  it('survives a damaged cache file: V8 rejects it, obs runs the same and writes a good one', async () => {
    const cacheDir = await scratchDir('obs-cache-');
    const clean = await doctor(cacheDir);
    const [file] = await readdir(join(cacheDir, 'compile-cache'));
    const path = join(cacheDir, 'compile-cache', file!);
    await writeFile(path, Buffer.alloc((await stat(path)).size, 7));

    const damaged = await doctor(cacheDir);
    expect(reports(damaged.stderr)[0]).toMatch(/main\.cjs: cache rejected/);
    expect(damaged.exitCode).toBe(clean.exitCode);
    expect(withoutReports(damaged.stderr)).toBe(withoutReports(clean.stderr));
    expect((await readFile(path)).every((b) => b === 7)).toBe(false);
    expect(reports((await doctor(cacheDir)).stderr)[0]).toMatch(/main\.cjs: cache used/);
  });

  it('runs without caching when the folder cannot be written or OBS_COMPILE_CACHE=0', async () => {
    const blocker = join(await scratchDir('obs-cache-'), 'a-file');
    await writeFile(blocker, 'not a folder\n');
    const blocked = await doctor(blocker);
    expect(blocked.exitCode).toBe(0);
    expect(reports(blocked.stderr).some((l) => l.includes('could not write'))).toBe(true);
    expect(blocked.stdout).toContain('0 failed');

    const cacheDir = await scratchDir('obs-cache-');
    const off = await doctor(cacheDir, { OBS_COMPILE_CACHE: '0' });
    expect(off.exitCode).toBe(0);
    expect(reports(off.stderr)).toEqual(['obs: compile cache: main.cjs: no cache folder']);
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('lives in the user cache folder, never a shared temp folder', () => {
    expect(compileCacheDir({ OBS_CACHE_DIR: '/x' }, 'linux')).toBe(join('/x', 'compile-cache'));
    expect(compileCacheDir({ XDG_CACHE_HOME: '/xdg', HOME: '/home/u' }, 'linux')).toBe(join('/xdg', 'obs', 'compile-cache'));
    expect(compileCacheDir({ HOME: '/home/u' }, 'linux')).toBe(join('/home/u', '.cache', 'obs', 'compile-cache'));
    expect(compileCacheDir({ HOME: '/Users/u' }, 'darwin')).toBe(join('/Users/u', 'Library', 'Caches', 'obs', 'compile-cache'));
    expect(compileCacheDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32')).toBe(join('C:\\Users\\u\\AppData\\Local', 'obs', 'compile-cache'));
    expect(compileCacheDir({ OBS_COMPILE_CACHE: '0', OBS_CACHE_DIR: '/x' }, 'linux')).toBeUndefined();
  });
});
