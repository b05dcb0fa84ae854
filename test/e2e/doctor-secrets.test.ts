import { randomInt } from 'node:crypto';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/checks/types.js';
import { REPO_ROOT, gitProject, runObs, tempProject, type ObsRun } from '../support/run-obs.js';

/*
 * `obs doctor` over a git project seeded with keys in compose, in a tracked config file, in a
 * tracked .env and in the corpus files that committed real (redacted) keys outside compose: the
 * findings name file:line, exit is 1, and no seeded value reaches stdout or stderr.
 *
 * Key-shaped values are generated per run (so this file holds none), from alphabets without
 * vowels so no placeholder word can appear in them by chance.
 */
const LOWER = 'bcdfghjklmnpqrstvwxyz0123456789';
const MIXED = 'BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789';
const UPPER = 'BCDFGHJKLMNPQRSTVWXYZ0123456789';
const HEX = '0123456789abcdef';
const rand = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');

const HC_INGEST = `hcaik_${rand(LOWER, 58)}`;
const HC_CONFIG = rand(MIXED, 22);
const HC_CLASSIC = rand(HEX, 32);
const AWS_ID = `AKIA${rand(UPPER, 16)}`;
const AWS_SECRET = rand(`${MIXED}/+`, 40);
const ROLLBAR_IN_ENV = rand(HEX, 32);
const ROLLBAR_IN_CONFIG = rand(HEX, 32);
// What the corpus redaction left: same length, prefixes kept.
const CORPUS_VALUES = ['X'.repeat(22), 'X'.repeat(32), 'X'.repeat(40), `AKIA${'X'.repeat(16)}`];
const SEEDED = [HC_INGEST, HC_CONFIG, HC_CLASSIC, AWS_ID, AWS_SECRET, ROLLBAR_IN_ENV, ROLLBAR_IN_CONFIG, ...CORPUS_VALUES];

const CORPUS = join(REPO_ROOT, 'test/fixtures/corpus/_secrets-in-other-files');
/** Corpus file -> the path it had in its repository (SOURCE.txt). */
const CORPUS_FILES: Record<string, string> = {
  'sm1lexops__aws-bootcamp-cruddur-2023__.devcontainer__devcontainer.json': '.devcontainer/devcontainer.json',
  'PericoLedesma__aws-bootcamp-cruddur-2023__backend-flask.env': 'backend-flask.env',
  'dnachman__aws-bootcamp-cruddur-2023__extra__scratchpad.txt': 'extra/scratchpad.txt',
  'omenking__aws-bootcamp-cruddur-2023__temp.txt': 'temp.txt',
  'omenking__aws-bootcamp-cruddur-2023__bin__backend__run': 'bin/backend/run',
};

const COMPOSE = `services:
  backend-flask:
    image: python:3.12
    environment:
      OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io"
      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HC_INGEST}"
      AWS_XRAY_DAEMON_ADDRESS: "xray-daemon:2000"
      ROLLBAR_ACCESS_TOKEN: "\${ROLLBAR_ACCESS_TOKEN}"
  xray-daemon:
    image: amazon/aws-xray-daemon
    environment:
      AWS_ACCESS_KEY_ID: "${AWS_ID}"
      AWS_SECRET_ACCESS_KEY: ${AWS_SECRET}
      AWS_REGION: "us-east-1"
`;

const SETTINGS = `import os

HONEYCOMB_API_KEY = os.getenv("HONEYCOMB_API_KEY", "")
ROLLBAR = {
    "access_token": "${ROLLBAR_IN_CONFIG}",  # rollbar
}
HONEYCOMB_WRITEKEY = '${HC_CLASSIC}'
`;

const DOTENV = `HONEYCOMB_API_KEY=${HC_CONFIG}
ROLLBAR_ACCESS_TOKEN=${ROLLBAR_IN_ENV}
AWS_DEFAULT_REGION=us-east-1
`;

const EXPECTED_FINDINGS = [
  '.devcontainer/devcontainer.json:10: AWS access key id hard-coded (AKIA…(20 chars))',
  '.devcontainer/devcontainer.json:13: Rollbar access token hard-coded (XXXX…(32 chars))',
  '.devcontainer/devcontainer.json:14: Honeycomb configuration key hard-coded (XXXX…(22 chars))',
  `.env:1: Honeycomb configuration key hard-coded (${HC_CONFIG.slice(0, 4)}…(22 chars))`,
  `.env:2: Rollbar access token hard-coded (${ROLLBAR_IN_ENV.slice(0, 4)}…(32 chars))`,
  'backend-flask.env:11: Honeycomb configuration key hard-coded (XXXX…(22 chars))',
  'backend-flask.env:16: AWS access key id hard-coded (AKIA…(20 chars))',
  'backend-flask.env:17: AWS secret access key hard-coded (XXXX…(40 chars))',
  'backend-flask.env:18: Rollbar access token hard-coded (XXXX…(32 chars))',
  'bin/backend/run:21: Honeycomb configuration key hard-coded (XXXX…(22 chars))',
  'bin/backend/run:25: AWS access key id hard-coded (AKIA…(20 chars))',
  'bin/backend/run:26: AWS secret access key hard-coded (XXXX…(40 chars))',
  'bin/backend/run:27: Rollbar access token hard-coded (XXXX…(32 chars))',
  `config/settings.py:5: Rollbar access token hard-coded (${ROLLBAR_IN_CONFIG.slice(0, 4)}…(32 chars))`,
  `config/settings.py:7: Honeycomb classic key hard-coded (${HC_CLASSIC.slice(0, 4)}…(32 chars))`,
  'docker-compose.yml:6: Honeycomb ingest key hard-coded (hcai…(64 chars))',
  'docker-compose.yml:12: AWS access key id hard-coded (AKIA…(20 chars))',
  `docker-compose.yml:13: AWS secret access key hard-coded (${AWS_SECRET.slice(0, 4)}…(40 chars))`,
  'extra/scratchpad.txt:1: Honeycomb configuration key hard-coded (XXXX…(22 chars))',
  'extra/scratchpad.txt:7: Rollbar access token hard-coded (XXXX…(32 chars))',
  'temp.txt:4: Honeycomb configuration key hard-coded (XXXX…(22 chars))',
  'temp.txt:12: AWS secret access key hard-coded (XXXX…(40 chars))',
  'temp.txt:19: AWS access key id hard-coded (AKIA…(20 chars))',
  'temp.txt:25: Rollbar access token hard-coded (XXXX…(32 chars))',
];

