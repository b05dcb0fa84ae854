import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, scratchDir } from '../support/run-obs.js';

/**
 * The published package is what `npx obs-init` installs: dist/ bundles every library obs uses, so
 * the package declares no runtime dependency and runs from a bare install with no node_modules of
 * its own. This packs the real tarball and installs it offline into an empty folder.
 */
describe('the npm package', () => {
  it('declares no runtime dependencies and runs from an offline install of its tarball', async () => {
    const manifest = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.optionalDependencies ?? {}).toEqual({});
    expect(manifest.peerDependencies ?? {}).toEqual({});

    const packDir = await scratchDir('obs-pack-');
    const packed = await execa('npm', ['pack', '--json', '--pack-destination', packDir, '--loglevel=error'], { cwd: REPO_ROOT });
    const [{ filename, files }] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
    const paths = files.map((f) => f.path);
    expect(paths).toContain('LICENSE');
    expect(paths).toContain('dist/main.cjs');
    expect(paths.filter((p) => p.startsWith('src/') || p.startsWith('test/'))).toEqual([]);

    const app = await scratchDir('obs-install-');
    await execa('npm', ['init', '-y'], { cwd: app });
    await execa('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', join(packDir, filename)], { cwd: app });
    const installed = join(app, 'node_modules');
    const { stdout: tree } = await execa('npm', ['ls', '--all', '--parseable'], { cwd: app });
    expect(
      tree
        .trim()
        .split('\n')
        .map((line) => line.slice(installed.length + 1))
        .filter(Boolean),
    ).toEqual(['obs-init']);

    const env = { PATH: process.env.PATH ?? '', HOME: app, NO_COLOR: '1' };
    const checks = await execa(join(installed, '.bin', 'obs'), ['doctor', '--list-checks'], { cwd: app, env, extendEnv: false });
    expect(checks.stdout).toMatch(/aws-credentials/);
    const initHelp = await execa(join(installed, '.bin', 'obs-init'), ['--help'], { cwd: app, env, extendEnv: false });
    expect(initHelp.stdout).toMatch(/^Usage: obs init/);
    // The AWS SDK bundles load on their own (no @aws-sdk/* next to them).
    for (const vendor of ['xray', 'logs', 'sts']) {
      const loaded = await execa(process.execPath, ['-e', `require(${JSON.stringify(join(installed, 'obs-init', 'dist', 'vendor', `${vendor}.cjs`))})`], { env, extendEnv: false });
      expect(loaded.exitCode, vendor).toBe(0);
    }
  });
});
