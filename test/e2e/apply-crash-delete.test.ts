import { execa } from 'execa';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { killAtEveryStep, settledFiles } from '../support/kill-every-step.js';
import { git, REPO_ROOT, runObs, scratchDir } from '../support/run-obs.js';

/**
 * The one write that deletes a file: a switch from the collector pipeline to direct takes obs's
 * otel-collector-config.yaml out. `kill -9` before every step of that apply (as apply-crash.test.ts
 * does for writes): each file, the deleted one included, is old or new in full (there, or gone),
 * and the next run ends where an uninterrupted one does.
 */
it('obs init --pipeline direct killed at every step: the collector config is there or gone, never half, and the next run finishes', { timeout: 900_000 }, async () => {
  const template = join(await scratchDir('obs-crash-del-'), 'cruddur');
  await execa('cp', ['-a', join(REPO_ROOT, 'examples', 'cruddur'), template]);
  await git(template, 'init', '-q', '-b', 'main');
  expect((await runObs(['init', '--yes', '--dir', template], { env: { CI: 'true' } })).exitCode).toBe(0);
  await git(template, 'add', '-A');
  await git(template, 'commit', '-q', '-m', 'collector pipeline');
  expect((await settledFiles(template))['otel-collector-config.yaml']).toBeDefined();

  const { reference, after, steps, failures } = await killAtEveryStep(template, (dir) => ['init', '--yes', '--pipeline', 'direct', '--dir', dir], 'obs-crash-del-');
  expect(reference.calls.some((c) => / unlink .*otel-collector-config\.yaml/.test(c))).toBe(true);
  expect(after['otel-collector-config.yaml']).toBeUndefined();
  expect(failures, failures.slice(0, 20).join('\n')).toEqual([]);
  expect(steps).toBeGreaterThan(20);
});
