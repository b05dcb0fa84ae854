import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_CHECKS } from '../../src/backends/index.js';
import { originAllowed } from '../../src/checks/project/collector-cors.js';
import type { CheckResult, DoctorOptions, Finding } from '../../src/checks/types.js';
import { loadDoctorProject } from '../../src/commands/doctor/load.js';
import { tempProject } from '../support/run-obs.js';

const OPTIONS: DoctorOptions = { online: false, sendTestSpan: false, aws: { regionSource: 'the AWS profile' } };
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');

interface Setup {
  compose?: string;
  config?: string;
  dotenv?: string;
  files?: Record<string, string>;
  env?: Record<string, string>;
  hints?: string[];
}

async function runCheck(id: string, setup: Setup = {}): Promise<CheckResult> {
  const check = PROJECT_CHECKS.find((c) => c.id === id);
  if (!check) throw new Error(`no check ${id}`);
  const root = await tempProject();
  dirs.push(root);
  const files: Record<string, string> = { 'docker-compose.yml': setup.compose ?? COMPOSE, ...(setup.files ?? {}) };
  if (setup.config !== null) files['otel-collector.yaml'] = setup.config ?? CONFIG;
  files['.env'] = setup.dotenv ?? DOTENV;
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  const project = await loadDoctorProject(root, setup.env ?? {});
  const result = await check.run(project, OPTIONS);
  expect(result.id).toBe(id);
  for (const f of result.findings ?? []) expect(f.message).not.toMatch(/\n/);
  return result;
}

const where = (f: Finding) => `${f.file}:${f.line}`;
const only = (r: CheckResult) => {
  expect(r.findings).toHaveLength(1);
  return r.findings![0]!;
};

/** A hand-wired collector project: a Flask API and a Vite frontend sending to it, Honeycomb and X-Ray behind it. */
const COMPOSE = lf(
  'services:', // 1
  '  api:', // 2
  '    build: ./api', // 3
  '    environment:', // 4
  '      OTEL_SERVICE_NAME: "api"', // 5
  '      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4318"', // 6
  '  web:', // 7
  '    build: ./web', // 8
  '    ports:', // 9
  '      - "3000:3000"', // 10
  '    environment:', // 11
  '      VITE_OTEL_COLLECTOR_URL: "http://localhost:4318"', // 12
  '  otel-collector:', // 13
  '    image: otel/opentelemetry-collector-contrib:0.141.0', // 14
  '    volumes:', // 15
  '      - ./otel-collector.yaml:/etc/otelcol-contrib/config.yaml:ro', // 16
  '    ports:', // 17
  '      - "4318:4318"', // 18
  '    environment:', // 19
  '      HONEYCOMB_API_KEY: "${HONEYCOMB_API_KEY}"', // 20
  '      AWS_REGION: "${AWS_REGION}"', // 21
);

const CONFIG = lf(
  'receivers:', // 1
  '  otlp:', // 2
  '    protocols:', // 3
  '      grpc: { endpoint: "0.0.0.0:4317" }', // 4
  '      http:', // 5
  '        endpoint: "0.0.0.0:4318"', // 6
  '        cors:', // 7
  '          allowed_origins: ["http://localhost:3000", "http://127.0.0.1:3000"]', // 8
  'processors:', // 9
  '  batch: {}', // 10
  'exporters:', // 11
  '  otlphttp/honeycomb:', // 12
  '    endpoint: "${env:HONEYCOMB_OTLP_ENDPOINT:-https://api.honeycomb.io}"', // 13
  '    headers: { x-honeycomb-team: "${env:HONEYCOMB_API_KEY}" }', // 14
  '  otlphttp/xray:', // 15
  '    traces_endpoint: "https://xray.us-east-1.amazonaws.com/v1/traces"', // 16
  '    auth: { authenticator: sigv4auth/xray }', // 17
  'extensions:', // 18
  '  sigv4auth/xray: { region: "${env:AWS_REGION}", service: xray }', // 19
  'service:', // 20
  '  extensions: [sigv4auth/xray]', // 21
  '  pipelines:', // 22
  '    traces:', // 23
  '      receivers: [otlp]', // 24
  '      processors: [batch]', // 25
  '      exporters: [otlphttp/honeycomb, otlphttp/xray]', // 26
);