let dir: string;
let home: string;
let json: ObsRun;
let human: ObsRun;
const cleanup: string[] = [];

beforeAll(async () => {
  const staging = await tempProject();
  home = await tempProject();
  cleanup.push(staging, home);
  const files: Record<string, string> = {
    'obs.yaml': 'version: 1\nhoneycomb:\n  enabled: true\nrollbar:\n  enabled: true\nxray:\n  enabled: true\n',
    'docker-compose.yml': COMPOSE,
    'config/settings.py': SETTINGS,
    '.env': DOTENV,
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(staging, path)), { recursive: true });
    await writeFile(join(staging, path), text);
  }
  for (const [name, path] of Object.entries(CORPUS_FILES)) {
    await mkdir(dirname(join(staging, path)), { recursive: true });
    await copyFile(join(CORPUS, name), join(staging, path));
  }
  dir = await gitProject(staging); // everything committed, .env included
  cleanup.push(dir);
  const env = { HOME: home, AWS_EC2_METADATA_DISABLED: 'true' };
  [json, human] = await Promise.all([runObs(['doctor', '--dir', dir, '--json'], { env }), runObs(['doctor', '--dir', dir], { env })]);
});

afterAll(async () => {
  await Promise.all(cleanup.map((d) => rm(d, { recursive: true, force: true })));
});

function secretsResults(): Record<string, CheckResult> {
  const doc = JSON.parse(json.stdout) as { checks: CheckResult[] };
  return Object.fromEntries(doc.checks.map((c) => [c.id, c]));
}

describe('obs doctor: keys and secrets', () => {
  it('seeded the corpus files unchanged', async () => {
    for (const [name, path] of Object.entries(CORPUS_FILES)) {
      expect(await readFile(join(dir, path), 'utf8')).toBe(await readFile(join(CORPUS, name), 'utf8'));
    }
  });

  it('exits 1 in both forms', () => {
    expect(json.exitCode, json.stderr).toBe(1);
    expect(human.exitCode, human.stderr).toBe(1);
  });

  it('lists every hard-coded key with file:line, kind and masked value', () => {
    const result = secretsResults()['no-hardcoded-secrets']!;
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(`${EXPECTED_FINDINGS.length} hard-coded keys in 8 files`);
    expect(result.findings!.map((f) => `${f.file}:${f.line}: ${f.message}`)).toEqual(EXPECTED_FINDINGS);
    for (const f of result.findings!) expect(f.fix).toMatch(/rotate the key: it stays in the git history$/);
  });

  it('reports the other secrets checks from what the project holds', () => {
    const r = secretsResults();
    expect(r['honeycomb-key']).toMatchObject({ status: 'pass', detail: `set in .env (configuration key, ${HC_CONFIG.slice(0, 4)}…(22 chars))` });
    expect(r['rollbar-token']).toMatchObject({ status: 'pass', detail: `set in .env (${ROLLBAR_IN_ENV.slice(0, 4)}…(32 chars))` });
    expect(r['aws-credentials']!.status).toBe('warn');
    expect(r['aws-credentials']!.detail).toContain('written in docker-compose.yml, service xray-daemon instead of .env');
    expect(r['dotenv-ignored']).toMatchObject({ status: 'fail', fix: 'git rm --cached .env && echo .env >> .gitignore, commit, then rotate the keys it held' });
  });

  it('prints the same findings in the checklist', () => {
    for (const line of EXPECTED_FINDINGS) expect(human.stdout).toContain(`    ${line}\n`);
    expect(human.stdout).toMatch(/✖ No hard-coded secrets \[no-hardcoded-secrets\]: 24 hard-coded keys in 8 files/);
  });

  it('never prints a seeded value, or any 8 characters of one, on stdout or stderr', () => {
    const output = [json.stdout, json.stderr, human.stdout, human.stderr].join('\n');
    expect(output.length).toBeGreaterThan(1000);
    for (const secret of SEEDED) {
      expect(output).not.toContain(secret);
      for (let i = 0; i + 8 <= secret.length; i++) {
        const piece = secret.slice(i, i + 8);
        if (output.includes(piece)) throw new Error(`output holds ${JSON.stringify(piece)}, part of a seeded ${secret.length}-character value`);
      }
    }
  });
});
