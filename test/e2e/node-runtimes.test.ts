import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canFetchNode, NODE_RELEASES, nodeBinary } from '../support/node-runtimes.js';
import { git, REPO_ROOT, removeScratchDirs, runObs, scratchDir, snapshotTree, type ObsRun } from '../support/run-obs.js';
import { startXrayServer, type XrayServer } from '../support/xray-server.js';
import { cp } from 'node:fs/promises';

/**
 * obs must run on Node 20, 22 and 24 (it feature-detects, e.g. module.enableCompileCache, and
 * never assumes 20). The built binary runs here on real Node 22 and 24 releases (fetched once
 * from npm, test/support/node-runtimes.ts) and must do exactly what it does on the Node running
 * the tests: the same output, the same files written, the same AWS calls answered.
 */
const EXAMPLE = join(REPO_ROOT, 'examples', 'cruddur');
const majors = Object.keys(NODE_RELEASES);

let xray: XrayServer;
beforeAll(async () => {
  xray = await startXrayServer();
});
afterAll(async () => {
  await xray.close();
  removeScratchDirs();
});

/** A git project holding the example, in a folder named like the example (the project name comes from it). */
async function exampleProject(): Promise<string> {
  const dir = join(await scratchDir('obs-node-'), 'cruddur');
  await mkdir(dir);
  await cp(EXAMPLE, dir, { recursive: true });
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'example');
  return dir;
}

/** Output with the project folder as a placeholder: the two runs happen in different temp folders. */
const same = (run: ObsRun, dir: string) => ({ exitCode: run.exitCode, stdout: run.stdout.replaceAll(dir, '<dir>'), stderr: run.stderr.replaceAll(dir, '<dir>') });

describe.skipIf(!canFetchNode())('the built obs on other Node lines', () => {
  describe.each(majors)('Node %s', (major) => {
    let node: string;
    beforeAll(async () => {
      node = await nodeBinary(major);
    }, 600_000);

    it('is that Node line, and obs --version answers', async () => {
      const { execa } = await import('execa');
      expect((await execa(node, ['--version'])).stdout).toBe(`v${NODE_RELEASES[major]}`);
      const here = await runObs(['--version']);
      expect(await runObs(['--version'], { node })).toEqual(here);
    });

    it('init --yes then doctor: the same output and the same files as on this Node', async () => {
      const env = { CI: 'true' };
      const [a, b] = [await exampleProject(), await exampleProject()];
      const initHere = await runObs(['init', '--yes'], { cwd: a, env });
      const initThere = await runObs(['init', '--yes'], { cwd: b, env, node });
      expect(initHere.exitCode, initHere.stderr).toBe(0);
      expect(same(initThere, b)).toEqual(same(initHere, a));
      expect(await snapshotTree(b)).toEqual(await snapshotTree(a));
      const doctorHere = await runObs(['doctor', '--json'], { cwd: a, env });
      const doctorThere = await runObs(['doctor', '--json'], { cwd: b, env, node });
      expect(same(doctorThere, b)).toEqual(same(doctorHere, a));
      // A second run changes nothing there either.
      const settled = await snapshotTree(b);
      expect((await runObs(['init', '--yes'], { cwd: b, env, node })).stderr).toMatch(/Nothing to change/);
      expect(await snapshotTree(b)).toEqual(settled);
    });

    it("uses Node's own compile cache (module.enableCompileCache), private, read by the next run, output unchanged", async () => {
      const cacheDir = await scratchDir('obs-cache-');
      // NODE_DEBUG_NATIVE=COMPILE_CACHE: Node says whether it read and accepted the cache for main.cjs.
      const env = { CI: 'true', OBS_CACHE_DIR: cacheDir, OBS_COMPILE_CACHE_DEBUG: '1', NODE_DEBUG_NATIVE: 'COMPILE_CACHE' };
      const nodeLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('[compile cache]') || l.startsWith('obs: compile cache: '));
      const rest = (stderr: string) =>
        stderr
          .split('\n')
          .filter((l) => !l.startsWith('[compile cache]') && !l.startsWith('obs: compile cache: '))
          .join('\n');
      const first = await runObs(['doctor', '--dir', EXAMPLE], { env, node });
      expect(nodeLines(first.stderr)).toContain("obs: compile cache: node's module.enableCompileCache: enabled");
      expect(nodeLines(first.stderr).some((l) => /main\.cjs\.\.\. no such file/.test(l))).toBe(true);
      const folder = join(cacheDir, 'compile-cache', 'node');
      expect((await stat(folder)).mode & 0o077).toBe(0);
      const second = await runObs(['doctor', '--dir', EXAMPLE], { env, node });
      expect(nodeLines(second.stderr).some((l) => /cache for .*main\.cjs was accepted/.test(l))).toBe(true);
      expect(second.exitCode).toBe(first.exitCode);
      expect(second.stdout).toBe(first.stdout);
      expect(rest(second.stderr)).toBe(rest(first.stderr));
      // obs's own cache (Node 20's) wrote nothing beside it.
      expect(await readdir(join(cacheDir, 'compile-cache'))).toEqual(['node']);
    });

    it('the AWS SDK path: xray create-group against the X-Ray server, created then unchanged', async () => {
      xray.control.reset();
      const env = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', HOME: await scratchDir() };
      const args = ['xray', 'create-group', '--name', `node${major}`, '--service', 'backend-flask', '--endpoint-url', xray.url];
      const first = await runObs(args, { env, node });
      expect(first.exitCode, first.stderr).toBe(0);
      expect(first.stdout).toMatch(new RegExp(`^created +X-Ray group node${major}`, 'm'));
      const again = await runObs(args, { env, node });
      expect(again.stdout).toMatch(new RegExp(`^unchanged +X-Ray group node${major}`, 'm'));
      expect(xray.state.region('us-east-1').groups.has(`node${major}`)).toBe(true);
    });
  });
});