const DOTENV = lf('HONEYCOMB_API_KEY=placeholder', 'AWS_REGION=us-east-1');

const COLLECTOR_IDS = ['collector-config', 'collector-env', 'collector-apps', 'collector-cors', 'collector-sigv4', 'collector-image'];

describe('collector checks on a hand-wired collector', () => {
  it('all pass, each saying what it saw', async () => {
    const details = [];
    for (const id of COLLECTOR_IDS) details.push([id, ...Object.values(await runCheck(id)).slice(2)]);
    expect(details).toEqual([
      ['collector-config', 'pass', 'otel-collector runs otel-collector.yaml (pipelines: traces)'],
      ['collector-env', 'pass', 'HONEYCOMB_API_KEY and AWS_REGION reach the collector'],
      ['collector-apps', 'pass', 'api sends to otel-collector'],
      ['collector-cors', 'pass', 'otel-collector (otlp) allows http://localhost:3000 and http://127.0.0.1:3000'],
      ['collector-sigv4', 'pass', 'sigv4auth/xray (xray, ${env:AWS_REGION})'],
      ['collector-image', 'pass', 'otel-collector runs otel/opentelemetry-collector-contrib:0.141.0'],
    ]);
  });

  it('all skip without a collector', async () => {
    for (const id of COLLECTOR_IDS) {
      const r = await runCheck(id, { compose: lf('services:', '  api:', '    build: .', '    environment:', '      OTEL_SERVICE_NAME: api'), config: null as unknown as string });
      expect([id, r.status, r.detail]).toEqual([id, 'skip', 'no collector service']);
    }
  });
});

const swap = (text: string, from: string, to: string) => {
  expect(text).toContain(from);
  return text.replace(from, to);
};

