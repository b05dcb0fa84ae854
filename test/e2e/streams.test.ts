import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { execa } from 'execa';
import { describe, expect, inject, it } from 'vitest';
import { CORPUS } from '../support/golden.js';
import { git, gitProject, OBS_BIN, runObs, scratchDir, snapshotTree } from '../support/run-obs.js';

/**
 * Data on stdout, people on stderr (issue 12 item 16): `obs init --dry-run > plan.patch` holds a
 * patch git applies, `obs doctor > report.txt` the checklist, and the result lines of the AWS
 * commands go to stdout; prompts, progress and notes stay on stderr. With --json, stdout holds
 * one JSON document, an error object too when the command line or the input is wrong.
 */
const motoUrl = inject('motoUrl');

/** `obs ARGS > file`, as a shell runs it: stdout goes to the file byte for byte. */
async function obsToFile(args: string[], file: string, env: Record<string, string>): Promise<{ exitCode: number; stderr: string }> {
  const run = await execa(process.execPath, [OBS_BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', ...env },
    extendEnv: false,
    reject: false,
    stdin: 'ignore',
    stdout: { file },
  });
  return { exitCode: run.exitCode ?? -1, stderr: String(run.stderr) };
}

async function committedCopy(name: string): Promise<string> {
  const dir = join(await scratchDir('obs-streams-'), name);
  await cp(join(CORPUS, name), dir, { recursive: true });
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'fixture');
  return dir;
}

describe('obs init: the diff is the output', () => {
  // A Cruddur project (compose edits, a new daemon, a Flask module, .env, .gitignore, obs.yaml)
  // and a large public one with anchors and many services.
  it.each(['omenking__aws-bootcamp-cruddur-2023__week2-baseline', 'getlago__lago'])(
    '%s: init --dry-run > plan.patch; git apply plan.patch writes what init --yes writes',
    async (name) => {
      const viaPatch = await committedCopy(name);
      const viaInit = await committedCopy(name);
      const env = { CI: 'true' };

      const patch = join(viaPatch, '..', 'plan.patch');
      const dry = await obsToFile(['init', '--dir', viaPatch, '--dry-run', '--yes'], patch, env);
      expect(dry.exitCode, dry.stderr).toBe(0);
      const diff = await readFile(patch, 'utf8');
      expect(diff).toMatch(/^--- (a\/|\/dev\/null)/);
      // The person's part stays on stderr: what obs found, the file list, that nothing was written.
      expect(dry.stderr).toContain('Dry run: nothing was written.');
      expect(dry.stderr).toMatch(/\d+ file\(s\) to change: /);
      expect(dry.stderr).not.toContain('+++ b/');
      expect(diff).not.toContain('Dry run');

      await execa('git', ['apply', '--check', '../plan.patch'], { cwd: viaPatch });
      await execa('git', ['apply', '../plan.patch'], { cwd: viaPatch });

      const applied = await runObs(['init', '--dir', viaInit, '--yes'], { env });
      expect(applied.exitCode, applied.stderr).toBe(0);
      // The same diff on stdout when init writes, too.
      expect(`${applied.stdout}\n`).toBe(diff);
      expect(await snapshotTree(viaPatch)).toEqual(await snapshotTree(viaInit));
    },
    300_000,
  );

  it('nothing to change: stdout is empty (an empty patch), the reason is on stderr', async () => {
    const dir = await committedCopy('omenking__aws-bootcamp-cruddur-2023__week2-baseline');
    await runObs(['init', '--dir', dir, '--yes'], { env: { CI: 'true' } });
    const again = await runObs(['init', '--dir', dir, '--dry-run', '--yes'], { env: { CI: 'true' } });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toBe('');
    expect(again.stderr).toContain('Nothing to change');
  });

  it('a secret in the diff is masked on stdout as it is on stderr', async () => {
    const key = 'Zq8wErTy1uIoP3aSdF5gHj';
    const dir = await gitProject();
    await writeFile(join(dir, 'docker-compose.yml'), `services:\n  api:\n    build: ./api\n    environment:\n      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${key}"\n`);
    const dry = await runObs(['init', '--dir', dir, '--dry-run', '--yes', '--no-xray'], { env: { CI: 'true' } });
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('+++ b/docker-compose.yml');
    expect(dry.stdout + dry.stderr).not.toContain(key);
    // The masked line cannot match the file: git apply refuses the patch, and obs says so.
    expect(dry.stderr).toContain('the diff masks the secret values it moves to .env, so `git apply` refuses it');
    await writeFile(join(dir, '..', 'secret.patch'), `${dry.stdout}\n`);
    const check = await execa('git', ['apply', '--check', '../secret.patch'], { cwd: dir, reject: false });
    expect(check.exitCode).not.toBe(0);
  });

  it('with --json, stdout holds only the document, and the diff stays on stderr for a person', async () => {
    const dir = await committedCopy('omenking__aws-bootcamp-cruddur-2023__week2-baseline');
    const run = await runObs(['init', '--dir', dir, '--dry-run', '--yes', '--json'], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).dryRun).toBe(true);
    expect(run.stderr).toContain('+++ b/docker-compose.yml');
  });
});

