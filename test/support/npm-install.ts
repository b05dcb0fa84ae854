import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/**
 * `npm install` in `project`. node_modules is kept in the system temp folder under a hash of the
 * exact package.json (and Node version) and linked back on later runs: the same manifest is not
 * installed twice. OBS_E2E_FRESH_INSTALL=1 always installs.
 */
export async function npmInstall(project: string): Promise<{ seconds: number; cached: boolean }> {
  const manifest = await readFile(join(project, 'package.json'));
  const key = createHash('sha256').update(manifest).update(process.version).digest('hex').slice(0, 16);
  const cache = join(tmpdir(), 'obs-e2e-npm', key);
  const modules = join(project, 'node_modules');
  if (!process.env.OBS_E2E_FRESH_INSTALL && existsSync(join(cache, 'complete'))) {
    await symlink(join(cache, 'node_modules'), modules, 'dir');
    return { seconds: 0, cached: true };
  }
  const started = Date.now();
  await execa('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, timeout: 280_000 });
  const seconds = (Date.now() - started) / 1000;
  try {
    await rm(cache, { recursive: true, force: true });
    await mkdir(cache, { recursive: true });
    await rename(modules, join(cache, 'node_modules'));
    await writeFile(join(cache, 'complete'), `${new Date().toISOString()}\n`);
    await symlink(join(cache, 'node_modules'), modules, 'dir');
  } catch {
    // Another run is filling the same cache: this project keeps (or relinks) what it has.
    if (!existsSync(modules) && existsSync(join(cache, 'node_modules'))) await symlink(join(cache, 'node_modules'), modules, 'dir');
  }
  return { seconds, cached: false };
}
