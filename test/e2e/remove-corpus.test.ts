import { readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerComposeConfig } from '../support/compose-validate.js';
import { gitProject, REPO_ROOT, runObs, snapshotTree } from '../support/run-obs.js';
import { FILE_ARGS } from '../support/golden.js';

/**
 * `obs init --yes` then `obs remove --yes` on every real project of the corpus, for both
 * pipelines: the tree comes back byte for byte where init changed nothing the user owns (no
 * secret moved, no value of theirs updated or replaced, no service of theirs taken out), and
 * compose reads what remains at least as well as the original.
 */
const CORPUS = join(REPO_ROOT, 'test', 'fixtures', 'corpus');
const INVALID = new Set(['ExamProCo__aws-bootcamp-cruddur-2023__shell-in-yaml', 'madhavi-chavva__aws-bootcamp-cruddur-2023']);
const cases = readdirSync(CORPUS, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith('_') && !INVALID.has(d.name))
  .map((d) => d.name);
const ENV = { CI: 'true' };

/**
 * Where the tree does not come back whole although init changed nothing of the user's, and why.
 * The list is exact both ways: a case that comes back whole must leave it, and so must a case
 * where init changed the user's own files (those are checked below, not listed).
 *
 * obs.yaml records what init changed (its `changes:` section: the keys it added, the values it
 * replaced), so a value the user had written exactly as obs would stays, and a replaced one comes
 * back. What still does not come back: init wrote through an anchor (it gave the services that
 * merge one their own environment), and remove takes out only obs's keys, not that structure.
 * Not restorable at all, so not listed (init changed the user's files): secrets init moved into
 * `.env` (the compose file keeps the `${VAR}`; obs never records a secret), a user's X-Ray daemon
 * the collector replaced, and values the user had that init replaced under --force when they
 * were secrets.
 */
const KNOWN = new Set([
  // Services that merge the anchored environment get their own `environment: <<: *airflow-common-env`.
  'apache__airflow collector',
  'apache__airflow direct',
]);

interface InitJson {
  composeFiles: string[];
  movedSecrets: unknown[];
  updated: unknown[];
  removedServices: string[];
  conflicts: { replaced: boolean }[];
  /** Secrets files init stopped tracking in git (git rm --cached): a remove does not track them again. */
  untracked: string[];
}

describe.each(cases)('obs remove after obs init on %s', (name) => {
  const args = FILE_ARGS[name] ?? [];
  for (const pipeline of ['collector', 'direct'] as const) {
    it(`${pipeline}: undoes init`, async () => {
      const dir = await gitProject(join(CORPUS, name));
      const original = await snapshotTree(dir);
      const init = await runObs(['init', '--dir', dir, '--yes', '--json', '--pipeline', pipeline, ...args], { env: ENV });
      expect(init.exitCode, init.stderr).toBe(0);
      const result = JSON.parse(init.stdout) as InitJson;
      const removed = await runObs(['remove', '--dir', dir, '--yes', ...args], { env: ENV });
      expect(removed.exitCode, removed.stderr).toBe(0);
      const after = await snapshotTree(dir);
      expect(after['obs.yaml']).toBeUndefined();

      const touchedTheirs = result.movedSecrets.length > 0 || result.updated.length > 0 || result.removedServices.length > 0 || result.conflicts.some((c) => c.replaced) || result.untracked.length > 0;
      const known = KNOWN.has(`${name} ${pipeline}`);
      if (!touchedTheirs && !known) expect(after).toEqual(original);
      else {
        expect(known && touchedTheirs, 'init changed files of the user: take it off KNOWN (checked below)').toBe(false);
        if (known) expect(after, 'comes back whole now: take it off KNOWN').not.toEqual(original);
        // Every file obs created is gone, and no file of the user's went.
        // .env keeps the secrets init moved into it (.env.example their placeholders), and .gitignore keeps ignoring it.
        const keeps = (path: string) => /(^|\/)\.env(\.example)?$|^\.gitignore$/.test(path) && (result.movedSecrets.length > 0 || original['.env'] !== undefined);
        for (const path of Object.keys(after)) if (!keeps(path)) expect(original, `${path} was created by obs init and stayed`).toHaveProperty([path]);
        for (const path of Object.keys(original)) if (path !== '.env') expect(after, `${path} went`).toHaveProperty([path]);
      }

      // Compose reads what remains as well as it read the original.
      const [before, edited] = await Promise.all([dockerComposeConfig(join(CORPUS, name), result.composeFiles), dockerComposeConfig(dir, result.composeFiles)]);
      if (!edited.skipped && before.ok) expect(edited.ok, edited.stderr).toBe(true);
    });
  }
});