describe('collector-config', () => {
  it('finds a collector by its command and mounted config when the image is not a known collector image', async () => {
    const compose = swap(
      COMPOSE,
      '    image: otel/opentelemetry-collector-contrib:0.141.0',
      '    image: registry.example.com/platform/otelcol-custom:1.4\n    command: ["--config", "/etc/otel/config.yaml"]',
    ).replace('/etc/otelcol-contrib/config.yaml:ro', '/etc/otel/config.yaml:ro');
    const r = await runCheck('collector-config', { compose });
    expect([r.status, r.detail]).toEqual(['pass', 'otel-collector runs otel-collector.yaml (pipelines: traces)']);
  });

  it('finds the config through --config in the command and a directory mount', async () => {
    const compose = swap(
      swap(COMPOSE, '    image: otel/opentelemetry-collector-contrib:0.141.0', '    image: otel/opentelemetry-collector:0.141.0\n    command: ["--config=/conf/collector.yaml"]'),
      '      - ./otel-collector.yaml:/etc/otelcol-contrib/config.yaml:ro',
      '      - ./otel:/conf',
    );
    const r = await runCheck('collector-config', { compose, files: { 'otel/collector.yaml': CONFIG } });
    expect([r.status, r.detail]).toEqual(['pass', 'otel-collector runs otel/collector.yaml (pipelines: traces)']);
  });

  it('fails on invalid YAML with file:line', async () => {
    const r = await runCheck('collector-config', { config: swap(CONFIG, '  batch: {}', '  batch: {') });
    expect(r.status).toBe('fail');
    expect(where(only(r))).toMatch(/^otel-collector\.yaml:1[01]$/);
    expect(r.detail).toMatch(/^invalid YAML: /);
  });

  it('fails when the mounted file is missing', async () => {
    const r = await runCheck('collector-config', { config: null as unknown as string });
    expect(r.detail).toBe(
      'otel-collector mounts otel-collector.yaml onto /etc/otelcol-contrib/config.yaml, but there is no such file: docker creates an empty directory there and the collector does not start',
    );
    expect(where(only(r))).toBe('docker-compose.yml:16');
  });

  it('fails when nothing is mounted onto the config path', async () => {
    const r = await runCheck('collector-config', {
      compose: swap(COMPOSE, '      - ./otel-collector.yaml:/etc/otelcol-contrib/config.yaml:ro', '      - ./otel-collector.yaml:/etc/otelcol/config.yaml:ro'),
    });
    expect(r.detail).toBe("otel-collector reads /etc/otelcol-contrib/config.yaml, but no project file is mounted there: it runs the image's built-in config");
    expect(where(only(r))).toBe('docker-compose.yml:14');
  });

  it('names a pipeline component that is not defined, at its line', async () => {
    const r = await runCheck('collector-config', { config: swap(CONFIG, '      processors: [batch]', '      processors: [batch, memory_limiter]') });
    expect(r.detail).toBe('pipeline traces uses processor memory_limiter, which is not defined under processors (defined: batch): the collector refuses to start');
    expect(r.fix).toBe('define memory_limiter under processors:, or use one of batch');
    expect(where(only(r))).toBe('otel-collector.yaml:25');
  });

  it('names an exporter typo', async () => {
    const r = await runCheck('collector-config', { config: swap(CONFIG, '[otlphttp/honeycomb, otlphttp/xray]', '[otlphttp/honeycmb, otlphttp/xray]') });
    expect(r.detail).toBe('pipeline traces uses exporter otlphttp/honeycmb, which is not defined under exporters (defined: otlphttp/honeycomb and otlphttp/xray): the collector refuses to start');
    expect(where(only(r))).toBe('otel-collector.yaml:26');
  });

  it('fails when an authenticator is defined but not listed in service.extensions', async () => {
    const r = await runCheck('collector-config', { config: swap(CONFIG, '  extensions: [sigv4auth/xray]\n', '') });
    expect(r.detail).toBe('exporter otlphttp/xray authenticates with sigv4auth/xray, which is not listed in service.extensions: the collector refuses to start');
    expect(r.fix).toBe('service: { extensions: [sigv4auth/xray] }');
    expect(where(only(r))).toBe('otel-collector.yaml:17');
  });

  it('fails when an authenticator is not defined at all', async () => {
    const r = await runCheck('collector-config', { config: swap(CONFIG, '{ authenticator: sigv4auth/xray }', '{ authenticator: sigv4auth/x }') });
    expect(r.detail).toBe('exporter otlphttp/xray authenticates with sigv4auth/x, which is not defined under extensions:');
  });
});