describe('obs doctor: the checklist is the output', () => {
  it('doctor > report.txt captures the checklist and its summary; notes stay on stderr', async () => {
    const dir = await committedCopy('omenking__aws-bootcamp-cruddur-2023__week2-baseline');
    const run = await runObs(['doctor', '--dir', dir], { env: { CI: 'true' } });
    expect(run.stdout).toMatch(/✔ .*\[compose-file\]/);
    expect(run.stdout).toMatch(/\n\d+ passed, \d+ warnings, \d+ failed, \d+ skipped$/);
    expect(run.stderr).not.toMatch(/\[compose-file\]|passed, \d+ warnings/);
  });

  it('doctor --fix: the diff and the fixes go to stderr, the checklist of the result to stdout', async () => {
    const dir = await gitProject();
    await writeFile(
      join(dir, 'docker-compose.yml'),
      'services:\n  api:\n    build: ./api\n    environment:\n      OTEL_SERVICE_NAME: "app"\n  worker:\n    build: ./worker\n    environment:\n      OTEL_SERVICE_NAME: "app"\n',
    );
    const run = await runObs(['doctor', '--dir', dir, '--fix', '--check', 'otel-service-name-unique'], { env: { CI: 'true' } });
    expect(run.stderr).toContain('obs doctor --fix made');
    expect(run.stderr).toContain('+++ b/docker-compose.yml');
    expect(run.stdout).toMatch(/✔ .*\[otel-service-name-unique\]/);
    expect(run.stdout).not.toContain('fixed ');
  });
});