describe('obs remove', () => {
  it('keeps a value the user changed after init, says so, and takes out the rest', async () => {
    const dir = await gitProject(join(CORPUS, 'nickjj__docker-rails-example'));
    expect((await runObs(['init', '--dir', dir, '--yes', '--pipeline', 'direct', '--honeycomb'], { env: ENV })).exitCode).toBe(0);
    const compose = join(dir, 'compose.yaml');
    const text = await readFile(compose, 'utf8');
    expect(text).toMatch(/OTEL_SERVICE_NAME: "web"/);
    await writeFile(compose, text.replace('OTEL_SERVICE_NAME: "web"', 'OTEL_SERVICE_NAME: "my-web"'));
    const run = await runObs(['remove', '--dir', dir, '--yes', '--json'], { env: ENV });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^! web: OTEL_SERVICE_NAME was changed after obs init wrote it; it stays/m);
    const result = JSON.parse(run.stdout) as { notes: { kind: string; service: string; key: string }[]; applied: boolean };
    expect(result.applied).toBe(true);
    expect(result.notes).toContainEqual(expect.objectContaining({ kind: 'value-kept', service: 'web', key: 'OTEL_SERVICE_NAME' }));
    const after = await readFile(compose, 'utf8');
    expect(after).toMatch(/OTEL_SERVICE_NAME: "my-web"/);
    expect(after).not.toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    await expect(readFile(join(dir, 'obs.yaml'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it("gives back the values init --force replaced, as the user wrote them (obs.yaml's record)", async () => {
    // amitnike's services name themselves backend_flask and frontend_node; --force gives them their compose names.
    const dir = await gitProject(join(CORPUS, 'amitnike__aws-bootcamp-cruddur-2023'));
    const original = await snapshotTree(dir);
    const init = await runObs(['init', '--dir', dir, '--yes', '--json', '--force', '--pipeline', 'direct'], { env: ENV });
    expect(init.exitCode, init.stderr).toBe(0);
    expect((JSON.parse(init.stdout) as InitJson).conflicts.filter((c) => c.replaced)).toHaveLength(2);
    expect(await readFile(join(dir, 'docker-compose.yml'), 'utf8')).toContain('OTEL_SERVICE_NAME: "backend-flask"');
    const record = (await readFile(join(dir, 'obs.yaml'), 'utf8')).split('\nchanges:\n')[1];
    expect(record).toContain('        replaced:\n          OTEL_SERVICE_NAME: backend_flask\n');
    const run = await runObs(['remove', '--dir', dir, '--yes', '--json'], { env: ENV });
    expect(run.exitCode, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as { restoredValues: unknown[] }).restoredValues).toEqual([
      { service: 'backend-flask', key: 'OTEL_SERVICE_NAME' },
      { service: 'frontend-react-js', key: 'OTEL_SERVICE_NAME' },
    ]);
    expect(await snapshotTree(dir)).toEqual(original);
  });

  it('an obs.yaml written before the record: obs tells its values by value, so one the user wrote as obs would goes too', async () => {
    // CFelt22 sets OTEL_SERVICE_NAME, the Honeycomb endpoint and header by hand, as obs writes them.
    const dir = await gitProject(join(CORPUS, 'CFelt22__aws-bootcamp-cruddur-2023'));
    expect((await runObs(['init', '--dir', dir, '--yes', '--pipeline', 'direct'], { env: ENV })).exitCode).toBe(0);
    const obsYaml = join(dir, 'obs.yaml');
    const text = await readFile(obsYaml, 'utf8');
    expect(text).toMatch(/\nchanges:\n/);
    await writeFile(obsYaml, text.replace(/\n# What obs init changed[\s\S]*$/, '\n'));
    const run = await runObs(['remove', '--dir', dir, '--yes'], { env: ENV });
    expect(run.exitCode, run.stderr).toBe(0);
    const compose = await readFile(join(dir, 'docker-compose.yaml'), 'utf8');
    expect(compose).not.toMatch(/OTEL_SERVICE_NAME: "backend-flask"/);
    expect(compose).toMatch(/AWS_XRAY_URL/);
  });

  it('without obs.yaml: one line naming it, exit 2, nothing changed', async () => {
    const dir = await gitProject(join(CORPUS, 'nickjj__docker-rails-example'));
    const before = await snapshotTree(dir);
    const run = await runObs(['remove', '--dir', dir, '--yes'], { env: ENV });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/^obs: no obs\.yaml in .*: obs remove undoes what obs init recorded there, so there is nothing to remove$/m);
    expect(await snapshotTree(dir)).toEqual(before);
  });

  it('--dry-run prints the diff on stdout and writes nothing', async () => {
    const dir = await gitProject(join(CORPUS, 'nickjj__docker-rails-example'));
    expect((await runObs(['init', '--dir', dir, '--yes'], { env: ENV })).exitCode).toBe(0);
    const before = await snapshotTree(dir);
    const run = await runObs(['remove', '--dir', dir, '--dry-run'], { env: ENV });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^--- a\/obs\.yaml$/m);
    expect(run.stderr).toMatch(/Dry run: nothing was written\./);
    expect(await snapshotTree(dir)).toEqual(before);
    const refused = await runObs(['remove', '--dir', dir], { env: ENV });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/obs remove needs a yes/);
  });
});
