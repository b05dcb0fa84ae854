import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readServices } from '../support/compose-read.js';
import { dockerComposeConfig, validateComposeSchema } from '../support/compose-validate.js';
import { runObs, snapshotTree, tempProject, type ObsRun } from '../support/run-obs.js';

/**
 * Issue 13 item 11: compose files a careless or hostile user writes. Each was a stack trace
 * ("unexpected error") or an edit of a file compose itself refuses; each is now one line naming
 * file:line:col, exit 2, nothing changed (init), or a failed compose-file check naming the same
 * place (doctor). Flow-style compose, which is valid, is edited in flow style.
 */
const ENV = { CI: 'true' };

async function project(compose: string | Buffer, files: Record<string, string> = {}): Promise<string> {
  const dir = await tempProject();
  await mkdir(join(dir, 'app'));
  await writeFile(join(dir, 'app', 'Dockerfile'), 'FROM node:20\n');
  await writeFile(join(dir, 'docker-compose.yml'), compose);
  for (const [path, text] of Object.entries(files)) await writeFile(join(dir, path), text);
  return dir;
}

function noStackTrace(run: ObsRun): void {
  expect(run.stderr, run.stderr).not.toMatch(/unexpected error|\n\s+at .*:\d+:\d+\)?\n|RangeError|ReferenceError|TypeError/);
}

/** init --yes: exit 2, one `obs:` line matching `error` (maybe one indented hint), the tree unchanged. */
async function expectInitRefuses(dir: string, error: RegExp, args: string[] = []): Promise<ObsRun> {
  const before = await snapshotTree(dir);
  const run = await runObs(['init', '--dir', dir, '--yes', ...args], { env: ENV });
  noStackTrace(run);
  expect(run.exitCode, run.stderr).toBe(2);
  const lines = run.stderr.split('\n').filter((l) => l.trim() !== '');
  const at = lines.findIndex((l) => l.startsWith('obs: '));
  expect(lines[at], run.stderr).toMatch(error);
  expect(lines.slice(at + 1).every((l) => /^ {2}\S/.test(l)) && lines.length - at <= 2, run.stderr).toBe(true);
  expect(await snapshotTree(dir)).toEqual(before);
  return run;
}

/** doctor: the compose-file check fails naming `where: message` (init's own line); exit 1, no stack trace. */
async function expectDoctorFails(dir: string, line: string): Promise<void> {
  const run = await runObs(['doctor', '--dir', dir, '--json'], { env: ENV });
  noStackTrace(run);
  expect(run.exitCode, run.stderr).toBe(1);
  const report = JSON.parse(run.stdout) as { checks: { id: string; status: string }[] };
  const check = report.checks.find((c) => c.id === 'compose-file')!;
  expect(check.status).toBe('fail');
  const human = await runObs(['doctor', '--dir', dir, '--check', 'compose-file'], { env: ENV });
  expect(human.stderr + human.stdout).toContain(line);
}

