import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

/**
 * A venv with exactly `requirements` installed from PyPI by pip (no system site-packages), kept
 * in ~/.cache/obs-e2e-venv/<hash of the sorted requirement lines and the Python version> and
 * reused by later runs. It is built under a temporary name and renamed when complete, so a run
 * never sees half a venv; the venv's python runs from wherever it lies (pip's scripts are not
 * used). OBS_E2E_FRESH_INSTALL=1 always builds a new one.
 */
export async function pythonVenv(requirements: readonly string[]): Promise<{ python: string; seconds: number; cached: boolean }> {
  const version = (await execa('python3', ['--version'])).stdout.trim();
  const lines = [...new Set(requirements.map((r) => r.trim()).filter(Boolean))].sort();
  const key = createHash('sha256').update(version).update('\n').update(lines.join('\n')).digest('hex').slice(0, 16);
  const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'obs-e2e-venv');
  const venv = join(cacheRoot, key);
  const python = join(venv, 'bin', 'python');
  if (!process.env.OBS_E2E_FRESH_INSTALL && existsSync(join(venv, 'complete'))) return { python, seconds: 0, cached: true };

  const started = Date.now();
  const building = `${venv}.building-${process.pid}-${Date.now()}`;
  await mkdir(cacheRoot, { recursive: true });
  try {
    await execa('python3', ['-m', 'venv', building]);
    await execa(join(building, 'bin', 'python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', ...lines], { timeout: 280_000 });
    await writeFile(join(building, 'requirements.txt'), `${lines.join('\n')}\n`);
    await writeFile(join(building, 'complete'), `${new Date().toISOString()}\n`);
    if (existsSync(join(venv, 'complete')) && !process.env.OBS_E2E_FRESH_INSTALL) await rm(building, { recursive: true, force: true });
    else {
      await rm(venv, { recursive: true, force: true });
      await rename(building, venv);
    }
  } catch (err) {
    await rm(building, { recursive: true, force: true });
    // Another run finished the same venv first: use it.
    if (!existsSync(join(venv, 'complete'))) throw err;
  }
  return { python, seconds: (Date.now() - started) / 1000, cached: false };
}
