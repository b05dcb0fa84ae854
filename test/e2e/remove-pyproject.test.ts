import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { gitProject, removeScratchDirs, REPO_ROOT, runObs, snapshotTree } from '../support/run-obs.js';

/**
 * pyproject.toml has no place for obs's marker comment, so obs.yaml records the packages init
 * added to it (`changes.packages`): `obs remove` takes exactly those out (while they still read
 * as obs wrote them), and a re-run drops the ones no choice needs any more -- as it does for
 * obs's blocks in a requirements file. On nickjj/docker-flask-example (uv, PEP 621
 * dependencies; test/fixtures/instrument/docker-flask-example/SOURCE.txt).
 */
const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'instrument', 'docker-flask-example');
const env = { CI: 'true' };

afterAll(() => removeScratchDirs());

async function obs(dir: string, ...args: string[]) {
  const run = await runObs([...args, '--dir', dir, '--yes'], { env });
  expect(run.exitCode, run.stderr).toBe(0);
  return run;
}

const pyproject = (dir: string) => readFile(join(dir, 'pyproject.toml'), 'utf8');
const dependencies = async (dir: string) => (await pyproject(dir)).match(/^ {2}"[^"]+",$/gm)!.map((l) => l.trim().slice(1, -2));

describe('packages obs added to a pyproject.toml (nickjj/docker-flask-example)', () => {
  it('init records them in obs.yaml; remove takes them out and the tree comes back byte for byte', async () => {
    const dir = await gitProject(FIXTURE);
    const original = await snapshotTree(dir);
    await obs(dir, 'init');
    const added = (await dependencies(dir)).filter((d) => d.startsWith('opentelemetry-'));
    expect(added.length).toBeGreaterThan(3);
    const record = (parse(await readFile(join(dir, 'obs.yaml'), 'utf8')) as { changes: { packages: Record<string, string[]> } }).changes.packages;
    expect(record).toEqual({ 'pyproject.toml': added });

    const removed = await obs(dir, 'remove');
    expect(removed.stderr).not.toMatch(/cannot tell which/);
    expect(removed.stderr).toContain('Next: reinstall without what obs added to pyproject.toml: uv lock (updates uv.lock), then docker compose build web');
    expect(await snapshotTree(dir)).toEqual(original);
  });

  it('a package whose entry the user changed after init stays, and remove says so', async () => {
    const dir = await gitProject(FIXTURE);
    const before = await pyproject(dir);
    await obs(dir, 'init');
    const text = await pyproject(dir);
    const sdk = /"(opentelemetry-sdk==[^"]+)"/.exec(text)![1]!;
    await writeFile(join(dir, 'pyproject.toml'), text.replace(sdk, 'opentelemetry-sdk>=1.40'));

    const removed = await obs(dir, 'remove');
    expect(removed.stderr).toContain(`web: pyproject.toml: opentelemetry-sdk was changed after obs init added it (${sdk}); it stays`);
    const after = await dependencies(dir);
    expect(after.filter((d) => d.startsWith('opentelemetry-'))).toEqual(['opentelemetry-sdk>=1.40']);
    expect(after.filter((d) => !d.startsWith('opentelemetry-'))).toEqual((before.match(/^ {2}"[^"]+",$/gm) ?? []).map((l) => l.trim().slice(1, -2)));
  });

  it('a re-run drops the packages obs added that no choice needs now (--no-rollbar), and keeps the record exact', async () => {
    const dir = await gitProject(FIXTURE);
    await obs(dir, 'init', '--pipeline', 'direct', '--rollbar');
    expect(await dependencies(dir)).toEqual(expect.arrayContaining(['rollbar', 'blinker']));

    const off = await obs(dir, 'init', '--pipeline', 'direct', '--no-rollbar');
    expect(off.stderr).toMatch(/web: obs drops rollbar, blinker from pyproject\.toml \(obs added it; no choice needs it now\)/);
    const after = await dependencies(dir);
    expect(after).not.toContain('rollbar');
    expect(after).not.toContain('blinker');
    const record = (parse(await readFile(join(dir, 'obs.yaml'), 'utf8')) as { changes: { packages: Record<string, string[]> } }).changes.packages;
    const original = (await readFile(join(FIXTURE, 'pyproject.toml'), 'utf8')).match(/^ {2}"[^"]+",$/gm)!.map((l) => l.trim().slice(1, -2));
    expect(record['pyproject.toml']).toEqual(after.filter((d) => !original.includes(d)));
    expect(record['pyproject.toml']).toContain('aws-xray-sdk');

    // X-Ray off: the X-Ray SDK obs added goes too.
    const noXray = await obs(dir, 'init', '--pipeline', 'direct', '--no-xray');
    expect(noXray.stderr).toMatch(/web: obs drops aws-xray-sdk from pyproject\.toml/);
    expect(await dependencies(dir)).not.toContain('aws-xray-sdk');
    const last = (parse(await readFile(join(dir, 'obs.yaml'), 'utf8')) as { changes: { packages: Record<string, string[]> } }).changes.packages;
    expect(last['pyproject.toml']).not.toContain('aws-xray-sdk');

    // And remove still gives the file back whole.
    await obs(dir, 'remove');
    expect(await pyproject(dir)).toBe(await readFile(join(FIXTURE, 'pyproject.toml'), 'utf8'));
  });
});