const aliasBomb = (() => {
  let text = 'x-a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 1; i < 9; i++) {
    const name = String.fromCharCode(97 + i);
    const prev = String.fromCharCode(96 + i);
    text += `x-${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
  }
  return `${text}services:\n  web:\n    build: ./app\n`;
})();

const CASES: [string, string | Buffer, RegExp][] = [
  ['an alias bomb', aliasBomb, /^obs: docker-compose\.yml:2:\d+: the file expands its aliases more than 10,000 times \(an alias bomb\?\)/],
  ['an unresolved alias', 'services:\n  web:\n    build: ./app\n    environment: *nope\n', /^obs: docker-compose\.yml:4:18: the alias \*nope names no anchor defined before it/],
  ['`<<:` of a scalar', 'services:\n  web:\n    <<: 5\n    build: ./app\n', /^obs: docker-compose\.yml:3:9: `<<:` merges mappings only/],
  ['`<<:` of a list alias', 'x-l: &l [1, 2]\nservices:\n  web:\n    <<: *l\n    build: ./app\n', /^obs: docker-compose\.yml:4:9: `<<:` merges mappings only/],
  [
    '`environment: FOO`',
    'services:\n  web:\n    build: ./app\n    environment: FOO\n',
    /^obs: docker-compose\.yml:4:18: `services\.web\.environment` must be a mapping or a list of strings, not a string/,
  ],
  [
    '`environment: 5`',
    'services:\n  web:\n    build: ./app\n    environment: 5\n',
    /^obs: docker-compose\.yml:4:18: `services\.web\.environment` must be a mapping or a list of strings, not a number/,
  ],
  [
    'a list-of-maps environment',
    'services:\n  web:\n    build: ./app\n    environment:\n      - A: b\n',
    /^obs: docker-compose\.yml:5:9: `services\.web\.environment\[0\]` must be a string, not a mapping/,
  ],
  ['`build: [a, b]`', 'services:\n  web:\n    build: [a, b]\n', /^obs: docker-compose\.yml:3:12: `services\.web\.build` must be a string or a mapping, not a list/],
  [
    'a misspelt service key',
    'services:\n  web:\n    build: ./app\n    enviroment:\n      A: b\n',
    /^obs: docker-compose\.yml:4:5: `services\.web\.enviroment` is not a key compose knows here; did you mean `environment`\?/,
  ],
  [
    'an empty `environment:`',
    'services:\n  web:\n    build: ./app\n    environment:\n',
    /^obs: docker-compose\.yml:4:17: `services\.web\.environment` must be a mapping or a list of strings, not empty/,
  ],
  [
    'a UTF-16 file',
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('services:\n  web:\n    build: ./app\n', 'utf16le')]),
    /^obs: docker-compose\.yml:1:1: the file is UTF-16 \(little-endian\) text; compose and obs read YAML as UTF-8/,
  ],
  [
    'a UTF-16BE file',
    Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from('services:\n  web:\n    build: ./app\n', 'utf16le').swap16()]),
    /^obs: docker-compose\.yml:1:1: the file is UTF-16 \(big-endian\) text/,
  ],
  ['5,000-deep flow nesting', `services:\n  web:\n    build: ./app\nx-deep: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, /^obs: docker-compose\.yml:4:\d+: the YAML is nested more than 100 levels deep/],
  [
    '5,000-deep block nesting',
    `services:\n  web:\n    build: ./app\nx-deep:\n${Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i + 1)}- `).join('\n')}x\n`,
    /^obs: docker-compose\.yml:\d+:\d+: the YAML is nested more than 100 levels deep/,
  ],
  [
    'aliases nesting 150 levels deep',
    `x-0: &x0 [1]\n${Array.from({ length: 150 }, (_, i) => `x-${i + 1}: &x${i + 1} [*x${i}]`).join('\n')}\nservices:\n  web:\n    build: ./app\n`,
    /^obs: docker-compose\.yml:\d+:\d+: (the YAML is nested more than 100 levels deep|the file expands its aliases)/,
  ],
];

describe('obs init refuses compose files compose refuses: file:line:col, exit 2, nothing changed', () => {
  it.each(CASES)('%s', async (_name, compose, error) => {
    const dir = await project(compose);
    await expectInitRefuses(dir, error);
    await expectInitRefuses(dir, error, ['--dry-run']);
  });

  it('--services naming a service twice is a usage error', async () => {
    const dir = await project('services:\n  web:\n    build: ./app\n');
    await expectInitRefuses(dir, /^obs: --services names "web" twice; name each service once$/, ['--services', 'web,web']);
  });

  it.each([['[1]'], ['[{a: b}]'], ['[null]'], ['[[x]]'], ['5']])('obs.yaml compose.files: %s is refused by init and doctor, naming obs.yaml', async (files) => {
    const dir = await project('services:\n  web:\n    build: ./app\n', { 'obs.yaml': `version: 1\ncompose:\n  files: ${files}\n` });
    // One obs.yaml reader for every command (issue 13 item 5) names the entry at fault.
    await expectInitRefuses(dir, /^obs: obs\.yaml:3: compose\.files(\[0\] must be a string, got (1|a mapping|a list)| must be a list \(- \.\.\.\), got 5|\[0\] is empty)$/);
    const run = await runObs(['doctor', '--dir', dir], { env: ENV });
    noStackTrace(run);
    expect(run.stdout).toMatch(/obs\.yaml.*compose\.files(\[0\])? (must be|is empty)/);
  });
});

describe('obs doctor reports the same compose files as a failed compose-file check, never a stack trace', () => {
  it.each(CASES)('%s', async (_name, compose) => {
    const dir = await project(compose);
    const init = await runObs(['init', '--dir', dir, '--dry-run'], { env: ENV });
    const line = init.stderr
      .split('\n')
      .find((l) => l.startsWith('obs: '))!
      .slice('obs: '.length);
    expect(line).toMatch(/^docker-compose\.yml:\d+:\d+: /);
    await expectDoctorFails(dir, line);
  });
});

describe('flow-style compose is valid compose: obs edits it in flow style', () => {
  it.each([
    ['the whole file in flow style', '{services: {web: {build: ./app, environment: {A: b}}, db: {image: postgres}}}\n'],
    ['services in flow style', 'services: {web: {build: ./app}, db: {image: postgres}}\n'],
    ['one service in flow style', 'services:\n  web: {build: ./app}\n  db:\n    image: postgres\n'],
    ['a flow service merging an anchored environment', 'x-env: &env {A: b}\nservices:\n  web: {build: ./app, environment: *env}\n  db: {image: postgres, environment: *env}\n'],
  ])('%s', async (_name, compose) => {
    for (const pipeline of ['direct', 'collector'] as const) {
      const dir = await project(compose);
      const run = await runObs(['init', '--dir', dir, '--yes', '--no-instrument', '--xray', '--pipeline', pipeline], { env: ENV });
      noStackTrace(run);
      expect(run.exitCode, run.stderr).toBe(0);
      const after = await readFile(join(dir, 'docker-compose.yml'), 'utf8');
      const before = readServices([compose]);
      const services = readServices([after]);
      if (pipeline === 'direct') {
        expect(services.web!.environment).toMatchObject({ ...before.web!.environment, OTEL_SERVICE_NAME: 'web', OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=${HONEYCOMB_API_KEY}' });
        expect(services['xray-daemon']!.image).toBe('amazon/aws-xray-daemon:3.6.6');
      } else {
        expect(services.web!.environment).toEqual({ ...before.web!.environment, OTEL_SERVICE_NAME: 'web', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318' });
        expect(services['otel-collector']!.image).toBe('otel/opentelemetry-collector-contrib:0.141.0');
      }
      expect(services.db!.environment).toEqual(before.db!.environment);
      expect(validateComposeSchema(after)).toEqual({ ok: true, errors: [] });
      const checked = await dockerComposeConfig(dir, ['docker-compose.yml'], { HONEYCOMB_API_KEY: 'k', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 's', AWS_DEFAULT_REGION: 'us-east-1' });
      if (!checked.skipped) expect(checked.ok, checked.stderr).toBe(true);
      // A second run changes nothing.
      const again = await runObs(['init', '--dir', dir, '--yes', '--no-instrument'], { env: ENV });
      expect(again.exitCode, again.stderr).toBe(0);
      expect(await readFile(join(dir, 'docker-compose.yml'), 'utf8')).toBe(after);
    }
  });
});
