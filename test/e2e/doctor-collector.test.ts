import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectorVariables, renderCollectorConfig, type CollectorChoices } from '../../src/collector/config.js';
import { corsOrigins } from '../../src/collector/cors.js';
import { COLLECTOR_CONFIG_PATH, COLLECTOR_IMAGE } from '../../src/collector/image.js';
import { startCollector, validateCollectorConfig } from '../support/collector.js';
import { runObs, tempProject } from '../support/run-obs.js';

/**
 * obs's own output passes its own doctor: every collector config src/collector/config.ts renders,
 * in a project with a compose collector service the way obs wires one, passes every collector
 * check of the built binary. And on a broken pipeline the real collector and collector-config agree.
 */
const CHECKS = ['collector-config', 'collector-env', 'collector-apps', 'collector-cors', 'collector-sigv4', 'collector-image'];

interface DoctorJson {
  checks: { id: string; status: string; detail: string; fix?: string; findings?: { file?: string; line?: number; message: string }[] }[];
}

async function doctor(dir: string, ids = CHECKS): Promise<DoctorJson['checks']> {
  const run = await runObs(['doctor', '--dir', dir, '--json', '--check', ids.join(',')]);
  expect(run.stderr).toBe('');
  return (JSON.parse(run.stdout) as DoctorJson).checks;
}

const none = { xraySdkReceiver: false, browserOrigins: [], debug: false };
const logs = { logGroup: '/cruddur/backend-flask', logStream: 'collector' };
const HINTS = { gitpod: true, codespaces: true };
const FRONTEND_PORTS = [{ published: '3000', target: '3000' }];
const { origins } = corsOrigins([{ service: 'frontend', ports: FRONTEND_PORTS }], HINTS);
const VARIANTS: Record<string, CollectorChoices> = {
  'Honeycomb only': { ...none, honeycomb: { region: 'us' } },
  'Honeycomb EU, classic dataset': { ...none, honeycomb: { region: 'eu', dataset: 'cruddur' } },
  'Honeycomb + X-Ray in a fixed region': { ...none, honeycomb: { region: 'us' }, xray: { region: 'us-east-1' } },
  'X-Ray only, region from AWS_REGION': { ...none, xray: {} },
  'CloudWatch Logs only': { ...none, cloudwatchLogs: logs },
  'Honeycomb without logs + CloudWatch Logs': { ...none, honeycomb: { region: 'us', logs: false }, cloudwatchLogs: logs },
  'X-Ray + X-Ray SDK receiver': { ...none, xray: { region: 'eu-west-1' }, xraySdkReceiver: true },
  'all three, receiver, browsers, debug': { honeycomb: { region: 'us' }, xray: {}, cloudwatchLogs: logs, xraySdkReceiver: true, browserOrigins: origins, debug: true },
};

const DOTENV: Record<string, string> = { HONEYCOMB_API_KEY: 'placeholder', AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'placeholder', AWS_SECRET_ACCESS_KEY: 'placeholder' };

/** A compose project wired the way the collector pipeline wires one: the config mounted read-only, `${VAR}` references only. */
async function collectorProject(choices: CollectorChoices): Promise<string> {
  const dir = await tempProject();
  const browser = choices.browserOrigins.length > 0;
  const aws = Boolean(choices.xray || choices.cloudwatchLogs || choices.xraySdkReceiver);
  const variables = [...collectorVariables(choices).required, ...(aws ? ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] : [])];
  const compose = [
    'services:',
    '  api:',
    '    build: ./api',
    '    environment:',
    '      OTEL_SERVICE_NAME: "api"',
    '      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4318"',
    ...(browser ? ['  frontend:', '    build: ./frontend', '    ports:', '      - "3000:3000"', '    environment:', '      VITE_OTEL_EXPORTER_OTLP_ENDPOINT: "http://localhost:4318"'] : []),
    '  otel-collector:',
    `    image: ${COLLECTOR_IMAGE}`,
    '    volumes:',
    `      - ./otel-collector-config.yaml:${COLLECTOR_CONFIG_PATH}:ro`,
    ...(browser ? ['    ports:', '      - "4318:4318"'] : []),
    '    environment:',
    ...variables.map((v) => `      ${v}: "\${${v}}"`),
  ];
  await writeFile(join(dir, 'docker-compose.yml'), `${compose.join('\n')}\n`);
  await writeFile(join(dir, 'otel-collector-config.yaml'), renderCollectorConfig(choices));
  await writeFile(
    join(dir, '.env'),
    Object.entries(DOTENV)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
  if (browser) {
    await writeFile(join(dir, '.gitpod.yml'), 'tasks: []\n');
    await mkdir(join(dir, '.devcontainer'));
  }
  return dir;
}

