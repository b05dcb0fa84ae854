import { lstat, mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runObs, scratchDir, snapshotTree, type ObsRun } from '../support/run-obs.js';

/**
 * Symlinks where obs writes: a link whose target is inside the project is written through (the
 * link stays, the target gets the change) and the plan says so; a target outside the project is
 * refused (exit 2, nothing changed anywhere) unless the user named that path with -f. Never
 * silently: before, a linked .env or compose file was replaced by a regular file, and a linked
 * or `../` build context had obs write outside the project.
 */
const ENV = { CI: 'true' };
const COMPOSE = 'services:\n  web:\n    build: ./app\n';

/** `<scratch>/project` (a Flask service in app/) and `<scratch>/outside`. */
async function layout(): Promise<{ project: string; outside: string }> {
  const base = await scratchDir('obs-links-');
  const project = join(base, 'project');
  const outside = join(base, 'outside');
  await mkdir(join(project, 'app'), { recursive: true });
  await mkdir(outside);
  await flaskApp(join(project, 'app'));
  return { project, outside };
}

async function flaskApp(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'Dockerfile'), 'FROM python:3.11\n');
  await writeFile(join(dir, 'requirements.txt'), 'flask\n');
  await writeFile(join(dir, 'app.py'), 'from flask import Flask\napp = Flask(__name__)\n');
}

async function expectRefused(run: ObsRun, named: string, dirs: string[], before: Record<string, string>[]): Promise<void> {
  expect(run.exitCode, run.stderr).toBe(2);
  const error = run.stderr.split('\n').find((l) => l.startsWith('obs: '));
  expect(error, run.stderr).toContain(named);
  expect(error).toMatch(/outside the project/);
  for (const [i, dir] of dirs.entries()) expect(await snapshotTree(dir)).toEqual(before[i]);
}

async function isLink(path: string): Promise<boolean> {
  return (await lstat(path)).isSymbolicLink();
}

describe('a symlink inside the project is written through, and the plan says so', () => {
  it('.env -> config/dev.env: the target gets the keys, the link stays', async () => {
    const { project } = await layout();
    await writeFile(join(project, 'docker-compose.yml'), COMPOSE);
    await mkdir(join(project, 'config'));
    await writeFile(join(project, 'config', 'dev.env'), 'DEBUG=1\n');
    await symlink('config/dev.env', join(project, '.env'));
    const run = await runObs(['init', '--dir', project, '--yes'], { env: ENV });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain('.env is a symlink to config/dev.env: obs writes config/dev.env, the link stays');
    expect(await isLink(join(project, '.env'))).toBe(true);
    expect(await readlink(join(project, '.env'))).toBe('config/dev.env');
    expect(await readFile(join(project, 'config', 'dev.env'), 'utf8')).toMatch(/^DEBUG=1\n[^]*HONEYCOMB_API_KEY=/);
  });

  it('docker-compose.yml -> compose/base.yml', async () => {
    const { project } = await layout();
    await mkdir(join(project, 'compose'));
    await writeFile(join(project, 'compose', 'base.yml'), 'services:\n  web:\n    build: ../app\n');
    await symlink('compose/base.yml', join(project, 'docker-compose.yml'));
    const dry = await runObs(['init', '--dir', project, '--yes', '--dry-run'], { env: ENV });
    expect(dry.stderr).toContain('docker-compose.yml is a symlink to compose/base.yml: obs writes compose/base.yml, the link stays');
    const run = await runObs(['init', '--dir', project, '--yes'], { env: ENV });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await isLink(join(project, 'docker-compose.yml'))).toBe(true);
    expect(await readFile(join(project, 'compose', 'base.yml'), 'utf8')).toContain('OTEL_SERVICE_NAME');
  });
});

describe('a write that would land outside the project is refused (exit 2), nothing changed anywhere', () => {
  it('.env -> a file outside the project', async () => {
    const { project, outside } = await layout();
    await writeFile(join(project, 'docker-compose.yml'), COMPOSE);
    await writeFile(join(outside, 'shared.env'), 'DEBUG=1\n');
    await symlink(join(outside, 'shared.env'), join(project, '.env'));
    const before = [await snapshotTree(project), await snapshotTree(outside)];
    await expectRefused(await runObs(['init', '--dir', project, '--yes'], { env: ENV }), '.env', [project, outside], before);
    expect(await isLink(join(project, '.env'))).toBe(true);
  });

  it('docker-compose.yml -> a file outside the project; naming it with -f is consent', async () => {
    const { project, outside } = await layout();
    await writeFile(join(outside, 'compose.yml'), 'services:\n  web:\n    build: ./app\n');
    await flaskApp(join(outside, 'app'));
    await symlink(join(outside, 'compose.yml'), join(project, 'docker-compose.yml'));
    const before = [await snapshotTree(project), await snapshotTree(outside)];
    await expectRefused(await runObs(['init', '--dir', project, '--yes', '--no-instrument'], { env: ENV }), 'docker-compose.yml', [project, outside], before);
    const run = await runObs(['init', '--dir', project, '--yes', '--no-instrument', '-f', 'docker-compose.yml'], { env: ENV });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain(`docker-compose.yml is a symlink to ${join(outside, 'compose.yml')}: obs writes it there (named with -f), the link stays`);
    expect(await isLink(join(project, 'docker-compose.yml'))).toBe(true);
    expect(await readFile(join(outside, 'compose.yml'), 'utf8')).toContain('OTEL_SERVICE_NAME');
  });

  it('build: ../shared/backend (code would be written outside); --no-instrument wires the rest', async () => {
    const { project, outside } = await layout();
    await flaskApp(join(outside, 'backend'));
    await writeFile(join(project, 'docker-compose.yml'), `services:\n  web:\n    build: ../outside/backend\n`);
    const before = [await snapshotTree(project), await snapshotTree(outside)];
    const run = await runObs(['init', '--dir', project, '--yes'], { env: ENV });
    await expectRefused(run, '../outside/backend/', [project, outside], before);
    expect(run.stderr).toMatch(/--no-instrument/);
    const settingsOnly = await runObs(['init', '--dir', project, '--yes', '--no-instrument'], { env: ENV });
    expect(settingsOnly.exitCode, settingsOnly.stderr).toBe(0);
    expect(await snapshotTree(outside)).toEqual(before[1]);
  });

  it('a build context that is a symlink to a folder outside the project', async () => {
    const { project, outside } = await layout();
    await flaskApp(join(outside, 'backend'));
    await symlink(join(outside, 'backend'), join(project, 'backend'));
    await writeFile(join(project, 'docker-compose.yml'), 'services:\n  web:\n    build: ./backend\n');
    const before = [await snapshotTree(project), await snapshotTree(outside)];
    await expectRefused(await runObs(['init', '--dir', project, '--yes'], { env: ENV }), 'backend/', [project, outside], before);
  });
});
