import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { runObs, snapshotTree, tempProject, type ObsRun } from '../support/run-obs.js';

/**
 * One reading of obs.yaml for every command: what `obs apply` refuses, `obs init` and `obs doctor`
 * refuse too, naming obs.yaml:LINE; and a value the user edited in obs.yaml survives `obs init`
 * re-runs ("kept; run with --force to replace"), comments included, so the next `obs apply`
 * sends the user's values, not obs's defaults.
 */
const ENV = { CI: 'true' };
const DEAD_AWS = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) };

/** A Flask service obs can wire with X-Ray and CloudWatch, already initialised once. */
async function initialised(): Promise<string> {
  const dir = await tempProject();
  await mkdir(join(dir, 'app'));
  await writeFile(join(dir, 'app', 'Dockerfile'), 'FROM python:3.11\n');
  await writeFile(join(dir, 'app', 'requirements.txt'), 'flask\n');
  await writeFile(join(dir, 'app', 'app.py'), 'from flask import Flask\napp = Flask(__name__)\n');
  await writeFile(join(dir, 'docker-compose.yml'), 'services:\n  web:\n    build: ./app\n');
  const run = await runObs(['init', '--dir', dir, '--yes', '--xray', '--cloudwatch'], { env: ENV });
  expect(run.exitCode, run.stderr).toBe(0);
  return dir;
}

async function editObsYaml(dir: string, edit: (text: string) => string): Promise<string> {
  const text = edit(await readFile(join(dir, 'obs.yaml'), 'utf8'));
  await writeFile(join(dir, 'obs.yaml'), text);
  return text;
}

function lineOf(text: string, needle: string): number {
  const at = text.split('\n').findIndex((l) => l.includes(needle));
  expect(at, needle).toBeGreaterThanOrEqual(0);
  return at + 1;
}

/** Exit 2, one `obs: obs.yaml:LINE: ...` line, nothing changed. */
async function expectRefused(dir: string, args: string[], line: number, message: RegExp, env: Record<string, string> = ENV): Promise<ObsRun> {
  const before = await snapshotTree(dir);
  const run = await runObs(args, { env });
  expect(run.exitCode, run.stderr).toBe(2);
  const error = run.stderr.split('\n').find((l) => l.startsWith('obs: '));
  expect(error, run.stderr).toMatch(new RegExp(`^obs: obs\\.yaml:${line}: `));
  expect(error).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(await snapshotTree(dir)).toEqual(before);
  return run;
}

describe('one obs.yaml validator: init, doctor and apply refuse the same files', () => {
  const cases: { name: string; edit: (t: string) => string; needle: string; message: RegExp }[] = [
    { name: 'retentionInDays: -5', edit: (t) => t.replace('retentionInDays: 14', 'retentionInDays: -5'), needle: 'retentionInDays', message: /retentionInDays must be one of 1, 3, 5/ },
    { name: 'a misspelt log group key', edit: (t) => t.replace('retentionInDays: 14', 'retentonInDays: 14'), needle: 'retentonInDays', message: /did you mean retentionInDays/ },
    { name: 'a misspelt sampling rule key', edit: (t) => t.replace('fixedRate: 0.1', 'fixedRte: 0.5'), needle: 'fixedRte', message: /did you mean fixedRate/ },
    { name: 'a misspelt top-level section', edit: (t) => t.replace('cloudwatch:', 'cloudwach:'), needle: 'cloudwach', message: /did you mean cloudwatch/ },
    { name: 'a misspelt switch', edit: (t) => t.replace(/(rollbar:\n {2})enabled/, '$1enabeld'), needle: 'enabeld', message: /did you mean enabled/ },
    { name: 'enabled: "yes"', edit: (t) => t.replace(/(rollbar:\n {2}enabled:) false/, '$1 "yes"'), needle: 'enabled: "yes"', message: /rollbar\.enabled must be true or false/ },
    { name: 'a service entry that is a list', edit: (t) => t.replace(/ {4}serviceName: web\n {4}stack: flask/, '    - web'), needle: '  web:', message: /services\.web must be a mapping/ },
    { name: 'fixedRate: 2', edit: (t) => t.replace('fixedRate: 0.1', 'fixedRate: 2'), needle: 'fixedRate', message: /fixedRate must be a number from 0 to 1/ },
    {
      name: 'honeycomb.endpoint that is not a URL',
      edit: (t) => t.replace('endpoint: https://api.honeycomb.io', 'endpoint: api dot honeycomb'),
      needle: 'endpoint:',
      message: /honeycomb\.endpoint must be an http\(s\) URL/,
    },
    {
      name: 'compose.files pointing out of the project',
      edit: (t) => t.replace('    - docker-compose.yml', '    - ../../../../etc/passwd'),
      needle: 'etc/passwd',
      message: /compose\.files\[0\] .*outside the project/,
    },
    {
      name: 'compose.files with an absolute path',
      edit: (t) => t.replace('    - docker-compose.yml', '    - /etc/hostname'),
      needle: '/etc/hostname',
      message: /compose\.files\[0\] .*outside the project/,
    },
    { name: 'compose.files with a number', edit: (t) => t.replace('    - docker-compose.yml', '    - 5'), needle: '- 5', message: /compose\.files\[0\] must be a string/ },
    { name: 'compose.files with a mapping', edit: (t) => t.replace('    - docker-compose.yml', '    - {a: b}'), needle: '{a: b}', message: /compose\.files\[0\] must be a string/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const dir = await initialised();
      const text = await editObsYaml(dir, c.edit);
      const line = lineOf(text, c.needle);
      await expectRefused(dir, ['init', '--dir', dir, '--yes'], line, c.message);
      await expectRefused(dir, ['apply', '--dir', dir, '--dry-run'], line, c.message, { ...ENV, ...DEAD_AWS });
      // doctor reports the broken obs.yaml as its obs-config finding, naming the same line.
      const doctor = await runObs(['doctor', '--dir', dir, '--json', '--check', 'obs-config'], { env: ENV });
      const check = (JSON.parse(doctor.stdout) as { checks: { status: string; detail: string; findings: { file: string; line: number }[] }[] }).checks[0]!;
      expect(check.status).toBe('fail');
      expect(check.detail).toMatch(c.message);
      expect(check.findings[0]).toMatchObject({ file: 'obs.yaml', line });
    });
  }

  it('doctor never reads a compose file obs.yaml names outside the project', async () => {
    const dir = await initialised();
    await editObsYaml(dir, (t) => t.replace('    - docker-compose.yml', '    - /etc/hostname'));
    const run = await runObs(['doctor', '--dir', dir, '--json', '--check', 'compose-file'], { env: ENV });
    expect(run.stdout).not.toContain('hostname');
  });
});