describe('the AWS commands: the result lines are the output', () => {
  const awsEnv = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' };

  it('logs create-group prints what it did on stdout', async () => {
    const home = await scratchDir();
    const name = `obs-e2e/streams-${randomUUID().slice(0, 8)}`;
    const run = await runObs(['logs', 'create-group', '--name', name, '--endpoint-url', motoUrl], { env: { ...awsEnv, HOME: home } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^created +log group ${name.replace('/', '\\/')}`, 'm'));
    expect(run.stderr).not.toContain(name);
  });

  it('apply prints the plan and the result on stdout', async () => {
    const home = await scratchDir();
    const dir = await gitProject();
    const group = `/obs-e2e/streams-${randomUUID().slice(0, 8)}`;
    await writeFile(join(dir, 'obs.yaml'), `version: 1\nxray:\n  enabled: false\ncloudwatch:\n  enabled: true\n  logGroups:\n    - name: ${group}\n      retentionInDays: 7\n`);
    const run = await runObs(['apply', '--dir', dir, '--endpoint-url', motoUrl], { env: { ...awsEnv, HOME: home } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Plan \(us-east-1/m);
    expect(run.stdout).toContain(group);
    expect(run.stdout).toMatch(/^1 created, 0 updated, 0 unchanged, 0 drifted, 0 failed\.$/m);
  });
});

describe('--json: bad usage is one JSON error object on stdout, exit 2', () => {
  const cases: [string, string[]][] = [
    ['init, an unknown flag', ['init', '--json', '--no-such-flag']],
    ['init, an unknown service', ['init', '--json', '--yes', '--dry-run', '--services', 'nope']],
    ['doctor, an unknown check', ['doctor', '--json', '--check', 'no-such-check']],
    ['apply, no obs.yaml', ['apply', '--json']],
    ['xray create-group, a required flag missing', ['xray', 'create-group', '--json']],
    ['xray create-sampling-rule, a bad value', ['xray', 'create-sampling-rule', '--json', '--name', 'r', '--service-name', 's', '--fixed-rate', 'lots']],
    ['logs create-group, a bad value', ['logs', 'create-group', '--json', '--name', 'g', '--retention', 'ten']],
  ];

  it.each(cases)('%s', async (_label, args) => {
    const dir = await gitProject();
    await writeFile(join(dir, 'docker-compose.yml'), 'services:\n  api:\n    build: ./api\n');
    const home = await scratchDir();
    const before = await snapshotTree(dir);
    const run = await runObs(args, { cwd: dir, env: { CI: 'true', HOME: home, AWS_REGION: 'us-east-1' } });
    expect(run.exitCode, run.stderr).toBe(2);
    const doc = JSON.parse(run.stdout) as { error: { kind: string; message: string } };
    expect(Object.keys(doc)).toEqual(['error']);
    expect(doc.error.kind).toBe('usage');
    expect(doc.error.message.length).toBeGreaterThan(0);
    expect(doc.error.message).not.toMatch(/^error: /);
    // The person still gets the one line on stderr.
    expect(run.stderr).toContain(doc.error.message);
    expect(await snapshotTree(dir)).toEqual(before);
  });

  it('an error in a file names the file and line', async () => {
    const dir = await gitProject();
    await writeFile(join(dir, 'docker-compose.yml'), 'services:\n  api:\n    build: ./api\n    environment: [\n');
    const run = await runObs(['init', '--json', '--yes', '--dry-run'], { cwd: dir, env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(2);
    const { error } = JSON.parse(run.stdout) as { error: { kind: string; message: string; file?: string; line?: number } };
    expect(error.kind).toBe('usage');
    expect(error.file).toBe('docker-compose.yml');
    expect(error.line).toBeGreaterThan(0);
  });

  it('a command without --json keeps stdout empty on bad usage', async () => {
    const run = await runObs(['completion', 'tcsh']);
    expect(run.exitCode).toBe(2);
    expect(run.stdout).toBe('');
  });

  it('a secret in the error message is masked in the JSON too', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const run = await runObs(['logs', 'create-group', '--json', '--name', 'g', '--endpoint-url', `http://user:${secret}@127.0.0.1:1`, '--retention', 'x'], { env: { AWS_REGION: 'us-east-1' } });
    expect(run.exitCode).toBe(2);
    expect(run.stdout + run.stderr).not.toContain(secret);
    JSON.parse(run.stdout);
  });
});

describe('the checklist file reads back', () => {
  it('doctor > report.txt is the same text a terminal shows, without colour codes', async () => {
    const dir = await committedCopy('omenking__aws-bootcamp-cruddur-2023__week2-baseline');
    const file = join(dir, '..', 'report.txt');
    // A file gets plain text, whatever the terminal around it.
    const run = await obsToFile(['doctor', '--dir', dir], file, { CI: 'true' });
    expect(run.exitCode).toBe(1);
    const report = await readFile(file, 'utf8');
    expect(report).not.toMatch(/\u001b\[/);
    expect(report).toMatch(/✖ /);
    expect(report.endsWith('\n')).toBe(true);
    expect(report.trim().split('\n').at(-1)).toMatch(/passed, \d+ warnings, \d+ failed, \d+ skipped$/);
  });
});
