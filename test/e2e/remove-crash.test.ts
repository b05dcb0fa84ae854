import { execa } from 'execa';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { killAtEveryStep } from '../support/kill-every-step.js';
import { git, REPO_ROOT, runObs, scratchDir } from '../support/run-obs.js';

/**
 * obs remove deletes most of what it touches (obs.yaml, the collector config, .env.example, the
 * instrumentation modules) and edits the rest. `kill -9` before every step of its apply: each file
 * is old or new in full (there, or gone), and the next obs remove ends where an uninterrupted one does.
 */
it('obs remove killed at every step: every file is there or gone, old or new, and the next run finishes', { timeout: 900_000 }, async () => {
  const template = join(await scratchDir('obs-crash-rm-'), 'cruddur');
  await execa('cp', ['-a', join(REPO_ROOT, 'examples', 'cruddur'), template]);
  await git(template, 'init', '-q', '-b', 'main');
  expect((await runObs(['init', '--yes', '--dir', template], { env: { CI: 'true' } })).exitCode).toBe(0);
  await git(template, 'add', '-A');
  await git(template, 'commit', '-q', '-m', 'wired');

  const { after, steps, failures } = await killAtEveryStep(template, (dir) => ['remove', '--yes', '--dir', dir], 'obs-crash-rm-');
  expect(after['obs.yaml']).toBeUndefined();
  expect(failures, failures.slice(0, 20).join('\n')).toEqual([]);
  expect(steps).toBeGreaterThan(10);
});
