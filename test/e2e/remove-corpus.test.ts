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
 * Where the tree does not come back whole although init changed nothing of the user's, and why
 * (the list is exact: a case that comes back whole must leave it). Most are the bootcamp's
 * projects, which set OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_* or AWS_XRAY_* by hand: obs tells its
 * values from the user's by value (obs.yaml records the choices, not the keys obs added), so a
 * value the user had written exactly as obs would goes too. The others: init replaced the user's
 * X-Ray daemon with the collector (not restorable), wrote through an anchor, gave a file without a
 * final newline one, sent apps to a collector the user runs (obs.yaml does not record it), or put a
 * blank line before the service it appended.
 */
const KNOWN = new Set([
  // The blank line init put before the collector it appended after the last service stays.
  'docker__awesome-compose__react-express-mongodb collector',
  'apache__airflow collector',
  'apache__airflow direct',
  'honeycombio__honeycomb-opentelemetry-node__smoke-tests collector',
  'honeycombio__honeycomb-opentelemetry-python__smoke-tests collector',
  'omenking__aws-bootcamp-cruddur-2023__prod-ecs direct',
  'AfroLatino__aws-bootcamp-cruddur collector',
  'AfroLatino__aws-bootcamp-cruddur direct',
  'Android60__aws-bootcamp-cruddur-2023 collector',
  'Android60__aws-bootcamp-cruddur-2023 direct',
  'Benedicta-Onyekwere__aws-bootcamp-cruddur-2023 collector',
  'Benedicta-Onyekwere__aws-bootcamp-cruddur-2023 direct',
  'CFelt22__aws-bootcamp-cruddur-2023 collector',
  'CFelt22__aws-bootcamp-cruddur-2023 direct',
  'Cfenton07__aws-bootcamp-cruddur-2023__collector collector',
  'Cfenton07__aws-bootcamp-cruddur-2023__collector direct',
  'Cfenton07__aws-bootcamp-cruddur-2023__otep-typo collector',
  'Cfenton07__aws-bootcamp-cruddur-2023__otep-typo direct',
  'CloudWest2023__aws-bootcamp-cruddur-2023 collector',
  'CloudWest2023__aws-bootcamp-cruddur-2023 direct',
  'CracktheDom__aws-bootcamp-cruddur-2023__bad-image collector',
  'CracktheDom__aws-bootcamp-cruddur-2023__bad-image direct',
  'CracktheDom__aws-bootcamp-cruddur-2023__xray-flag-zero collector',
  'CracktheDom__aws-bootcamp-cruddur-2023__xray-flag-zero direct',
  'DavidTausend__aws-bootcamp-cruddur-2023 collector',
  'DavidTausend__aws-bootcamp-cruddur-2023 direct',
  'ExamProCo__aws-bootcamp-cruddur-2023__commented-xray collector',
  'ExamProCo__aws-bootcamp-cruddur-2023__commented-xray direct',
  'FavyanL__cruddur-aws collector',
  'FavyanL__cruddur-aws direct',
  'FavyanL__cruddur-aws__header-typo collector',
  'FavyanL__cruddur-aws__header-typo direct',
  'OpeOginni__aws-bootcamp-cruddur-2023 collector',
  'Samba73__aws-bootcamp-cruddur-2023 collector',
  'Samba73__aws-bootcamp-cruddur-2023 direct',
  'amitnike__aws-bootcamp-cruddur-2023 direct',
  'annleefores__cruddur collector',
  'behlkush__aws-bootcamp-cruddur-2023 collector',
  'behlkush__aws-bootcamp-cruddur-2023 direct',
  'bhanumalhotra123__aws-bootcamp-cruddur-2023__hardcoded-aws-keys collector',
  'bhanumalhotra123__aws-bootcamp-cruddur-2023__hardcoded-aws-keys direct',
  'bhanumalhotra123__aws-bootcamp-cruddur-2023__oltp-typo collector',
  'bhanumalhotra123__aws-bootcamp-cruddur-2023__oltp-typo direct',
  'bhanumalhotra123__aws-bootcamp-cruddur-2023__xray-url-misuse collector',
  'bhanumalhotra123__aws-bootcamp-cruddur-2023__xray-url-misuse direct',
  'denisgulev__aws-bootcamp-cruddur-2023 collector',
  'denisgulev__aws-bootcamp-cruddur-2023 direct',
  'felixpitterling__aws-bootcamp-cruddur-2023 collector',
  'felixpitterling__aws-bootcamp-cruddur-2023 direct',
  'getlago__lago collector',
  'getsentry__self-hosted collector',
  'getsentry__self-hosted direct',
  'jasonleonhard__aws-bootcamp-cruddur-2023 collector',
  'jhargett1__aws-bootcamp-cruddur-2023 direct',
  'jidegithub__aws-bootcamp-cruddur-2023 direct',
  'kmb40__aws-bootcamp-cruddur-2023 collector',
  'kmb40__aws-bootcamp-cruddur-2023 direct',
  'krunalijain__aws-bootcamp-cruddur-2023 collector',
  'krunalijain__aws-bootcamp-cruddur-2023 direct',
  'mjolsen-sw__aws-cruddur collector',
  'mjolsen-sw__aws-cruddur direct',
  'moonout__aws-bootcamp-cruddur-2023 collector',
  'moonout__aws-bootcamp-cruddur-2023 direct',
  'omenking__aws-bootcamp-cruddur-2023__daemon-addr-typo collector',
  'omenking__aws-bootcamp-cruddur-2023__daemon-addr-typo direct',
  'omenking__aws-bootcamp-cruddur-2023__env-file collector',
  'omenking__aws-bootcamp-cruddur-2023__week2-baseline collector',
  'omenking__aws-bootcamp-cruddur-2023__week2-baseline direct',
  'open-telemetry__opentelemetry-demo collector',
  'open-telemetry__opentelemetry-demo direct',
  'paulegg1__aws-bootcamp-cruddur-2023 collector',
  'paulegg1__aws-bootcamp-cruddur-2023 direct',
  'philemonnwanne__aws-bootcamp-cruddur-2023 collector',
  'philemonnwanne__aws-bootcamp-cruddur-2023 direct',
  'philemonnwanne__aws-bootcamp-cruddur-2023__compose-yml collector',
  'philemonnwanne__aws-bootcamp-cruddur-2023__compose-yml direct',
  'romogo17__aws-bootcamp-cruddur-2023 collector',
  'romogo17__aws-bootcamp-cruddur-2023 direct',
  'timmy-cde__aws-bootcamp-cruddur-2023 collector',
  'timmy-cde__aws-bootcamp-cruddur-2023 direct',
  'vishnukumarkvs__aws-bootcamp-cruddur-2023 collector',
  'vishnukumarkvs__aws-bootcamp-cruddur-2023 direct',
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
        if (known && !touchedTheirs) expect(after, 'comes back whole now: take it off KNOWN').not.toEqual(original);
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