describe('obs init keeps obs.yaml values the user edited', () => {
  it('sampling rule, group and log group edits and comments survive `obs init --yes`; --force restores the defaults', async () => {
    const dir = await initialised();
    const edited = await editObsYaml(dir, (t) =>
      t
        .replace('fixedRate: 0.1', 'fixedRate: 0.5 # more while we debug')
        .replace('priority: 9000', 'priority: 100')
        .replace('reservoirSize: 5', 'reservoirSize: 2')
        .replace(/ruleName: (\S+)/, 'ruleName: MyRule')
        .replace('urlPath: "*"', 'urlPath: /api/*')
        .replace('httpMethod: "*"', 'httpMethod: GET')
        .replace(/filterExpression: .*/, 'filterExpression: service("web") {fault}')
        .replace(/(filterExpression: .*\n)/, '$1      insights: true\n')
        .replace('version: 1', '# ours: reviewed by the platform team\nversion: 1'),
    );
    const rerun = await runObs(['init', '--dir', dir, '--yes'], { env: ENV });
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    expect(await readFile(join(dir, 'obs.yaml'), 'utf8')).toBe(edited);
    for (const path of ['fixedRate', 'priority', 'reservoirSize', 'ruleName', 'urlPath', 'httpMethod', 'filterExpression']) {
      expect(rerun.stderr).toMatch(new RegExp(`obs\\.yaml [\\w.[\\]]*${path}: kept .*run with --force to replace`));
    }

    // A flag still wins over obs.yaml, and changing one value keeps the user's others and the comments.
    const flagged = await runObs(['init', '--dir', dir, '--yes', '--retention', '30'], { env: ENV });
    expect(flagged.exitCode, flagged.stderr).toBe(0);
    const after = await readFile(join(dir, 'obs.yaml'), 'utf8');
    expect(after).toBe(edited.replace('retentionInDays: 14', 'retentionInDays: 30'));

    // --force: obs's values again, and it says which it replaced.
    const forced = await runObs(['init', '--dir', dir, '--yes', '--force'], { env: ENV });
    expect(forced.exitCode, forced.stderr).toBe(0);
    const config = parseDocument(await readFile(join(dir, 'obs.yaml'), 'utf8')).toJS() as {
      xray: { samplingRules: Record<string, unknown>[] };
      cloudwatch: { logGroups: { retentionInDays: number }[] };
    };
    expect(config.xray.samplingRules[0]).toMatchObject({ fixedRate: 0.1, priority: 9000, reservoirSize: 5, urlPath: '*', httpMethod: '*' });
    expect(config.cloudwatch.logGroups[0]!.retentionInDays).toBe(30);
    expect(forced.stderr).toMatch(/obs\.yaml xray\.samplingRules\[0\]\.fixedRate: replaced 0\.5 with 0\.1/);
  });

  it('a second sampling rule the user added is kept', async () => {
    const dir = await initialised();
    const edited = await editObsYaml(dir, (t) =>
      t
        .replace('fixedRate: 0.1', 'fixedRate: 0.25')
        .replace(/(  samplingRules:\n)/, '$1    - ruleName: Health\n      priority: 10\n      fixedRate: 0\n      reservoirSize: 0\n      urlPath: /health\n'),
    );
    const rerun = await runObs(['init', '--dir', dir, '--yes'], { env: ENV });
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    expect(await readFile(join(dir, 'obs.yaml'), 'utf8')).toBe(edited);
  });
});
