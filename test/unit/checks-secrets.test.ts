import { randomInt } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SECRET_CHECKS } from '../../src/backends/index.js';
import { scanForSecrets } from '../../src/checks/secrets/scan.js';
import { classifyHoneycombKey, isPlaceholder } from '../../src/secrets/shapes.js';
import type { CheckResult, DoctorOptions } from '../../src/checks/types.js';
import { loadDoctorProject } from '../../src/commands/doctor/load.js';
import { resolveAwsSettings } from '../../src/aws/settings.js';
import { REPO_ROOT, git, tempProject } from '../support/run-obs.js';

/*
 * Key-shaped values are generated per run (never written in the repository, so no secret scanner
 * flags this file), from alphabets without vowels so no placeholder word (`your`, `fake`, ...) can
 * appear in them by chance.
 */
const LOWER = 'bcdfghjklmnpqrstvwxyz0123456789';
const MIXED = 'BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789';
const UPPER = 'BCDFGHJKLMNPQRSTVWXYZ0123456789';
const HEX = '0123456789abcdef';
const rand = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');

const HC_CONFIG = rand(MIXED, 22);
const HC_CLASSIC = rand(HEX, 32);
const HC_INGEST = `hcaik_${rand(LOWER, 58)}`;
const HC_CLASSIC_INGEST = `hcxic_${rand(LOWER, 58)}`;
const AWS_ID = `AKIA${rand(UPPER, 16)}`;
const AWS_SECRET = rand(`${MIXED}/+`, 40);
const ROLLBAR = rand(HEX, 32);
const ALL_SECRETS = [HC_CONFIG, HC_CLASSIC, HC_INGEST, HC_CLASSIC_INGEST, AWS_ID, AWS_SECRET, ROLLBAR];

const OPTIONS: DoctorOptions = { online: false, sendTestSpan: false, aws: { regionSource: 'the AWS profile' } };
const check = (id: string) => SECRET_CHECKS.find((c) => c.id === id)!;

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

interface Setup {
  files: Record<string, string | Buffer>;
  env?: Record<string, string>;
  /** Make a git repository; `true` commits everything, a list commits only those paths. */
  git?: boolean | string[];
}

/** A temp project: files written, optionally committed; returns its root and an empty HOME. */
async function setup({ files, git: gitMode }: Setup): Promise<{ root: string; home: string }> {
  const root = await tempProject();
  const home = await tempProject();
  dirs.push(root, home);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  if (gitMode) {
    await git(root, 'init', '-q', '-b', 'main');
    if (gitMode === true) await git(root, 'add', '-A');
    else if (gitMode.length > 0) await git(root, 'add', '-f', '--', ...gitMode);
    await git(root, 'commit', '-q', '--allow-empty', '-m', 'fixture');
  }
  return { root, home };
}

/** Runs one check over a loaded temp project; asserts no secret value leaks into the result. */
async function run(id: string, s: Setup): Promise<CheckResult> {
  const { root, home } = await setup(s);
  const project = await loadDoctorProject(root, { HOME: home, ...s.env });
  const result = await check(id).run(project, OPTIONS);
  expectNoSecret(JSON.stringify(result));
  return result;
}

function expectNoSecret(text: string): void {
  for (const secret of ALL_SECRETS) {
    for (let i = 0; i + 8 <= secret.length; i++) expect(text).not.toContain(secret.slice(i, i + 8));
  }
}

const composeWith = (env: Record<string, string>, extra = '') =>
  `services:\n  api:\n    image: python:3.12\n    environment:\n${Object.entries(env)
    .map(([k, v]) => `      ${k}: "${v}"\n`)
    .join('')}${extra}`;