describe('collector-env', () => {
  it('fails when a variable the config needs is not in the collector environment', async () => {
    const r = await runCheck('collector-env', { compose: swap(COMPOSE, '      HONEYCOMB_API_KEY: "${HONEYCOMB_API_KEY}"\n', '') });
    expect(r.detail).toBe('otel-collector.yaml uses ${env:HONEYCOMB_API_KEY}, but HONEYCOMB_API_KEY is not in the environment of otel-collector: the collector sees an empty value');
    expect(r.fix).toBe('add HONEYCOMB_API_KEY: "${HONEYCOMB_API_KEY}" to the environment of otel-collector (docker-compose.yml:19) and set it in .env');
    expect(where(only(r))).toBe('otel-collector.yaml:14');
  });

  it('reaches through env_file and the shell; a default needs nothing', async () => {
    const compose = swap(COMPOSE, '      HONEYCOMB_API_KEY: "${HONEYCOMB_API_KEY}"\n', '').replace(
      '    environment:\n      AWS_REGION',
      '    env_file: [collector.env]\n    environment:\n      AWS_REGION',
    );
    const r = await runCheck('collector-env', { compose, dotenv: '', env: { AWS_REGION: 'eu-west-1' }, files: { 'collector.env': 'HONEYCOMB_API_KEY=placeholder\n' } });
    expect([r.status, r.detail]).toEqual(['pass', 'HONEYCOMB_API_KEY and AWS_REGION reach the collector']);
  });

  it('warns when the compose reference is unset', async () => {
    const r = await runCheck('collector-env', { dotenv: 'AWS_REGION=us-east-1\n' });
    expect(r.status).toBe('warn');
    expect(r.detail).toBe('HONEYCOMB_API_KEY reaches otel-collector empty (HONEYCOMB_API_KEY is not set in .env or the shell): ${env:HONEYCOMB_API_KEY} in otel-collector.yaml expands to nothing');
    expect(where(only(r))).toBe('docker-compose.yml:20');
  });

  it('fails on a key written as a literal in compose, without showing it', async () => {
    const r = await runCheck('collector-env', { compose: swap(COMPOSE, '"${HONEYCOMB_API_KEY}"', '"0123456789abcdef0123456789abcdef"') });
    expect(r.detail).toBe('HONEYCOMB_API_KEY is written as a literal value in the environment of otel-collector: the key is in a file git tracks');
    expect(JSON.stringify(r)).not.toContain('0123456789abcdef');
    expect(where(only(r))).toBe('docker-compose.yml:20');
  });
});

