import { execa } from 'execa';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runObsWithFault } from '../support/faults.js';
import { git, REPO_ROOT, runObs, scratchDir, snapshotTree } from '../support/run-obs.js';

/**
 * The one write that deletes a file: a switch from the collector pipeline to direct takes obs's
 * otel-collector-config.yaml out. `kill -9` before every step of that apply (as apply-crash.test.ts
 * does for writes): each file, the deleted one included, is old or new in full (there, or gone),
 * and the next run ends where an uninterrupted one does.
 */
async function files(dir: string): Promise<Record<string, string>> {
  const all = await snapshotTree(dir);
  return Object.fromEntries(Object.entries(all).filter(([path]) => !path.split('/').includes('.obs-apply')));
}

async function anyStaging(dir: string): Promise<boolean> {
  const walk = async (current: string): Promise<boolean> => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      if (entry.name === '.git') continue;
      if (entry.name === '.obs-apply') return true;
      if (entry.isDirectory() && (await walk(join(current, entry.name)))) return true;
    }
    return false;
  };
  return walk(dir);
}

it('obs init --pipeline direct killed at every step: the collector config is there or gone, never half, and the next run finishes', { timeout: 900_000 }, async () => {
  const template = join(await scratchDir('obs-crash-del-'), 'cruddur');
  await execa('cp', ['-a', join(REPO_ROOT, 'examples', 'cruddur'), template]);
  await git(template, 'init', '-q', '-b', 'main');
  expect((await runObs(['init', '--yes', '--dir', template], { env: { CI: 'true' } })).exitCode).toBe(0);
  await git(template, 'add', '-A');
  await git(template, 'commit', '-q', '-m', 'collector pipeline');
  const before = await files(template);
  expect(before['otel-collector-config.yaml']).toBeDefined();

  const copy = async () => {
    const dir = join(await scratchDir('obs-crash-del-'), 'cruddur');
    await execa('cp', ['-a', template, dir]);
    return dir;
  };
  const args = (dir: string) => ['init', '--yes', '--pipeline', 'direct', '--dir', dir];
  const clean = await copy();
  const log = join(await scratchDir('obs-crash-del-log-'), 'calls.txt');
  const reference = await runObsWithFault(args(clean), { root: clean }, { log });
  expect(reference.exitCode, reference.stderr).toBe(0);
  expect(reference.calls.some((c) => / unlink .*otel-collector-config\.yaml/.test(c))).toBe(true);
  const after = await files(clean);
  expect(after['otel-collector-config.yaml']).toBeUndefined();

  const failures: string[] = [];
  const steps = reference.calls.length;
  const checkStep = async (n: number): Promise<void> => {
    const dir = await copy();
    const killed = await runObsWithFault(args(dir), { root: dir, at: n });
    const where = `killed before step ${n}/${steps} (${reference.calls[n - 1]!.replace(clean, '<dir>')})`;
    if (killed.signal !== 'SIGKILL') failures.push(`${where}: obs was not killed (exit ${killed.exitCode})`);
    const now = await files(dir);
    for (const path of new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(now)])) {
      if (now[path] !== before[path] && now[path] !== after[path]) failures.push(`${where}: ${path} is neither old nor new`);
    }
    const next = await runObs(args(dir), { env: { CI: 'true' } });
    if (next.exitCode !== 0) failures.push(`${where}: the next run exited ${next.exitCode}: ${next.stderr}`);
    if (JSON.stringify(await files(dir)) !== JSON.stringify(after)) failures.push(`${where}: after the next run the files differ from an uninterrupted run`);
    if (await anyStaging(dir)) failures.push(`${where}: staging left after the next run`);
  };
  const queue = Array.from({ length: steps }, (_, i) => i + 1);
  await Promise.all(
    [0, 1].map(async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) await checkStep(n);
    }),
  );
  expect(failures, failures.slice(0, 20).join('\n')).toEqual([]);
  expect(steps).toBeGreaterThan(20);
});
