import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, runObs, tempProject } from '../support/run-obs.js';

/**
 * Switching pipelines on the bundled example, on disk: collector, then direct (obs's collector
 * and its config file go, the daemon comes), then collector again; each switch is one run and
 * each result is stable.
 */
it('collector -> direct -> collector on the example: one run each, the config file deleted and written again', async () => {
  const dir = await tempProject(join(REPO_ROOT, 'examples', 'cruddur'));
  const env = { CI: 'true' };
  const services = async () => (parse(await readFile(join(dir, 'docker-compose.yml'), 'utf8')) as { services: Record<string, unknown> }).services;

  expect((await runObs(['init', '--dir', dir, '--yes'], { env })).exitCode).toBe(0);
  expect(existsSync(join(dir, 'otel-collector-config.yaml'))).toBe(true);
  expect(Object.keys(await services())).toContain('otel-collector');

  const direct = await runObs(['init', '--dir', dir, '--yes', '--pipeline', 'direct', '--json'], { env });
  expect(direct.exitCode, direct.stderr).toBe(0);
  expect(direct.stderr).toMatch(/^Taken out: otel-collector \(obs's collector: the apps send directly\)$/m);
  expect(direct.stderr).not.toMatch(/^Left alone:.*otel-collector/m);
  const result = JSON.parse(direct.stdout) as { changes: { path: string; action: string; diff: string }[] };
  const removed = result.changes.find((c) => c.path === 'otel-collector-config.yaml');
  expect(removed?.action).toBe('delete');
  expect(removed?.diff).toMatch(/^--- a\/otel-collector-config\.yaml\n\+\+\+ \/dev\/null\n/);
  expect(existsSync(join(dir, 'otel-collector-config.yaml'))).toBe(false);
  const afterDirect = await services();
  expect(Object.keys(afterDirect)).not.toContain('otel-collector');
  expect(Object.keys(afterDirect)).toContain('xray-daemon');
  expect((await runObs(['init', '--dir', dir, '--yes'], { env })).stderr).toMatch(/Nothing to change/);

  const collector = await runObs(['init', '--dir', dir, '--yes', '--pipeline', 'collector'], { env });
  expect(collector.exitCode).toBe(0);
  expect(collector.stderr).toMatch(/^Taken out: xray-daemon \(the X-Ray daemon: the collector sends to X-Ray\)$/m);
  expect(existsSync(join(dir, 'otel-collector-config.yaml'))).toBe(true);
  const back = await services();
  expect(Object.keys(back)).toContain('otel-collector');
  expect(Object.keys(back)).not.toContain('xray-daemon');
  expect((await runObs(['init', '--dir', dir, '--yes'], { env })).stderr).toMatch(/Nothing to change/);
});