const HONEYCOMB_COMPOSE = composeWith({ OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=${HONEYCOMB_API_KEY}' });

describe('SECRET_CHECKS', () => {
  it('lists the five checks in order, all in the secrets group', () => {
    expect(SECRET_CHECKS.map((c) => c.id)).toEqual(['honeycomb-key', 'rollbar-token', 'aws-credentials', 'no-hardcoded-secrets', 'dotenv-ignored']);
    expect(new Set(SECRET_CHECKS.map((c) => c.group))).toEqual(new Set(['secrets']));
  });
});

describe('classifyHoneycombKey', () => {
  it.each([
    ['22 characters', HC_CONFIG, 'configuration', false],
    ['23 characters', `${HC_CONFIG}k`, 'configuration', false],
    ['32 hex', HC_CLASSIC, 'classic', true],
    ['hcaik_', HC_INGEST, 'ingest', false],
    ['hcxic_', HC_CLASSIC_INGEST, 'classic-ingest', true],
  ])('%s is a %s key', (_, value, kind, classic) => {
    expect(classifyHoneycombKey(value)).toMatchObject({ kind, classic });
  });

  it.each(['test', 'bogus_key', `${'k'.repeat(24)}`, 'hcaik_short', 'k'.repeat(21), 'abcdefghij-BCDEFGHIJ12'])('%s is no Honeycomb key', (value) => {
    expect(classifyHoneycombKey(value)).toBeUndefined();
  });
});

describe('honeycomb-key', () => {
  it('is skipped when Honeycomb is not in use', async () => {
    const r = await run('honeycomb-key', { files: { 'docker-compose.yml': composeWith({ A: 'b' }) } });
    expect(r.status).toBe('skip');
  });

  it('fails when compose references ${HONEYCOMB_API_KEY} and nothing sets it', async () => {
    const r = await run('honeycomb-key', { files: { 'docker-compose.yml': HONEYCOMB_COMPOSE } });
    expect(r).toMatchObject({ status: 'fail', detail: 'HONEYCOMB_API_KEY is not set in the environment or in .env' });
    expect(r.fix).toContain("echo 'HONEYCOMB_API_KEY=...' >> .env");
    expect(r.fix).not.toContain('gp env');
  });

  it('says `gp env` on Gitpod', async () => {
    const r = await run('honeycomb-key', { files: { 'docker-compose.yml': HONEYCOMB_COMPOSE, '.gitpod.yml': 'tasks: []\n' } });
    expect(r.status).toBe('fail');
    expect(r.fix).toContain('gp env HONEYCOMB_API_KEY=...');
  });

  it('fails when the key is empty', async () => {
    const r = await run('honeycomb-key', { files: { 'docker-compose.yml': HONEYCOMB_COMPOSE, '.env': 'HONEYCOMB_API_KEY=\n' } });
    expect(r).toMatchObject({ status: 'fail', detail: 'HONEYCOMB_API_KEY is empty in .env' });
  });

  it('passes with an ingest key in .env, showing only its kind, first 4 characters and length', async () => {
    const r = await run('honeycomb-key', { files: { 'docker-compose.yml': HONEYCOMB_COMPOSE, '.env': `HONEYCOMB_API_KEY=${HC_INGEST}\n` } });
    expect(r).toMatchObject({ status: 'pass', detail: 'set in .env (ingest key, hcai…(64 chars))' });
  });

  it('prefers the environment obs runs in over .env, as compose does', async () => {
    const r = await run('honeycomb-key', {
      files: { 'docker-compose.yml': HONEYCOMB_COMPOSE, '.env': 'HONEYCOMB_API_KEY=\n' },
      env: { HONEYCOMB_API_KEY: HC_CONFIG },
    });
    expect(r).toMatchObject({ status: 'pass', detail: `set in the environment (configuration key, ${HC_CONFIG.slice(0, 4)}…(22 chars))` });
  });

  it('expands a .env value that references other variables the way compose does', async () => {
    // One variable from the environment, one from .env; the key is split across both.
    const half = HC_INGEST.length / 2;
    const r = await run('honeycomb-key', {
      files: { 'docker-compose.yml': HONEYCOMB_COMPOSE, '.env': `KEY_TAIL=${HC_INGEST.slice(half)}\nHONEYCOMB_API_KEY=\${KEY_HEAD}\${KEY_TAIL}\n` },
      env: { KEY_HEAD: HC_INGEST.slice(0, half) },
    });
    expect(r).toMatchObject({ status: 'pass', detail: 'set in .env (via KEY_HEAD, KEY_TAIL) (ingest key, hcai…(64 chars))' });
  });

  it('uses the default of a .env reference to an unset variable, and fails when nothing fills it', async () => {
    const withDefault = await run('honeycomb-key', {
      files: { 'docker-compose.yml': HONEYCOMB_COMPOSE, '.env': `HONEYCOMB_API_KEY=\${TEAM_KEY:-${HC_CONFIG}}\n` },
    });
    expect(withDefault).toMatchObject({ status: 'pass', detail: `set in .env (via TEAM_KEY) (configuration key, ${HC_CONFIG.slice(0, 4)}…(22 chars))` });
    const unset = await run('honeycomb-key', { files: { 'docker-compose.yml': HONEYCOMB_COMPOSE, '.env': 'HONEYCOMB_API_KEY=${TEAM_KEY}\n' } });
    expect(unset.status).toBe('fail');
  });

  it('takes a value from the environment as it is: compose does not expand it', async () => {
    const r = await run('honeycomb-key', {
      files: { 'docker-compose.yml': HONEYCOMB_COMPOSE },
      env: { HONEYCOMB_API_KEY: '${TEAM_KEY}', TEAM_KEY: HC_INGEST },
    });
    expect(r.status).toBe('warn');
    expect(r.detail).toContain('does not look like a Honeycomb key');
  });

  it('is enabled by obs.yaml alone', async () => {
    const r = await run('honeycomb-key', { files: { 'obs.yaml': 'version: 1\nhoneycomb:\n  enabled: true\n' } });
    expect(r.status).toBe('fail');
  });

  it('warns on a value of no known shape without showing it', async () => {
    const r = await run('honeycomb-key', { files: { 'docker-compose.yml': HONEYCOMB_COMPOSE, '.env': 'HONEYCOMB_API_KEY=bogus_key\n' } });
    expect(r.status).toBe('warn');
    expect(r.detail).toContain('does not look like a Honeycomb key ((9 chars))');
    expect(r.detail).not.toContain('bogus');
  });

  it('warns that a classic key needs a dataset, and passes once one is set', async () => {
    const env = `HONEYCOMB_API_KEY=${HC_CLASSIC}\n`;
    const without = await run('honeycomb-key', { files: { 'docker-compose.yml': HONEYCOMB_COMPOSE, '.env': env } });
    expect(without.status).toBe('warn');
    expect(without.fix).toContain('x-honeycomb-dataset');
    const compose = composeWith({ OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=${HONEYCOMB_API_KEY},x-honeycomb-dataset=api' });
    const withDataset = await run('honeycomb-key', { files: { 'docker-compose.yml': compose, '.env': env } });
    expect(withDataset.status).toBe('pass');
    expect(withDataset.detail).toContain('classic key');
  });
});

describe('rollbar-token', () => {
  const compose = composeWith({ ROLLBAR_ACCESS_TOKEN: '${ROLLBAR_ACCESS_TOKEN}' });

  it('is skipped when Rollbar is not in use', async () => {
    expect((await run('rollbar-token', { files: { 'docker-compose.yml': composeWith({ A: 'b' }) } })).status).toBe('skip');
  });

  it('fails when compose references it and it is not set', async () => {
    const r = await run('rollbar-token', { files: { 'docker-compose.yml': compose } });
    expect(r).toMatchObject({ status: 'fail', detail: 'ROLLBAR_ACCESS_TOKEN is not set in the environment or in .env' });
    expect(r.fix).toContain("echo 'ROLLBAR_ACCESS_TOKEN=...' >> .env");
  });

  it('fails when obs.yaml enables Rollbar and the token is empty', async () => {
    const r = await run('rollbar-token', { files: { 'obs.yaml': 'version: 1\nrollbar:\n  enabled: true\n', '.env': 'ROLLBAR_ACCESS_TOKEN=""\n' } });
    expect(r).toMatchObject({ status: 'fail', detail: 'ROLLBAR_ACCESS_TOKEN is empty in .env' });
  });

  it('passes with a 32-hex token in .env', async () => {
    const r = await run('rollbar-token', { files: { 'docker-compose.yml': compose, '.env': `ROLLBAR_ACCESS_TOKEN=${ROLLBAR}\n` } });
    expect(r).toMatchObject({ status: 'pass', detail: `set in .env (${ROLLBAR.slice(0, 4)}…(32 chars))` });
  });

  it('warns on a token of the wrong shape', async () => {
    const r = await run('rollbar-token', { files: { 'docker-compose.yml': compose, '.env': `ROLLBAR_ACCESS_TOKEN=${ROLLBAR}0\n` } });
    expect(r.status).toBe('warn');
  });
});

describe('aws-credentials', () => {
  const daemon =
    'services:\n  xray-daemon:\n    image: amazon/aws-xray-daemon\n    environment:\n      AWS_ACCESS_KEY_ID: "${AWS_ACCESS_KEY_ID}"\n      AWS_SECRET_ACCESS_KEY: "${AWS_SECRET_ACCESS_KEY}"\n      AWS_REGION: "${AWS_DEFAULT_REGION}"\n';

  /** Like run(), with files under the (empty) HOME too. */
  async function runAws(files: Record<string, string>, homeFiles: Record<string, string>, env: Record<string, string> = {}, flags: { profile?: string; region?: string } = {}): Promise<CheckResult> {
    const { root, home } = await setup({ files });
    for (const [path, content] of Object.entries(homeFiles)) {
      await mkdir(dirname(join(home, path)), { recursive: true });
      await writeFile(join(home, path), content);
    }
    const project = await loadDoctorProject(root, { HOME: home, ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace('$HOME', home)])) });
    // The flags as obs doctor resolves them (the check reads the environment and .env itself).
    const result = await check('aws-credentials').run(project, { ...OPTIONS, aws: resolveAwsSettings(flags, {}) });
    expectNoSecret(JSON.stringify(result));
    return result;
  }

  it('is skipped without X-Ray or CloudWatch', async () => {
    expect((await runAws({ 'docker-compose.yml': composeWith({ A: 'b' }) }, {})).status).toBe('skip');
  });

  it('fails with no credentials and no region anywhere', async () => {
    const r = await runAws({ 'docker-compose.yml': daemon }, {});
    expect(r.status).toBe('fail');
    expect(r.findings!.map((f) => f.message)).toEqual([
      'no AWS credentials: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set, and there is no default profile in ~/.aws/credentials or ~/.aws/config',
      'no AWS region: AWS_REGION and AWS_DEFAULT_REGION are not set, and profile default has no region',
    ]);
  });

  it('passes with the keys and region in .env, naming where they came from', async () => {
    const r = await runAws({ 'docker-compose.yml': daemon, '.env': `AWS_ACCESS_KEY_ID=${AWS_ID}\nAWS_SECRET_ACCESS_KEY=${AWS_SECRET}\nAWS_DEFAULT_REGION=eu-west-1\n` }, {});
    expect(r).toMatchObject({
      status: 'pass',
      detail: 'credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in .env; region eu-west-1 from AWS_DEFAULT_REGION in .env',
    });
  });

  it('fails when only half of the key pair is set', async () => {
    const r = await runAws({ 'docker-compose.yml': daemon, '.env': `AWS_ACCESS_KEY_ID=${AWS_ID}\nAWS_DEFAULT_REGION=eu-west-1\n` }, {});
    expect(r).toMatchObject({ status: 'fail', detail: 'AWS_ACCESS_KEY_ID is set in .env but AWS_SECRET_ACCESS_KEY is not set; region eu-west-1 from AWS_DEFAULT_REGION in .env' });
  });

  it('reads the default profile from ~/.aws (offline), and warns that compose cannot pass it to containers', async () => {
    const r = await runAws(
      { 'obs.yaml': 'version: 1\nxray:\n  enabled: true\n', 'docker-compose.yml': daemon },
      {
        '.aws/credentials': `[default]\naws_access_key_id = ${AWS_ID}\naws_secret_access_key = ${AWS_SECRET}\n`,
        '.aws/config': '[default]\nregion = us-west-2\n',
      },
    );
    expect(r.status).toBe('warn');
    expect(r.detail).toContain('credentials from profile default in ~/.aws/credentials (static keys); region us-west-2 from profile default in ~/.aws/config');
    expect(r.findings!.map((f) => f.message)).toContain('compose passes ${AWS_ACCESS_KEY_ID} to containers, but it is not set in the environment or .env');
  });

  it('passes with AWS_PROFILE naming a profile in AWS_CONFIG_FILE', async () => {
    const r = await runAws(
      { 'obs.yaml': 'version: 1\ncloudwatch:\n  enabled: true\n' },
      { 'custom/config': '[profile dev]\nrole_arn = arn:aws:iam::123456789012:role/dev\nsource_profile = base\nregion = ca-central-1\n' },
      { AWS_PROFILE: 'dev', AWS_CONFIG_FILE: '$HOME/custom/config' },
    );
    expect(r.status).toBe('pass');
    expect(r.detail).toMatch(/^credentials from profile dev in .*custom\/config \(an assumed role, not checked offline\); region ca-central-1 from profile dev in /);
  });

  it('fails when AWS_PROFILE names a missing profile', async () => {
    const r = await runAws({ 'obs.yaml': 'version: 1\nxray:\n  enabled: true\n' }, { '.aws/config': '[default]\nregion = us-east-1\n' }, { AWS_PROFILE: 'nope' });
    expect(r.status).toBe('fail');
    expect(r.findings!.map((f) => f.message)).toEqual([
      'AWS_PROFILE names profile nope, which is in neither ~/.aws/credentials or ~/.aws/config',
      'no AWS region: AWS_REGION and AWS_DEFAULT_REGION are not set, and profile nope has no region',
    ]);
    expect(r.fix).toBe('aws configure --profile nope, or unset AWS_PROFILE');
  });

  describe('--profile and --region, with the precedence of the AWS commands', () => {
    const xray = { 'obs.yaml': 'version: 1\nxray:\n  enabled: true\n' };
    const p1Only = {
      '.aws/credentials': `[p1]\naws_access_key_id = ${AWS_ID}\naws_secret_access_key = ${AWS_SECRET}\n`,
      '.aws/config': '[profile p1]\nregion = eu-central-1\n[profile p2]\nregion = ap-south-1\ncredential_process = /bin/creds\n',
    };

    it('--profile p1 passes with only a p1 profile, as AWS_PROFILE=p1 does', async () => {
      const detail = 'credentials from profile p1 in ~/.aws/credentials (static keys); region eu-central-1 from profile p1 in ~/.aws/config';
      expect(await runAws(xray, p1Only, {}, { profile: 'p1' })).toMatchObject({ status: 'pass', detail });
      expect(await runAws(xray, p1Only, { AWS_PROFILE: 'p1' })).toMatchObject({ status: 'pass', detail });
    });

    it('--profile wins over AWS_PROFILE and over keys in the environment', async () => {
      const r = await runAws(xray, p1Only, { AWS_PROFILE: 'p2', AWS_ACCESS_KEY_ID: AWS_ID, AWS_SECRET_ACCESS_KEY: AWS_SECRET }, { profile: 'p1' });
      expect(r).toMatchObject({ status: 'pass', detail: 'credentials from profile p1 in ~/.aws/credentials (static keys); region eu-central-1 from profile p1 in ~/.aws/config' });
    });

    it('--profile naming a missing profile fails and names the flag', async () => {
      const r = await runAws(xray, p1Only, { AWS_PROFILE: 'p1' }, { profile: 'nope' });
      expect(r.status).toBe('fail');
      expect(r.findings!.map((f) => f.message)).toEqual([
        '--profile names profile nope, which is in neither ~/.aws/credentials or ~/.aws/config',
        'no AWS region: AWS_REGION and AWS_DEFAULT_REGION are not set, and profile nope has no region',
      ]);
      expect(r.fix).toBe('aws configure --profile nope, or pass a --profile that exists');
    });

    it('--region wins over AWS_REGION, AWS_DEFAULT_REGION and the profile', async () => {
      const r = await runAws(xray, p1Only, { AWS_REGION: 'us-west-1', AWS_DEFAULT_REGION: 'us-west-2' }, { profile: 'p1', region: 'sa-east-1' });
      expect(r).toMatchObject({ status: 'pass', detail: 'credentials from profile p1 in ~/.aws/credentials (static keys); region sa-east-1 from --region' });
    });

    it('--region supplies the region a profile lacks; AWS_REGION still wins over the profile without it', async () => {
      const keys = { '.aws/credentials': `[default]\naws_access_key_id = ${AWS_ID}\naws_secret_access_key = ${AWS_SECRET}\n` };
      expect(await runAws(xray, keys, {}, { region: 'eu-west-3' })).toMatchObject({
        status: 'pass',
        detail: 'credentials from profile default in ~/.aws/credentials (static keys); region eu-west-3 from --region',
      });
      expect((await runAws(xray, p1Only, { AWS_REGION: 'us-west-1' }, { profile: 'p1' })).detail).toBe(
        'credentials from profile p1 in ~/.aws/credentials (static keys); region us-west-1 from AWS_REGION in the environment',
      );
    });
  });

  it('fails on an invalid region name', async () => {
    const r = await runAws({ 'docker-compose.yml': daemon }, {}, { AWS_ACCESS_KEY_ID: AWS_ID, AWS_SECRET_ACCESS_KEY: AWS_SECRET, AWS_REGION: 'us_east_1', AWS_DEFAULT_REGION: 'us-east-1' });
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('AWS_REGION in the environment is not a valid region name: "us_east_1"');
  });
});

describe('no-hardcoded-secrets', () => {
  it('passes when compose and tracked files only reference variables, and placeholders are not keys', async () => {
    const r = await run('no-hardcoded-secrets', {
      files: {
        'docker-compose.yml': composeWith({
          OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=${HONEYCOMB_API_KEY}',
          HONEYCOMB_API_KEY: 'bogus_key',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'changeme',
          ROLLBAR_ACCESS_TOKEN: 'your-api-key',
        }),
        'backend/.env.example': 'HONEYCOMB_API_KEY=\nAWS_ACCESS_KEY_ID=AKIAXXXX\nROLLBAR_ACCESS_TOKEN=XXXX\n',
        'docs/aws.md': 'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n',
      },
      git: true,
    });
    expect(r.status).toBe('pass');
    expect(r.detail).toBe('no hard-coded keys in 3 files: the compose files and every git-tracked file');
  });

  it('fails on keys in compose, in a tracked config file and in a tracked .env, with file:line and masked values', async () => {
    const r = await run('no-hardcoded-secrets', {
      files: {
        'docker-compose.yml': composeWith({ OTEL_EXPORTER_OTLP_HEADERS: `x-honeycomb-team=${HC_INGEST}`, AWS_ACCESS_KEY_ID: AWS_ID }),
        'config/settings.py': `import os\n\nROLLBAR_ACCESS_TOKEN = "${ROLLBAR}"\nsecret_access_key = '${AWS_SECRET}'\n`,
        '.env': `HONEYCOMB_API_KEY=${HC_CONFIG}\n`,
        'notes/untracked.txt': `AWS_ACCESS_KEY_ID=${AWS_ID}\n`,
      },
      git: ['docker-compose.yml', 'config/settings.py', '.env'],
    });
    expect(r.status).toBe('fail');
    expect(r.detail).toBe('5 hard-coded keys in 3 files');
    expect(r.findings!.map((f) => `${f.file}:${f.line}: ${f.message}`)).toEqual([
      `.env:1: Honeycomb configuration key hard-coded (${HC_CONFIG.slice(0, 4)}…(22 chars))`,
      `config/settings.py:3: Rollbar access token hard-coded (${ROLLBAR.slice(0, 4)}…(32 chars))`,
      `config/settings.py:4: AWS secret access key hard-coded (${AWS_SECRET.slice(0, 4)}…(40 chars))`,
      'docker-compose.yml:5: Honeycomb ingest key hard-coded (hcai…(64 chars))',
      'docker-compose.yml:6: AWS access key id hard-coded (AKIA…(20 chars))',
    ]);
    const fixes = Object.fromEntries(r.findings!.map((f) => [`${f.file}:${f.line}`, f.fix]));
    expect(fixes['docker-compose.yml:5']).toContain('write x-honeycomb-team=${HONEYCOMB_API_KEY} here (`obs init` does it; `obs doctor --fix` will)');
    expect(fixes['docker-compose.yml:6']).toContain('write ${AWS_ACCESS_KEY_ID} here');
    expect(fixes['docker-compose.yml:6']).toContain('then rotate the key: it stays in the git history');
    expect(fixes['.env:1']).toContain('git rm --cached .env');
    expect(fixes['config/settings.py:3']).toContain('read ROLLBAR_ACCESS_TOKEN from the environment');
  });

  it('counts all-X strings of a real key shape (the corpus redaction) but not shorter XXXX', async () => {
    const r = await run('no-hardcoded-secrets', {
      files: { 'docker-compose.yml': composeWith({ AWS_ACCESS_KEY_ID: `AKIA${'X'.repeat(16)}`, AWS_SECRET_ACCESS_KEY: 'X'.repeat(40), HONEYCOMB_API_KEY: 'XXXX' }) },
      git: true,
    });
    expect(r.findings!.map((f) => `${f.line}: ${f.message}`)).toEqual(['5: AWS access key id hard-coded (AKIA…(20 chars))', '6: AWS secret access key hard-coded (XXXX…(40 chars))']);
  });

  it('skips binary files and files over 1 MiB', async () => {
    const r = await run('no-hardcoded-secrets', {
      files: {
        'docker-compose.yml': composeWith({ A: 'b' }),
        'blob.bin': Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(`AWS_ACCESS_KEY_ID=${AWS_ID}\n`)]),
        'big.txt': `${'x'.repeat(1024 * 1024)}\nAWS_ACCESS_KEY_ID=${AWS_ID}\n`,
      },
      git: true,
    });
    expect(r.status).toBe('pass');
  });

  it('outside git, scans compose and source files but not node_modules or the .env itself', async () => {
    const r = await run('no-hardcoded-secrets', {
      files: {
        'docker-compose.yml': composeWith({ A: 'b' }),
        '.env': `HONEYCOMB_API_KEY=${HC_CONFIG}\n`,
        'node_modules/pkg/index.js': `const k = "${HC_INGEST}";\n`,
        'app/tracing.js': `new HoneycombSDK({\n  apiKey: '${HC_CONFIG}',\n});\n`,
        'bin/run': `#!/bin/sh\nexport AWS_SECRET_ACCESS_KEY="${AWS_SECRET}"\n`,
      },
    });
    expect(r.status).toBe('fail');
    expect(r.findings!.map((f) => `${f.file}:${f.line}`)).toEqual(['app/tracing.js:2', 'bin/run:2']);
    expect(r.findings![0]!.fix).toContain('rotate the key if this file was ever shared');
  });

  it('finds every redacted key in the corpus files committed outside compose', async () => {
    const corpus = join(REPO_ROOT, 'test/fixtures/corpus/_secrets-in-other-files');
    const found: Record<string, string[]> = {};
    for (const name of (await readdir(corpus)).filter((n) => n !== 'SOURCE.txt')) {
      found[name] = scanForSecrets(await readFile(join(corpus, name), 'utf8')).map((h) => `${h.line} ${h.kind}`);
    }
    expect(found).toEqual({
      'PericoLedesma__aws-bootcamp-cruddur-2023__backend-flask.env': ['11 Honeycomb configuration key', '16 AWS access key id', '17 AWS secret access key', '18 Rollbar access token'],
      'dnachman__aws-bootcamp-cruddur-2023__extra__scratchpad.txt': ['1 Honeycomb configuration key', '7 Rollbar access token'],
      'omenking__aws-bootcamp-cruddur-2023__bin__backend__run': ['21 Honeycomb configuration key', '25 AWS access key id', '26 AWS secret access key', '27 Rollbar access token'],
      'omenking__aws-bootcamp-cruddur-2023__temp.txt': ['4 Honeycomb configuration key', '12 AWS secret access key', '19 AWS access key id', '25 Rollbar access token'],
      'sm1lexops__aws-bootcamp-cruddur-2023__.devcontainer__devcontainer.json': ['10 AWS access key id', '13 Rollbar access token', '14 Honeycomb configuration key'],
    });
  });

  it('checks the defaults of ${VAR:-default} and names in other languages', () => {
    const text = [
      `KEY: "\${HONEYCOMB_API_KEY:-${HC_CONFIG}}"`,
      `Rollbar.configure { |config| config.access_token = '${ROLLBAR}' }`,
      `rollbar.init("${ROLLBAR}", environment="production")`,
      `"x-honeycomb-team": "${HC_CLASSIC}",`,
      `aws_secret_access_key=${AWS_SECRET}`,
      'HONEYCOMB_API_KEY=${HONEYCOMB_API_KEY}',
    ].join('\n');
    expect(scanForSecrets(text).map((h) => `${h.line} ${h.kind}`)).toEqual([
      '1 Honeycomb configuration key',
      '2 Rollbar access token',
      '3 Rollbar access token',
      '4 Honeycomb classic key',
      '5 AWS secret access key',
    ]);
  });

  it.each(['bogus_key', 'changeme', 'your-api-key', 'AKIAIOSFODNN7EXAMPLE', 'aaaaaaaaaaaaaaaaaaaaaa'])('%s is a placeholder', (value) => {
    expect(isPlaceholder(value)).toBe(true);
  });

  it.each(['X'.repeat(22), `AKIA${'X'.repeat(16)}`, 'hcaik_XXXXXXXXXXXXXXXXXXXXXXXXXX'])('%s is not a placeholder', (value) => {
    expect(isPlaceholder(value)).toBe(false);
  });
});