describe('collector-apps', () => {
  it('warns on an app that still sends straight to Honeycomb with the key', async () => {
    const compose = swap(
      COMPOSE,
      '      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4318"',
      '      OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io"\n      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}"',
    );
    const r = await runCheck('collector-apps', { compose });
    expect(r.status).toBe('warn');
    expect(r.findings!.map((f) => [where(f), f.message])).toEqual([
      ['docker-compose.yml:6', 'api sends straight to Honeycomb (OTEL_EXPORTER_OTLP_ENDPOINT) while otel-collector exists: its spans skip the collector and the key sits in the app'],
      ['docker-compose.yml:7', 'api sends an x-honeycomb-team header (OTEL_EXPORTER_OTLP_HEADERS) while otel-collector exists: the key belongs to the collector only'],
    ]);
    expect(r.fix).toBe('OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4318"');
  });

  it('warns on an app container holding HONEYCOMB_API_KEY', async () => {
    const r = await runCheck('collector-apps', { compose: swap(COMPOSE, '      OTEL_SERVICE_NAME: "api"', '      OTEL_SERVICE_NAME: "api"\n      HONEYCOMB_API_KEY: "${HONEYCOMB_API_KEY}"') });
    expect([r.status, r.detail, where(only(r))]).toEqual(['warn', 'api holds HONEYCOMB_API_KEY while otel-collector exists: the key belongs to the collector only', 'docker-compose.yml:6']);
  });

  it('warns on the gRPC port without a protocol, fails with the http protocol, and passes 4317 with grpc', async () => {
    const grpcPort = swap(COMPOSE, 'http://otel-collector:4318"', 'http://otel-collector:4317"');
    const r = await runCheck('collector-apps', { compose: grpcPort });
    expect([r.status, r.detail, r.fix]).toEqual([
      'warn',
      'OTEL_EXPORTER_OTLP_ENDPOINT on api sends to port 4317 (gRPC) of otel-collector without OTEL_EXPORTER_OTLP_PROTOCOL=grpc: right for a gRPC exporter chosen in code, but an SDK configured from the environment sends http/protobuf there and nothing arrives',
      'OTEL_EXPORTER_OTLP_PROTOCOL: "grpc"',
    ]);
    const http = await runCheck('collector-apps', { compose: swap(grpcPort, '      OTEL_SERVICE_NAME: "api"', '      OTEL_SERVICE_NAME: "api"\n      OTEL_EXPORTER_OTLP_PROTOCOL: http/protobuf') });
    expect([http.status, http.detail]).toEqual(['fail', 'OTEL_EXPORTER_OTLP_ENDPOINT on api sends to port 4317 of otel-collector: 4317 is gRPC, and OTEL_EXPORTER_OTLP_PROTOCOL says http (use 4318)']);
    const withGrpc = swap(grpcPort, '      OTEL_SERVICE_NAME: "api"', '      OTEL_SERVICE_NAME: "api"\n      OTEL_EXPORTER_OTLP_PROTOCOL: grpc');
    expect((await runCheck('collector-apps', { compose: withGrpc })).status).toBe('pass');
  });

  it('fails on an app with OTEL_* but no endpoint', async () => {
    const r = await runCheck('collector-apps', { compose: swap(COMPOSE, '      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4318"\n', '') });
    expect(r.detail).toBe('api sets OTEL_SERVICE_NAME but no OTEL_EXPORTER_OTLP_ENDPOINT: its SDK sends to localhost, inside its own container, and nothing reaches otel-collector');
    expect(where(only(r))).toBe('docker-compose.yml:5');
  });

  it("ignores OTEL_* names that are not SDK settings, and reads the Honeycomb distributions' endpoint", async () => {
    const own = swap(COMPOSE, '      OTEL_SERVICE_NAME: "api"\n      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4318"', '      OTEL_COLLECTOR_HOST: otel-collector');
    expect((await runCheck('collector-apps', { compose: own })).detail).toBe('no service sets OTEL_* variables');
    const distro = swap(COMPOSE, 'OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4318"', 'HONEYCOMB_API_ENDPOINT: "http://otel-collector:4318"');
    expect((await runCheck('collector-apps', { compose: distro })).status).toBe('pass');
  });

  it('fails on a traces endpoint without /v1/traces', async () => {
    const r = await runCheck('collector-apps', {
      compose: swap(COMPOSE, 'OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4318"', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://otel-collector:4318"'),
    });
    expect(r.detail).toBe('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT on api is used as written: without /v1/traces the collector answers 404');
  });
});

describe('collector-cors', () => {
  it('fails when the frontend origin is not allowed, naming the missing ones', async () => {
    const r = await runCheck('collector-cors', { config: swap(CONFIG, '["http://localhost:3000", "http://127.0.0.1:3000"]', '["http://localhost:5173"]') });
    expect(r.detail).toBe('receiver otlp of otel-collector does not allow http://localhost:3000 and http://127.0.0.1:3000 (the pages of web): the browser blocks their spans');
    expect(r.fix).toBe('cors: { allowed_origins: ["http://localhost:5173", "http://localhost:3000", "http://127.0.0.1:3000"] }');
    expect(where(only(r))).toBe('otel-collector.yaml:8');
  });

  it('fails without cors, and covers Gitpod origins with a wildcard', async () => {
    const noCors = swap(CONFIG, '        cors:\n          allowed_origins: ["http://localhost:3000", "http://127.0.0.1:3000"]\n', '');
    const r = await runCheck('collector-cors', { config: noCors });
    expect(r.detail).toBe('web sends spans from the browser, but receiver otlp of otel-collector has no cors.allowed_origins: the browser blocks every request');
    const gitpod = swap(CONFIG, '"http://127.0.0.1:3000"]', '"http://127.0.0.1:3000", "https://*.gitpod.io"]');
    const ok = await runCheck('collector-cors', { config: gitpod, files: { '.gitpod.yml': 'tasks: []\n' } });
    expect(ok.status).toBe('pass');
    const missing = await runCheck('collector-cors', { files: { '.gitpod.yml': 'tasks: []\n' } });
    expect(missing.detail).toBe('receiver otlp of otel-collector does not allow https://3000-*.gitpod.io (the pages of web): the browser blocks their spans');
  });

  it('only warns when the frontend is inferred from the published 4318 (no browser variable names the collector)', async () => {
    const compose = swap(COMPOSE, '      VITE_OTEL_COLLECTOR_URL: "http://localhost:4318"', '      VITE_API_URL: "http://localhost:4567"');
    const r = await runCheck('collector-cors', { compose, config: swap(CONFIG, '["http://localhost:3000", "http://127.0.0.1:3000"]', '["http://localhost:5173"]') });
    expect([r.status, r.detail]).toEqual(['warn', 'receiver otlp of otel-collector does not allow http://localhost:3000 and http://127.0.0.1:3000 (the pages of web): the browser blocks their spans']);
    const noCors = await runCheck('collector-cors', { compose, config: swap(CONFIG, '        cors:\n          allowed_origins: ["http://localhost:3000", "http://127.0.0.1:3000"]\n', '') });
    expect([noCors.status, noCors.detail]).toEqual([
      'warn',
      'otel-collector publishes 4318 for browsers (web), but receiver otlp of otel-collector has no cors.allowed_origins: the browser blocks every request',
    ]);
    const unpublished = swap(compose, '    ports:\n      - "4318:4318"\n', '');
    expect((await runCheck('collector-cors', { compose: unpublished })).detail).toBe('no browser frontend sends to the collector');
  });

  it('matches origins the way the collector does', () => {
    expect(originAllowed(['https://*.gitpod.io'], 'https://3000-*.gitpod.io')).toBe(true);
    expect(originAllowed(['*'], 'http://localhost:3000')).toBe(true);
    expect(originAllowed(['http://localhost:*'], 'http://localhost:3000')).toBe(true);
    expect(originAllowed(['http://localhost'], 'http://localhost:3000')).toBe(false);
    expect(originAllowed(['https://*-3000.app.github.dev'], 'https://3000-*.gitpod.io')).toBe(false);
  });
});

describe('collector-sigv4', () => {
  it('fails without a region, and on a region variable that does not reach the container', async () => {
    const r = await runCheck('collector-sigv4', { config: swap(CONFIG, 'region: "${env:AWS_REGION}", ', '') });
    expect(r.detail).toBe("extension sigv4auth/xray of otel-collector has no region: it guesses one from the endpoint's host, which a proxy or private endpoint does not carry");
    expect(where(only(r))).toBe('otel-collector.yaml:19');
    const unset = await runCheck('collector-sigv4', { compose: swap(COMPOSE, '      AWS_REGION: "${AWS_REGION}"\n', '') });
    expect(unset.detail).toBe('extension sigv4auth/xray of otel-collector takes its region from ${env:AWS_REGION}, but AWS_REGION is not in the environment of otel-collector');
  });

  it('fails when the service does not match the endpoint', async () => {
    const r = await runCheck('collector-sigv4', { config: swap(CONFIG, 'service: xray', 'service: logs') });
    expect(r.detail).toBe('extension sigv4auth/xray of otel-collector signs for service logs, but its exporters send to xray.*: AWS refuses the requests (403)');
    expect(r.fix).toBe('service: "xray"');
  });
});

describe('collector-image', () => {
  it('warns on latest and on no tag; passes a digest', async () => {
    const latest = await runCheck('collector-image', { compose: swap(COMPOSE, ':0.141.0', ':latest') });
    expect([latest.status, latest.detail, where(only(latest)), latest.fix]).toEqual([
      'warn',
      'otel-collector runs otel/opentelemetry-collector-contrib:latest: each pull can bring a release that renames or drops components, and the collector stops on its config',
      'docker-compose.yml:14',
      'image: "otel/opentelemetry-collector-contrib:0.141.0"',
    ]);
    const untagged = await runCheck('collector-image', { compose: swap(COMPOSE, ':0.141.0', '') });
    expect(untagged.detail).toMatch(/^otel-collector runs otel\/opentelemetry-collector-contrib \(no tag: latest\): /);
    const digest = await runCheck('collector-image', { compose: swap(COMPOSE, ':0.141.0', `@sha256:${'a'.repeat(64)}`) });
    expect(digest.status).toBe('pass');
  });
});