describe('obs doctor passes every collector config obs renders', () => {
  for (const [name, choices] of Object.entries(VARIANTS)) {
    it(name, async () => {
      const checks = await doctor(await collectorProject(choices));
      const aws = Boolean(choices.xray || choices.cloudwatchLogs);
      const expected = (id: string) => ((id === 'collector-cors' && choices.browserOrigins.length === 0) || (id === 'collector-sigv4' && !aws) ? 'skip' : 'pass');
      expect(checks.map((c) => [c.id, c.status, c.detail])).toEqual(CHECKS.map((id) => [id, expected(id), checks.find((c) => c.id === id)!.detail]));
    });
  }
});

describe('the real collector and collector-config agree', () => {
  it('on the rendered config (both accept) and on a pipeline naming an undefined exporter (both refuse it, by name)', async () => {
    const dir = await collectorProject(VARIANTS['Honeycomb + X-Ray in a fixed region']!);
    const file = join(dir, 'otel-collector-config.yaml');
    const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', HONEYCOMB_API_KEY: 'test-key' };
    expect(validateCollectorConfig(file, env).ok).toBe(true);
    expect((await doctor(dir, ['collector-config']))[0]!.status).toBe('pass');

    const text = await readFile(file, 'utf8');
    const broken = text.replace('exporters: [otlphttp/honeycomb, otlphttp/xray]', 'exporters: [otlphttp/honeycomb, otlphttp/x-ray]');
    expect(broken).not.toBe(text);
    await writeFile(file, broken);
    const real = validateCollectorConfig(file, env);
    expect(real.ok).toBe(false);
    expect(real.output).toContain('otlphttp/x-ray');
    const [check] = await doctor(dir, ['collector-config']);
    const line = broken.split('\n').findIndex((l) => l.includes('otlphttp/x-ray')) + 1;
    expect(check).toMatchObject({
      status: 'fail',
      detail: 'pipeline traces uses exporter otlphttp/x-ray, which is not defined under exporters (defined: otlphttp/honeycomb and otlphttp/xray): the collector refuses to start',
      findings: [{ file: 'otel-collector-config.yaml', line }],
    });
  });

  it('on an authenticator left out of service.extensions: validate accepts it, the collector refuses to start, and so does the check', async () => {
    const dir = await collectorProject(VARIANTS['X-Ray only, region from AWS_REGION']!);
    const file = join(dir, 'otel-collector-config.yaml');
    const text = await readFile(file, 'utf8');
    const broken = text.replace('extensions: [health_check, sigv4auth/xray]', 'extensions: [health_check]');
    expect(broken).not.toBe(text);
    await writeFile(file, broken);
    const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
    // `validate` builds the components but does not start them; the authenticator is looked up at start.
    expect(validateCollectorConfig(file, env).ok).toBe(true);
    await expect(startCollector({ config: file, env })).rejects.toThrow(/failed to resolve authenticator "sigv4auth\/xray": authenticator not found/);
    const [check] = await doctor(dir, ['collector-config']);
    expect([check!.status, check!.detail]).toEqual(['fail', 'exporter otlphttp/xray authenticates with sigv4auth/xray, which is not listed in service.extensions: the collector refuses to start']);
  });
});