describe('dotenv-ignored', () => {
  it('fails when .env is tracked', async () => {
    const r = await run('dotenv-ignored', { files: { '.env': 'A=1\n' }, git: true });
    expect(r.status).toBe('fail');
    expect(r.fix).toBe('git rm --cached .env && echo .env >> .gitignore, commit, then rotate the keys it held');
  });

  it('fails when .env exists in a repository and is not ignored', async () => {
    const r = await run('dotenv-ignored', { files: { '.env': 'A=1\n', README: 'x\n' }, git: ['README'] });
    expect(r).toMatchObject({ status: 'fail', fix: 'echo .env >> .gitignore' });
  });

  it('passes when .env is ignored and untracked', async () => {
    const r = await run('dotenv-ignored', { files: { '.env': 'A=1\n', '.gitignore': '.env\n' }, git: ['.gitignore'] });
    expect(r).toMatchObject({ status: 'pass', detail: '.env is git-ignored and not tracked' });
  });

  it('passes with no .env when .gitignore covers it', async () => {
    const r = await run('dotenv-ignored', { files: { '.gitignore': '*.env\n.env\n' }, git: true });
    expect(r).toMatchObject({ status: 'pass', detail: 'no .env yet, and .gitignore covers it' });
  });

  it('warns with no .env that is not ignored yet', async () => {
    const r = await run('dotenv-ignored', { files: { README: 'x\n' }, git: true });
    expect(r).toMatchObject({ status: 'warn', fix: 'echo .env >> .gitignore' });
  });

  it('warns outside git when .gitignore does not cover .env', async () => {
    const r = await run('dotenv-ignored', { files: { '.env': 'A=1\n' } });
    expect(r.status).toBe('warn');
    expect(r.detail).toContain('not a git repository');
  });
});
