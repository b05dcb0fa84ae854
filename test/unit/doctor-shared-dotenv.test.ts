import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_CHECKS } from '../../src/backends/index.js';
import type { CheckResult, DoctorOptions } from '../../src/checks/types.js';
import { loadDoctorProject } from '../../src/commands/doctor/load.js';
import { tempProject } from '../support/run-obs.js';

/**
 * compose's `.env` that services which use no key also load through env_file (notiz-dev's
 * nestjs-prisma-starter: `postgres` has `env_file: [.env]`; nickjj's docker-rails-example: js and
 * css; an app behind the collector, which alone needs the keys). init keeps the keys out of it and
 * says "set them in your shell"; doctor must not then tell the user to add them to `.env`, where
 * they would reach those containers.
 */
const OPTIONS: DoctorOptions = { online: false, sendTestSpan: false, aws: { regionSource: 'the AWS profile' } };
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');

const COMPOSE = lf(
  'services:',
  '  nest-api:',
  '    build: .',
  '    env_file:',
  '      - .env',
  '    environment:',
  '      OTEL_SERVICE_NAME: "nest-api"',
  '      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4318"',
  '  postgres:',
  '    image: postgres:15',
  '    env_file:',
  '      - .env',
  '    environment:',
  '      PGDATA: "${PGDATA_DIR}"',
  '  otel-collector:',
  '    image: "otel/opentelemetry-collector-contrib:0.141.0"',
  '    volumes:',
  '      - "./otel-collector-config.yaml:/etc/otelcol-contrib/config.yaml:ro"',
  '    environment:',
  '      HONEYCOMB_API_KEY: "${HONEYCOMB_API_KEY}"',
);
const OBS = lf(
  'version: 1',
  'pipeline: collector',
  'compose:',
  '  files:',
  '    - docker-compose.yml',
  'collector:',
  '  service: otel-collector',
  '  config: otel-collector-config.yaml',
  'services:',
  '  nest-api:',
  '    serviceName: nest-api',
  '    stack: node',
  'honeycomb: { enabled: true, region: us }',
  'xray: { enabled: false }',
  'cloudwatch: { enabled: false }',
  'rollbar: { enabled: false }',
);
const CONFIG = lf(
  'receivers:',
  '  otlp:',
  '    protocols:',
  '      http:',
  '        endpoint: 0.0.0.0:4318',
  'exporters:',
  '  otlphttp/honeycomb:',
  '    endpoint: https://api.honeycomb.io',
  '    headers:',
  '      x-honeycomb-team: ${env:HONEYCOMB_API_KEY}',
  'service:',
  '  pipelines:',
  '    traces:',
  '      receivers: [otlp]',
  '      exporters: [otlphttp/honeycomb]',
);

async function run(id: string, files: Record<string, string>): Promise<CheckResult> {
  const check = PROJECT_CHECKS.find((c) => c.id === id)!;
  const root = await tempProject();
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  return check.run(await loadDoctorProject(root, {}), OPTIONS);
}

// nest-api is obs's, but behind the collector it uses no key either (init keeps it out of .env the same way).
const SHELL = 'set HONEYCOMB_API_KEY in your shell before docker compose up (not in .env: nest-api, postgres load it through env_file, so the key would reach those containers)';

describe('doctor says where to set a key when other services load .env', () => {
  const files = { 'docker-compose.yml': COMPOSE, 'obs.yaml': OBS, 'otel-collector-config.yaml': CONFIG, '.env': 'POSTGRES_USER=prisma\n' };

  it('compose-interpolation: a key goes in the shell, other variables still in .env', async () => {
    const r = await run('compose-interpolation', files);
    const fixes = Object.fromEntries(r.findings!.map((f) => [f.message.split(' ')[0], f.fix]));
    expect(fixes.HONEYCOMB_API_KEY).toBe(SHELL);
    expect(fixes.PGDATA_DIR).toBe('add PGDATA_DIR=<value> to .env (or write ${PGDATA_DIR:-<default>})');
  });

  it('collector-env: the same', async () => {
    const r = await run('collector-env', files);
    expect(r.findings!.map((f) => f.fix)).toEqual([SHELL]);
  });

  it('.env loaded only by the instrumented app behind the collector: still the shell (the app would get a key it does not use)', async () => {
    const alone = { ...files, 'docker-compose.yml': COMPOSE.replace(lf('    image: postgres:15', '    env_file:', '      - .env'), lf('    image: postgres:15')) };
    expect(alone['docker-compose.yml']).not.toBe(COMPOSE);
    const r = await run('collector-env', alone);
    expect(r.findings!.map((f) => f.fix)).toEqual([
      'set HONEYCOMB_API_KEY in your shell before docker compose up (not in .env: nest-api loads it through env_file, so the key would reach that container)',
    ]);
  });

  it('.env loaded by no service that does not use the key (the app sends to Honeycomb itself): .env, as before', async () => {
    const direct = {
      ...files,
      'docker-compose.yml': COMPOSE.replace(lf('    image: postgres:15', '    env_file:', '      - .env'), lf('    image: postgres:15')).replace(
        '      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4318"\n',
        '      OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io"\n      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}"\n',
      ),
    };
    expect(direct['docker-compose.yml']).toContain('x-honeycomb-team=${HONEYCOMB_API_KEY}');
    const r = await run('collector-env', direct);
    expect(r.findings!.map((f) => f.fix)).toEqual(['set HONEYCOMB_API_KEY in .env']);
  });
});

describe("the project's own secrets", () => {
  it('a password the database reads from the shared .env is still to be added to .env', async () => {
    const compose = COMPOSE.replace('      PGDATA: "${PGDATA_DIR}"', '      POSTGRES_PASSWORD: "${POSTGRES_PASSWORD}"');
    const r = await run('compose-interpolation', { 'docker-compose.yml': compose, 'obs.yaml': OBS, 'otel-collector-config.yaml': CONFIG, '.env': 'POSTGRES_USER=prisma\n' });
    const fix = r.findings!.find((f) => f.message.startsWith('POSTGRES_PASSWORD'))!.fix;
    expect(fix).toBe('add POSTGRES_PASSWORD=<value> to .env (or write ${POSTGRES_PASSWORD:-<default>})');
  });
});
