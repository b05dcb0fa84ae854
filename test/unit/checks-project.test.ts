import { randomInt } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_CHECKS } from '../../src/backends/index.js';
import { editDistance, suggestName } from '../../src/checks/project/lib/known-vars.js';
import { expand, parseTemplate, referencesIn } from '../../src/compose/interpolation.js';
import type { CheckResult, DoctorOptions, Finding } from '../../src/checks/types.js';
import { loadDoctorProject } from '../../src/commands/doctor/load.js';
import { PLAIN, renderChecklist } from '../../src/commands/doctor/render.js';
import { tempProject } from '../support/run-obs.js';

const OPTIONS: DoctorOptions = { online: false, sendTestSpan: false, aws: { regionSource: 'the AWS profile' } };

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');

/** Key-shaped values are made per run, so no secret scanner flags this file. */
const HEX = '0123456789abcdef';
const CLASSIC_KEY = Array.from({ length: 32 }, () => HEX[randomInt(16)]).join('');
const INGEST_KEY = `hcaik_${Array.from({ length: 58 }, () => 'bcdfghjkmnpqrstvwxz23456789'[randomInt(27)]).join('')}`;

/** A project obs would be happy with: an instrumented Flask API, the X-Ray daemon, keys in .env. */
const GOOD = lf(
  'services:', // 1
  '  api:', // 2
  '    build: ./api', // 3
  '    ports:', // 4
  '      - "4567:4567"', // 5
  '    environment:', // 6
  '      OTEL_SERVICE_NAME: "api"', // 7
  '      OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io"', // 8
  '      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}"', // 9
  '      AWS_XRAY_URL: "*localhost:4567*"', // 10
  '      AWS_XRAY_DAEMON_ADDRESS: "xray-daemon:2000"', // 11
  '      ROLLBAR_ACCESS_TOKEN: "${ROLLBAR_ACCESS_TOKEN}"', // 12
  '  xray-daemon:', // 13
  '    image: "amazon/aws-xray-daemon"', // 14
  '    environment:', // 15
  '      AWS_ACCESS_KEY_ID: "${AWS_ACCESS_KEY_ID}"', // 16
  '      AWS_SECRET_ACCESS_KEY: "${AWS_SECRET_ACCESS_KEY}"', // 17
  '      AWS_REGION: "${AWS_DEFAULT_REGION}"', // 18
  '    command: ["-o", "-b", "0.0.0.0:2000", "-t", "0.0.0.0:2000"]', // 19
  '    ports:', // 20
  '      - "2000:2000/udp"', // 21
);

const DOTENV = lf('HONEYCOMB_API_KEY=placeholder', 'ROLLBAR_ACCESS_TOKEN=placeholder', 'AWS_ACCESS_KEY_ID=placeholder', 'AWS_SECRET_ACCESS_KEY=placeholder', 'AWS_DEFAULT_REGION=us-east-1');

const OBS = lf(
  'version: 1',
  'compose:',
  '  files: [docker-compose.yml]',
  'services:',
  '  api: { serviceName: api, stack: flask }',
  'honeycomb: { enabled: true, region: us }',
  'xray: { enabled: true, daemonService: xray-daemon }',
  'cloudwatch: { enabled: false }',
  'rollbar: { enabled: true }',
);

const API_ONLY = lf(
  'services:', // 1
  '  api:', // 2
  '    build: ./api', // 3
  '    environment:', // 4
  '      OTEL_SERVICE_NAME: "api"', // 5
  '      OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io"', // 6
  '      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}"', // 7
);

interface Setup {
  compose?: string;
  dotenv?: string;
  obs?: string;
  files?: Record<string, string>;
  env?: Record<string, string>;
  explicitFiles?: string[];
}

async function runCheck(id: string, setup: Setup = {}): Promise<CheckResult> {
  const check = PROJECT_CHECKS.find((c) => c.id === id);
  if (!check) throw new Error(`no check ${id}`);
  const root = await tempProject();
  dirs.push(root);
  const files: Record<string, string> = { ...(setup.files ?? {}) };
  if (setup.compose !== undefined) files['docker-compose.yml'] = setup.compose;
  if (setup.dotenv !== undefined) files['.env'] = setup.dotenv;
  if (setup.obs !== undefined) files['obs.yaml'] = setup.obs;
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  const project = await loadDoctorProject(root, setup.env ?? {}, setup.explicitFiles);
  const result = await check.run(project, OPTIONS);
  expect(result.id).toBe(id);
  for (const f of result.findings ?? []) expect(f.message).not.toMatch(/\n/);
  expect(result.detail).not.toMatch(/\n/);
  return result;
}

const where = (f: Finding) => `${f.file}:${f.line}`;
const only = (r: CheckResult) => {
  expect(r.findings).toHaveLength(1);
  return r.findings![0]!;
};

describe('PROJECT_CHECKS', () => {
  it('has unique kebab-case ids, grouped in display order', () => {
    const ids = PROJECT_CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    const groups = PROJECT_CHECKS.map((c) => c.group).filter((g, i, all) => g !== all[i - 1]);
    expect(groups).toEqual(['project', 'compose', 'otel', 'xray', 'rollbar', 'collector']);
  });

  it('all pass (or skip) on a project set up the way obs sets it up', async () => {
    for (const check of PROJECT_CHECKS) {
      const result = await runCheck(check.id, { compose: GOOD, dotenv: DOTENV, obs: OBS });
      if (check.id === 'xray-maintenance') expect(result.status).toBe('warn');
      // No collector in this setup (the daemon pipeline): the collector checks have nothing to look at.
      else if (check.group === 'collector') expect([check.id, result.status, result.detail]).toEqual([check.id, 'skip', 'no collector service']);
      // GOOD is a compose file and obs.yaml only: no app files, so no module to judge (test/e2e/doctor-coverage.test.ts has them).
      else if (check.id === 'instrumentation-coverage') expect([result.status, result.detail]).toEqual(['skip', 'no service runs an instrumentation module written by obs']);
      else if (check.id === 'instrumentation-wired')
        expect([result.status, result.detail]).toEqual(['skip', "no service in obs.yaml has code here that obs instruments (an app's own OpenTelemetry setup is not judged)"]);
      else expect([check.id, result.status, result.detail]).toEqual([check.id, 'pass', result.detail]);
    }
  });

  it('skip the checks that read the compose file when it does not parse', async () => {
    for (const check of PROJECT_CHECKS.filter((c) => !['compose-file', 'obs-config', 'apply-leftovers'].includes(c.id))) {
      const result = await runCheck(check.id, { compose: lf('services:', '  api:', '    image: x', '   bad: [') });
      expect(result.status).toBe('skip');
    }
  });
});

describe('compose-file', () => {
  it('fails with file:line:col when the YAML is invalid, and the checklist names the place once', async () => {
    const r = await runCheck('compose-file', { compose: lf('services:', '  api:', '    environment:', '      A: "1"', '      export B="2"', '      C: "3"') });
    expect(r.status).toBe('fail');
    expect(r.detail).toBe('invalid YAML: Implicit keys need to be on a single line; compose refuses the file, so nothing else can be checked');
    expect(only(r)).toMatchObject({ file: 'docker-compose.yml', line: 5, col: 7 });
    expect(r.fix).toBe('correct docker-compose.yml:5:7, then run `docker compose config` to see the file parse');
    const check = PROJECT_CHECKS.find((c) => c.id === 'compose-file')!;
    expect(renderChecklist([check], [r], PLAIN)).toBe(
      [
        '',
        'Project',
        '✖ Compose file found and valid [compose-file]: invalid YAML: Implicit keys need to be on a single line; compose refuses the file, so nothing else can be checked',
        '    docker-compose.yml:5:7: invalid YAML: Implicit keys need to be on a single line; compose refuses the file, so nothing else can be checked',
        '    fix: correct docker-compose.yml:5:7, then run `docker compose config` to see the file parse',
        '',
        '0 passed, 0 warnings, 1 failed, 0 skipped',
        '',
      ].join('\n'),
    );
  });

  it('fails when there is no compose file, passes on a valid one', async () => {
    const none = await runCheck('compose-file', { files: { 'README.md': 'hi' } });
    expect(none.status).toBe('fail');
    expect(none.fix).toBe('obs doctor --dir <project folder>, or obs doctor -f <compose file>');
    const ok = await runCheck('compose-file', { compose: GOOD });
    expect(ok).toMatchObject({ status: 'pass', detail: 'docker-compose.yml: 2 services' });
  });

  it('fails on an explicit file that does not exist', async () => {
    const r = await runCheck('compose-file', { compose: GOOD, explicitFiles: ['other.yml'] });
    expect(r.status).toBe('fail');
    expect(r.detail).toBe('other.yml does not exist');
  });
});

describe('obs-config', () => {
  it('warns with `obs init` when obs.yaml is absent', async () => {
    const r = await runCheck('obs-config', { compose: GOOD });
    expect(r).toMatchObject({ status: 'warn', fix: 'obs init' });
  });

  it('fails on a broken obs.yaml with its line, passes on a valid one', async () => {
    const broken = await runCheck('obs-config', { compose: GOOD, obs: lf('version: 2') });
    expect(broken.status).toBe('fail');
    expect(where(only(broken))).toBe('obs.yaml:1');
    const ok = await runCheck('obs-config', { compose: GOOD, obs: OBS });
    expect(ok.status).toBe('pass');
    expect(ok.detail).toBe('1 service; Honeycomb on (us), X-Ray on, CloudWatch off, Rollbar on');
  });
});

describe('obs-config-services', () => {
  it('fails when a listed service is gone or lacks what obs wrote', async () => {
    const obs = OBS.replace('  api: { serviceName: api, stack: flask }', '  api: { serviceName: api, stack: flask }\n  worker: { serviceName: worker, stack: python }');
    const compose = GOOD.replace('      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}"\n', '');
    const r = await runCheck('obs-config-services', { compose, obs, dotenv: DOTENV });
    expect(r.status).toBe('fail');
    const messages = r.findings!.map((f) => `${where(f)} ${f.message}`);
    expect(messages).toContain('docker-compose.yml:2 api has no OTEL_EXPORTER_OTLP_HEADERS, which obs.yaml turns Honeycomb on for');
    expect(messages).toContain('obs.yaml:undefined obs.yaml lists service worker, but the compose file has no such service');
    expect(r.findings!.find((f) => f.message.startsWith('api has no'))!.fix).toBe('obs init (adds OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}")');
  });

  it('fails when xray.daemonService is not in compose, warns on a renamed service', async () => {
    const obs = OBS.replace('daemonService: xray-daemon', 'daemonService: xray').replace('serviceName: api,', 'serviceName: api-v2,');
    const compose = GOOD.replace('AWS_XRAY_DAEMON_ADDRESS: "xray-daemon:2000"', 'AWS_XRAY_DAEMON_ADDRESS: "xray:2000"');
    const r = await runCheck('obs-config-services', { compose, obs, dotenv: DOTENV });
    expect(r.status).toBe('fail');
    expect(r.findings!.map((f) => f.message)).toEqual([
      'api sends as OTEL_SERVICE_NAME api, but obs.yaml records api-v2',
      'obs.yaml names xray as the X-Ray daemon service, but the compose file has no such service',
    ]);
    expect(where(r.findings![0]!)).toBe('docker-compose.yml:7');
  });

  it('skips without obs.yaml and passes when consistent', async () => {
    expect((await runCheck('obs-config-services', { compose: GOOD })).status).toBe('skip');
    expect((await runCheck('obs-config-services', { compose: GOOD, obs: OBS, dotenv: DOTENV })).status).toBe('pass');
  });
});

describe('compose-interpolation', () => {
  it('fails on an invalid template such as ${} with its line', async () => {
    const r = await runCheck('compose-interpolation', { compose: GOOD.replace('x-honeycomb-team=${HONEYCOMB_API_KEY}', 'x-honeycomb-team=${}'), dotenv: DOTENV });
    expect(r.status).toBe('fail');
    const f = only(r);
    expect(where(f)).toBe('docker-compose.yml:9');
    expect(f.message).toBe('`${}` is not a valid interpolation (compose stops with "Invalid template")');
  });

  it('fails on ${1} and on ${VAR:?msg} without a value', async () => {
    const compose = lf('services:', '  api:', '    image: "x:${1}"', '    environment:', '      KEY: "${API_KEY:?set it in .env}"');
    const r = await runCheck('compose-interpolation', { compose });
    expect(r.status).toBe('fail');
    expect(r.findings!.map((f) => `${where(f)} ${f.message}`)).toEqual([
      'docker-compose.yml:3 `${1}` is not a valid interpolation (compose stops with "Invalid template")',
      'docker-compose.yml:5 ${API_KEY:?set it in .env} requires API_KEY, which has no value: compose stops with "required variable API_KEY is missing a value: set it in .env"',
    ]);
    expect(r.findings![1]!.fix).toBe('add API_KEY=<value> to .env');
  });

  it('warns on a variable set nowhere, once per variable', async () => {
    const compose = lf('services:', '  api:', '    image: x', '    environment:', '      A: "$HOST_NAME"', '      B: "${HOST_NAME}/x"');
    const r = await runCheck('compose-interpolation', { compose });
    expect(r.status).toBe('warn');
    const f = only(r);
    expect(where(f)).toBe('docker-compose.yml:5');
    expect(f.message).toBe('HOST_NAME is not set in the environment or .env: compose substitutes an empty string for $HOST_NAME (used 2 times, first here)');
    expect(f.fix).toBe('add HOST_NAME=<value> to .env (or write ${HOST_NAME:-<default>})');
  });

  it('says env_file does not feed interpolation when the variable is only there', async () => {
    const compose = lf('services:', '  api:', '    image: x', '    env_file: [api.env]', '    environment:', '      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}"');
    const r = await runCheck('compose-interpolation', { compose, files: { 'api.env': 'HONEYCOMB_API_KEY=placeholder\n' } });
    expect(r.status).toBe('warn');
    const f = only(r);
    expect(where(f)).toBe('docker-compose.yml:6');
    expect(f.message).toBe('HONEYCOMB_API_KEY is only set in env_file api.env, and env_file does NOT feed interpolation: compose substitutes an empty string for ${HONEYCOMB_API_KEY}');
    expect(f.fix).toBe('move HONEYCOMB_API_KEY to .env');
  });

  it('warns that keys are not interpolated', async () => {
    const compose = lf('services:', '  api:', '    image: x', 'networks:', '  ${APP}-net: {}');
    const r = await runCheck('compose-interpolation', { compose, dotenv: 'APP=cruddur\n' });
    expect(where(only(r))).toBe('docker-compose.yml:5');
    expect(only(r).message).toBe('the key `${APP}-net` is not interpolated: compose substitutes variables in values only');
    expect(only(r).fix).toBe('write the name out: cruddur-net');
  });

  it('passes with values from the environment and .env, defaults, $$ escapes and comments', async () => {
    const compose = lf(
      'services:',
      '  api:',
      '    image: "x:${TAG:-latest}"',
      '    command: sh -c "echo $$HOME $1"',
      '    environment:',
      '      # OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${NOT_SET}"',
      '      KEY: "${HONEYCOMB_API_KEY}"',
      '      REGION: "${AWS_REGION-us-east-1}"',
      '      HOME_DIR: "${FROM_SHELL}"',
    );
    const r = await runCheck('compose-interpolation', { compose, dotenv: DOTENV, env: { FROM_SHELL: '/home/me' } });
    expect(r).toMatchObject({ status: 'pass', detail: '4 variable references, each with a value or a default' });
  });

  it('does not ask for the variables a Gitpod workspace sets', async () => {
    const compose = lf('services:', '  api:', '    image: x', '    environment:', '      URL: "https://3000-${GITPOD_WORKSPACE_ID}.${GITPOD_WORKSPACE_CLUSTER_HOST}"');
    const r = await runCheck('compose-interpolation', { compose, files: { '.gitpod.yml': 'tasks: []\n' } });
    expect(r.status).toBe('pass');
  });
});

describe('env-var-names', () => {
  it('fails on a misspelled name with "did you mean" and the exact line to write', async () => {
    const compose = GOOD.replace('OTEL_EXPORTER_OTLP_HEADERS:', 'OTEL_EXPORTER_OTLP_HEADER:');
    const r = await runCheck('env-var-names', { compose });
    expect(r.status).toBe('fail');
    const f = only(r);
    expect(where(f)).toBe('docker-compose.yml:9');
    expect(f.message).toBe('OTEL_EXPORTER_OTLP_HEADER on api: no SDK reads this name; did you mean OTEL_EXPORTER_OTLP_HEADERS?');
    expect(f.fix).toBe('OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}"');
  });

  it('catches transpositions, wrong prefixes, case and scrambled names, in list form too', async () => {
    const compose = lf(
      'services:',
      '  api:',
      '    image: x',
      '    environment:',
      '      - OTEL_EXPORTER_OLTP_ENDPOINT=https://api.honeycomb.io', // 5
      '      - OTEP_SERVICE_NAME=api', // 6
      '      - AWS_XRAY_DAEMON_ADDRSES=xray-daemon:2000', // 7
      '      - otel_service_name=api', // 8
      '      - EXPOROTEL_TER_OTLP_HEADERS=x', // 9
      '      - HONEYCOMB_APIKEY=x', // 10
      '      - ROLBAR_ACCESS_TOKEN=x', // 11
      '      - DATABASE_URL=postgres://db', // 12
    );
    const r = await runCheck('env-var-names', { compose });
    expect(r.findings!.map((f) => `${f.line} ${f.fix}`)).toEqual([
      '5 - OTEL_EXPORTER_OTLP_ENDPOINT=https://api.honeycomb.io',
      '6 - OTEL_SERVICE_NAME=api',
      '7 - AWS_XRAY_DAEMON_ADDRESS=xray-daemon:2000',
      '8 - OTEL_SERVICE_NAME=api',
      '9 - OTEL_EXPORTER_OTLP_HEADERS=x',
      '10 - HONEYCOMB_API_KEY=x',
      '11 - ROLLBAR_ACCESS_TOKEN=x',
    ]);
    expect(r.findings![3]!.message).toBe('otel_service_name on api: names are case-sensitive; did you mean OTEL_SERVICE_NAME?');
    expect(r.findings![4]!.message).toBe('EXPOROTEL_TER_OTLP_HEADERS on api: it has the letters of a known name in another order; did you mean OTEL_EXPORTER_OTLP_HEADERS?');
  });

  it('never writes a key into the fix', async () => {
    const compose = lf('services:', '  api:', '    image: x', '    environment:', `      HONEYCOMB_APIKEY: "${INGEST_KEY}"`);
    const r = await runCheck('env-var-names', { compose });
    expect(only(r).fix).toBe('rename HONEYCOMB_APIKEY to HONEYCOMB_API_KEY');
    expect(JSON.stringify(r)).not.toContain(INGEST_KEY);
  });

  it('passes when every name is right', async () => {
    expect((await runCheck('env-var-names', { compose: GOOD })).status).toBe('pass');
  });
});

describe('browser-exposed-secret', () => {
  it('fails when a REACT_APP_/VITE_ variable passes a key to the browser build', async () => {
    const compose = lf(
      'services:',
      '  web:',
      '    build: ./web',
      '    environment:',
      '      REACT_APP_BACKEND_URL: "http://localhost:4567"',
      '      REACT_APP_HONEYCOMB_API_KEY: "$HONEYCOMB_API_KEY"', // 6
      '      VITE_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}"', // 7
    );
    const r = await runCheck('browser-exposed-secret', { compose });
    expect(r.status).toBe('fail');
    expect(r.findings!.map((f) => `${where(f)} ${f.message}`)).toEqual([
      'docker-compose.yml:6 REACT_APP_HONEYCOMB_API_KEY on web hands $HONEYCOMB_API_KEY to the browser build: the key ships to every browser that loads the app',
      'docker-compose.yml:7 VITE_OTLP_HEADERS on web hands ${HONEYCOMB_API_KEY} to the browser build: the key ships to every browser that loads the app',
    ]);
  });

  it('passes on public browser settings', async () => {
    const compose = lf('services:', '  web:', '    build: ./web', '    environment:', '      REACT_APP_CLIENT_ID: "${COGNITO_CLIENT_ID}"', '      REACT_APP_BACKEND_URL: "${BACKEND_URL}"');
    expect((await runCheck('browser-exposed-secret', { compose })).status).toBe('pass');
  });
});

describe('otel-service-name', () => {
  it('fails on an instrumented service without OTEL_SERVICE_NAME', async () => {
    const r = await runCheck('otel-service-name', { compose: API_ONLY.replace('      OTEL_SERVICE_NAME: "api"\n', '') });
    expect(r.status).toBe('fail');
    const f = only(r);
    expect(where(f)).toBe('docker-compose.yml:2');
    expect(f.message).toBe('api has no OTEL_SERVICE_NAME: its spans arrive as unknown_service');
    expect(f.fix).toBe('OTEL_SERVICE_NAME: "api"');
  });

  it('uses obs.yaml to decide what is instrumented', async () => {
    const compose = lf('services:', '  api:', '    build: ./api', '  worker:', '    build: ./worker', '    environment:', '      OTEL_SERVICE_NAME: "worker"');
    const obs = OBS.replace('xray: { enabled: true, daemonService: xray-daemon }', 'xray: { enabled: false }');
    const r = await runCheck('otel-service-name', { compose, obs });
    expect(r.findings!.map((f) => f.message)).toEqual(['api has no OTEL_SERVICE_NAME: its spans arrive as unknown_service']);
  });

  it('warns when OTEL_RESOURCE_ATTRIBUTES names the service differently', async () => {
    const compose = API_ONLY.replace('      OTEL_SERVICE_NAME: "api"\n', '      OTEL_SERVICE_NAME: "api"\n      OTEL_RESOURCE_ATTRIBUTES: "service.name=backend"\n');
    const r = await runCheck('otel-service-name', { compose });
    expect(r.status).toBe('warn');
    expect(where(only(r))).toBe('docker-compose.yml:6');
  });

  it('passes when set, skips when nothing is instrumented', async () => {
    expect((await runCheck('otel-service-name', { compose: API_ONLY })).status).toBe('pass');
    expect((await runCheck('otel-service-name', { compose: lf('services:', '  db:', '    image: postgres') })).status).toBe('skip');
  });
});

describe('otel-service-name-unique', () => {
  it('fails listing the services that share a name', async () => {
    const compose = API_ONLY + lf('  worker:', '    build: ./api', '    environment:', '      OTEL_SERVICE_NAME: "${NAME:-api}"');
    const r = await runCheck('otel-service-name-unique', { compose });
    expect(r.status).toBe('fail');
    const f = only(r);
    expect(where(f)).toBe('docker-compose.yml:5');
    expect(f.message).toBe('api and worker all send as OTEL_SERVICE_NAME api: their spans mix as one service');
    expect(f.fix).toBe('obs init --force (writes each service its own name), or set a distinct OTEL_SERVICE_NAME on each');
  });

  it('passes with distinct names', async () => {
    const compose = API_ONLY + lf('  worker:', '    build: ./api', '    environment:', '      OTEL_SERVICE_NAME: "worker"');
    expect((await runCheck('otel-service-name-unique', { compose })).status).toBe('pass');
  });
});

describe('otel-endpoint', () => {
  const withEndpoint = (value: string, extra = '') => API_ONLY.replace('"https://api.honeycomb.io"', `"${value}"`) + extra;

  it('fails on /v1/traces at the end of the generic variable', async () => {
    const r = await runCheck('otel-endpoint', { compose: withEndpoint('https://api.honeycomb.io:443/v1/traces') });
    expect(r.status).toBe('fail');
    const f = only(r);
    expect(where(f)).toBe('docker-compose.yml:6');
    expect(f.message).toBe('OTEL_EXPORTER_OTLP_ENDPOINT on api ends in /v1/traces, but the SDK appends /v1/<signal> to it: spans go to /v1/traces/v1/traces and are lost');
    expect(f.fix).toBe('OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io"');
  });

  it('fails on a host:443 without a scheme for HTTP, accepts it for gRPC', async () => {
    const r = await runCheck('otel-endpoint', { compose: withEndpoint('api.honeycomb.io:443') });
    expect(r.status).toBe('fail');
    expect(only(r).fix).toBe('OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io"');
    const grpc = await runCheck('otel-endpoint', { compose: withEndpoint('api.honeycomb.io:443', '      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc"\n') });
    expect(grpc.status).toBe('pass');
  });

  it('fails when the Honeycomb region differs from obs.yaml', async () => {
    const obs = OBS.replace('region: us', 'region: eu');
    const r = await runCheck('otel-endpoint', { compose: API_ONLY, obs });
    expect(r.status).toBe('fail');
    expect(only(r).message).toBe('OTEL_EXPORTER_OTLP_ENDPOINT on api sends to Honeycomb US (api.honeycomb.io), but obs.yaml says the team is in EU: the key is refused as unknown');
    expect(only(r).fix).toBe('OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.eu1.honeycomb.io"');
  });

  it("passes plain http to the project's collector, warns on another local host, fails on plain http to a remote host", async () => {
    const collector = lf('  otel-collector:', '    image: otel/opentelemetry-collector-contrib');
    const local = await runCheck('otel-endpoint', { compose: withEndpoint('http://otel-collector:4318', collector) });
    expect(local.status).toBe('pass');
    const other = lf('  proxy:', '    image: nginx');
    const proxied = await runCheck('otel-endpoint', { compose: withEndpoint('http://proxy:4318', other) });
    expect(proxied.status).toBe('warn');
    const remote = await runCheck('otel-endpoint', { compose: withEndpoint('http://api.honeycomb.io') });
    expect(remote.status).toBe('fail');
    expect(only(remote).fix).toBe('OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io"');
  });

  it('fails on an unknown protocol and a non-URL', async () => {
    const r = await runCheck('otel-endpoint', { compose: withEndpoint('https://', '      OTEL_EXPORTER_OTLP_PROTOCOL: "http"\n') });
    expect(r.findings!.map((f) => f.message)).toEqual([
      'OTEL_EXPORTER_OTLP_PROTOCOL on api is `http`; exporters know grpc, http/protobuf and http/json',
      'OTEL_EXPORTER_OTLP_ENDPOINT on api is `https://`, which is not a URL',
    ]);
  });

  it('passes on the Honeycomb endpoint, with signal paths on signal variables', async () => {
    expect((await runCheck('otel-endpoint', { compose: API_ONLY })).status).toBe('pass');
    const traces = API_ONLY.replace('OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io"', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://api.honeycomb.io/v1/traces"');
    expect((await runCheck('otel-endpoint', { compose: traces })).status).toBe('pass');
  });
});

describe('otel-headers', () => {
  const withHeaders = (value: string) => API_ONLY.replace('"x-honeycomb-team=${HONEYCOMB_API_KEY}"', JSON.stringify(value));
  const GOOD_FIX = 'OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}"';

  it.each([
    ['x-honeycomb-team:${HONEYCOMB_API_KEY}', 'OTEL_EXPORTER_OTLP_HEADERS on api writes `x-honeycomb-team:${HONEYCOMB_API_KEY}` with a colon: OTLP header variables are name=value, so no key is sent'],
    ['x-honeycomb-team${HONEYCOMB_API_KEY}', 'OTEL_EXPORTER_OTLP_HEADERS on api writes `x-honeycomb-team${HONEYCOMB_API_KEY}` with no = between the header name and the key, so no key is sent'],
    ['x-honeycomb-team=HONEYCOMB_API_KEY', 'OTEL_EXPORTER_OTLP_HEADERS on api sends the text HONEYCOMB_API_KEY as the key: write ${HONEYCOMB_API_KEY} so compose substitutes it'],
    ['x-honeycomb-team=${}', 'OTEL_EXPORTER_OTLP_HEADERS on api: x-honeycomb-team=${} names no variable: compose stops with "Invalid template" and no key is sent'],
    ['x-honeycomb-team=', 'OTEL_EXPORTER_OTLP_HEADERS on api: x-honeycomb-team is empty, so Honeycomb refuses the spans'],
  ])('fails on %s', async (value, message) => {
    const r = await runCheck('otel-headers', { compose: withHeaders(value) });
    expect(r.status).toBe('fail');
    const f = only(r);
    expect(where(f)).toBe('docker-compose.yml:7');
    expect(f.message).toBe(message);
    expect(f.fix).toBe(GOOD_FIX);
  });

  it('fails on a raw space in a value and on a missing team header', async () => {
    const spaced = await runCheck('otel-headers', { compose: withHeaders('x-honeycomb-team=${HONEYCOMB_API_KEY},x-honeycomb-dataset=my data') });
    expect(only(spaced).message).toBe('OTEL_EXPORTER_OTLP_HEADERS on api: the value of x-honeycomb-dataset holds a raw space; header values are percent-encoded (write %20)');
    expect(only(spaced).fix).toBe('OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY},x-honeycomb-dataset=my%20data"');
    const noTeam = await runCheck('otel-headers', { compose: withHeaders('x-honeycomb-dataset=api') });
    expect(only(noTeam).message).toBe('OTEL_EXPORTER_OTLP_HEADERS on api has no x-honeycomb-team header: Honeycomb refuses spans without the key');
  });

  it('fails when a service sends to Honeycomb with no headers at all', async () => {
    const r = await runCheck('otel-headers', { compose: API_ONLY.replace('OTEL_EXPORTER_OTLP_HEADERS:', 'OTEL_EXPORTER_OTLP_HEADER:') });
    expect(where(only(r))).toBe('docker-compose.yml:6');
    expect(only(r).message).toBe('api sends to Honeycomb (https://api.honeycomb.io) without OTEL_EXPORTER_OTLP_HEADERS: no x-honeycomb-team header, so Honeycomb refuses the spans');
  });

  it('fails on a literal key without showing it', async () => {
    const r = await runCheck('otel-headers', { compose: withHeaders(`x-honeycomb-team=${INGEST_KEY}`) });
    expect(r.status).toBe('fail');
    expect(only(r).message).toBe(`OTEL_EXPORTER_OTLP_HEADERS on api holds a literal Honeycomb key (hcai…(64 chars)): keep the key in .env and reference it`);
    expect(JSON.stringify(r)).not.toContain(INGEST_KEY);
  });

  it('fails on a classic key without x-honeycomb-dataset, passes with it', async () => {
    const r = await runCheck('otel-headers', { compose: API_ONLY, dotenv: `HONEYCOMB_API_KEY=${CLASSIC_KEY}\n` });
    expect(r.status).toBe('fail');
    expect(only(r).message).toBe('HONEYCOMB_API_KEY holds a classic Honeycomb key (32 hex characters), which needs x-honeycomb-dataset too: without it Honeycomb refuses the spans');
    expect(only(r).fix).toBe('OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY},x-honeycomb-dataset=api"');
    expect(JSON.stringify(r)).not.toContain(CLASSIC_KEY);
    const ok = await runCheck('otel-headers', { compose: withHeaders('x-honeycomb-team=${HONEYCOMB_API_KEY},x-honeycomb-dataset=cruddur'), dotenv: `HONEYCOMB_API_KEY=${CLASSIC_KEY}\n` });
    expect(ok.status).toBe('pass');
  });

  it('judges a header taken whole from .env by its value', async () => {
    const r = await runCheck('otel-headers', { compose: withHeaders('${OTEL_EXPORTER_OTLP_HEADERS}'), dotenv: 'OTEL_EXPORTER_OTLP_HEADERS=x-honeycomb-team:abc\n' });
    expect(only(r).message).toMatch(/with a colon/);
  });

  it('passes on the header obs writes', async () => {
    expect((await runCheck('otel-headers', { compose: API_ONLY, dotenv: `HONEYCOMB_API_KEY=${INGEST_KEY}\n` })).status).toBe('pass');
  });
});

describe('xray-daemon-present', () => {
  it('fails when X-Ray variables are set but the daemon is commented out', async () => {
    const compose = GOOD.split('\n').slice(0, 12).join('\n') + '\n' + lf('  # xray-daemon:', '  #   image: "amazon/aws-xray-daemon"');
    const r = await runCheck('xray-daemon-present', { compose });
    expect(r.status).toBe('fail');
    const f = only(r);
    expect(where(f)).toBe('docker-compose.yml:10');
    expect(f.message).toBe('api sets AWS_XRAY_URL and AWS_XRAY_DAEMON_ADDRESS, but no service runs the X-Ray daemon (the daemon at docker-compose.yml:13 is commented out): its segments go nowhere');
    expect(f.fix).toBe('obs init --xray (adds the daemon service), or remove the AWS_XRAY_* variables');
  });

  it('passes with a daemon, skips when X-Ray is not used', async () => {
    expect((await runCheck('xray-daemon-present', { compose: GOOD })).status).toBe('pass');
    expect((await runCheck('xray-daemon-present', { compose: API_ONLY })).status).toBe('skip');
  });
});

describe('xray-daemon-address', () => {
  const withAddress = (value: string) => GOOD.replace('AWS_XRAY_DAEMON_ADDRESS: "xray-daemon:2000"', `AWS_XRAY_DAEMON_ADDRESS: "${value}"`);

  it.each([
    ['http://xray-daemon:2000', 'AWS_XRAY_DAEMON_ADDRESS on api is `http://xray-daemon:2000`: a URL scheme does not belong there, the SDK wants host:port'],
    ['0.0.0.0:2000', 'AWS_XRAY_DAEMON_ADDRESS on api is `0.0.0.0:2000`: 0.0.0.0 is where a daemon listens, not an address to send to'],
    ['127.0.0.1:2000', 'AWS_XRAY_DAEMON_ADDRESS on api is `127.0.0.1:2000`: inside the api container that is api itself, not xray-daemon'],
    ['xray:2000', 'AWS_XRAY_DAEMON_ADDRESS on api is `xray:2000`, but no service is named xray; the daemon runs as xray-daemon'],
    ['xray-daemon:3000', 'AWS_XRAY_DAEMON_ADDRESS on api is `xray-daemon:3000`, but xray-daemon listens on port 2000'],
  ])('fails on %s', async (value, message) => {
    const r = await runCheck('xray-daemon-address', { compose: withAddress(value) });
    expect(r.status).toBe('fail');
    const f = only(r);
    expect(where(f)).toBe('docker-compose.yml:11');
    expect(f.message).toBe(message);
    expect(f.fix).toBe('AWS_XRAY_DAEMON_ADDRESS: "xray-daemon:2000"');
  });

  it('fails when X-Ray is set up on a service without the address', async () => {
    const r = await runCheck('xray-daemon-address', { compose: GOOD.replace('AWS_XRAY_DAEMON_ADDRESS:', 'AWS_XRAY_DAEMON_ADDRSES:') });
    expect(only(r).message).toBe('api sets AWS_XRAY_URL and AWS_XRAY_DAEMON_ADDRSES but no AWS_XRAY_DAEMON_ADDRESS: the SDK sends to 127.0.0.1:2000, its own container, not xray-daemon');
  });

  it('passes on service:port, also split tcp/udp', async () => {
    expect((await runCheck('xray-daemon-address', { compose: GOOD })).status).toBe('pass');
    expect((await runCheck('xray-daemon-address', { compose: withAddress('tcp:xray-daemon:2000 udp:xray-daemon:2000') })).status).toBe('pass');
  });
});

describe('xray-url', () => {
  const withUrl = (value: string) => GOOD.replace('AWS_XRAY_URL: "*localhost:4567*"', `AWS_XRAY_URL: "${value}"`);

  it('warns without the leading and trailing *', async () => {
    const r = await runCheck('xray-url', { compose: withUrl('*4567-${GITPOD_WORKSPACE_ID}.${GITPOD_WORKSPACE_CLUSTER_HOST}') });
    expect(r.status).toBe('warn');
    const f = only(r);
    expect(where(f)).toBe('docker-compose.yml:10');
    expect(f.message).toBe(
      'AWS_XRAY_URL on api is `*4567-${GITPOD_WORKSPACE_ID}.${GITPOD_WORKSPACE_CLUSTER_HOST}`: it lacks the trailing *, so it must match the whole Host header (host:port) exactly; segments keep the default name',
    );
    expect(f.fix).toBe('AWS_XRAY_URL: "*4567-${GITPOD_WORKSPACE_ID}.${GITPOD_WORKSPACE_CLUSTER_HOST}*"');
  });

  it('warns on a scheme inside and on the daemon address written there', async () => {
    const scheme = await runCheck('xray-url', { compose: withUrl('https://${CODESPACE_NAME}-4567.app.github.dev') });
    expect(only(scheme).message).toBe(
      'AWS_XRAY_URL on api is `https://${CODESPACE_NAME}-4567.app.github.dev`: it holds a https:// scheme, which the Host header it is matched against never does, and it lacks the leading and trailing *, so it must match the whole Host header (host:port) exactly; segments keep the default name',
    );
    expect(only(scheme).fix).toBe('AWS_XRAY_URL: "*${CODESPACE_NAME}-4567.app.github.dev*"');
    const daemon = await runCheck('xray-url', { compose: withUrl('http://xray-daemon:2000') });
    expect(only(daemon).message).toBe(
      'AWS_XRAY_URL on api is `http://xray-daemon:2000`, which looks like the daemon address (with a http:// scheme): AWS_XRAY_URL is the Host pattern segments are named by (AWS_XRAY_DAEMON_ADDRESS is where they go)',
    );
    expect(only(daemon).fix).toBe('AWS_XRAY_URL: "*localhost:4567*"');
  });

  it('passes on *host:port*', async () => {
    expect((await runCheck('xray-url', { compose: GOOD })).status).toBe('pass');
  });
});

describe('xray-daemon-image', () => {
  it('warns on a wrong image name', async () => {
    const r = await runCheck('xray-daemon-image', { compose: GOOD.replace('"amazon/aws-xray-daemon"', '"amazon-xray-daemon"') });
    expect(r.status).toBe('warn');
    expect(where(only(r))).toBe('docker-compose.yml:14');
    expect(only(r).fix).toBe('image: "amazon/aws-xray-daemon:3.6.6"');
  });

  it('passes on the Docker Hub and ECR Public images', async () => {
    expect((await runCheck('xray-daemon-image', { compose: GOOD })).status).toBe('pass');
    expect((await runCheck('xray-daemon-image', { compose: GOOD.replace('"amazon/aws-xray-daemon"', '"public.ecr.aws/xray/aws-xray-daemon:3.x"') })).status).toBe('pass');
  });
});

describe('xray-daemon-command', () => {
  const withCommand = (...lines: string[]) => GOOD.replace('    command: ["-o", "-b", "0.0.0.0:2000", "-t", "0.0.0.0:2000"]', lines.join('\n'));

  it('fails on "xray -o -b ..." as one list item', async () => {
    const r = await runCheck('xray-daemon-command', { compose: withCommand('    command:', '      - "xray -o -b xray-daemon:2000"') });
    expect(r.status).toBe('fail');
    const f = only(r);
    expect(where(f)).toBe('docker-compose.yml:20');
    expect(f.message).toBe(
      'command item "xray -o -b xray-daemon:2000" reaches xray-daemon as one argument after /xray\'s own flags, and it starts with `xray`, which the entrypoint already is: the daemon does not run as meant',
    );
    expect(f.fix).toBe('command: ["-o"]');
  });

  it('fails on a string command starting with xray, and on -0 for -o', async () => {
    const string = await runCheck('xray-daemon-command', { compose: withCommand('    command: xray -o -n us-east-1') });
    expect(only(string).message).toBe("xray-daemon's command starts with `xray`: the entrypoint is already /xray, so `xray` is passed as an argument");
    expect(only(string).fix).toBe('command: ["-o", "-n", "us-east-1"]');
    const zero = await runCheck('xray-daemon-command', { compose: withCommand('    command: ["-0", "-b", "0.0.0.0:2000"]') });
    expect(only(zero).message).toBe('`-0` is not a daemon flag (that is a zero): did you mean -o?');
    expect(only(zero).fix).toBe('command: ["-o"]');
  });

  it('passes on flags only, one per item, and on no command', async () => {
    expect((await runCheck('xray-daemon-command', { compose: GOOD })).status).toBe('pass');
    expect((await runCheck('xray-daemon-command', { compose: withCommand() })).status).toBe('pass');
  });
});

describe('xray-daemon-setup', () => {
  it('warns when the daemon publishes no UDP port', async () => {
    const r = await runCheck('xray-daemon-setup', { compose: GOOD.replace('    ports:\n      - "2000:2000/udp"\n', '') });
    expect(r.status).toBe('warn');
    expect(where(only(r))).toBe('docker-compose.yml:13');
    expect(only(r).fix).toBe('ports: ["2000:2000/udp"]');
  });

  it('fails without AWS_REGION (AWS_DEFAULT_REGION is not read) and without credentials', async () => {
    const compose = GOOD.replace('      AWS_REGION: "${AWS_DEFAULT_REGION}"', '      AWS_DEFAULT_REGION: "us-east-1"').replace('      AWS_ACCESS_KEY_ID: "${AWS_ACCESS_KEY_ID}"\n', '');
    const r = await runCheck('xray-daemon-setup', { compose });
    expect(r.status).toBe('fail');
    expect(r.findings!.map((f) => `${where(f)} ${f.message}`)).toEqual([
      'docker-compose.yml:17 xray-daemon has no AWS_REGION (the daemon does not read AWS_DEFAULT_REGION) and no -n flag: it exits with "Cannot fetch region variable"',
      'docker-compose.yml:15 xray-daemon has no AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY): it cannot upload segments',
    ]);
    expect(r.findings![0]!.fix).toBe('AWS_REGION: "${AWS_DEFAULT_REGION}"');
  });

  it('fails on a region that is not one, warns without local mode', async () => {
    const compose = GOOD.replace('AWS_REGION: "${AWS_DEFAULT_REGION}"', 'AWS_REGION: "can-central-1"').replace('["-o", "-b", "0.0.0.0:2000", "-t", "0.0.0.0:2000"]', '["-b", "0.0.0.0:2000"]');
    const r = await runCheck('xray-daemon-setup', { compose });
    expect(r.findings!.map((f) => f.message)).toEqual([
      'xray-daemon does not run in local mode (-o): off EC2 it probes instance metadata it cannot reach',
      'AWS_REGION on xray-daemon is `can-central-1`, which is not an AWS region',
    ]);
  });

  it('passes on the daemon obs writes', async () => {
    const r = await runCheck('xray-daemon-setup', { compose: GOOD, dotenv: DOTENV });
    expect(r).toMatchObject({ status: 'pass', detail: 'xray-daemon: local mode, region us-east-1, credentials set, 2000/udp published' });
  });
});

describe('xray-maintenance', () => {
  it('warns, naming the dates and the OpenTelemetry path, when X-Ray is in use', async () => {
    const r = await runCheck('xray-maintenance', { compose: GOOD });
    expect(r.status).toBe('warn');
    expect(r.detail).toBe(
      'the X-Ray daemon and SDKs are in maintenance since 2026-02-25 (security fixes only) and reach end of support on 2027-02-25: plan the move to OpenTelemetry (the ADOT collector, or OTLP straight to the backend)',
    );
    expect(r.fix).toMatch(/^obs init --pipeline collector: an OpenTelemetry Collector .* replaces the daemon .*awsxray receiver$/);
    expect(where(only(r))).toBe('docker-compose.yml:13');
  });

  it('skips when X-Ray is not used', async () => {
    expect((await runCheck('xray-maintenance', { compose: API_ONLY })).status).toBe('skip');
  });
});

describe('rollbar-token-reference', () => {
  it('fails on a backend service without the token where obs.yaml enables Rollbar', async () => {
    const r = await runCheck('rollbar-token-reference', { compose: GOOD.replace('      ROLLBAR_ACCESS_TOKEN: "${ROLLBAR_ACCESS_TOKEN}"\n', ''), obs: OBS });
    expect(r.status).toBe('fail');
    expect(where(only(r))).toBe('docker-compose.yml:2');
    expect(only(r).fix).toBe('ROLLBAR_ACCESS_TOKEN: "${ROLLBAR_ACCESS_TOKEN}"');
  });

  it('fails on a literal token without showing it', async () => {
    const token = CLASSIC_KEY;
    const r = await runCheck('rollbar-token-reference', { compose: GOOD.replace('"${ROLLBAR_ACCESS_TOKEN}"', `"${token}"`), obs: OBS });
    expect(only(r).message).toMatch(/^ROLLBAR_ACCESS_TOKEN on api is written out \(.{4}…\(32 chars\)\)/);
    expect(JSON.stringify(r)).not.toContain(token);
  });

  it('skips when Rollbar is off or unknown, passes when referenced', async () => {
    expect((await runCheck('rollbar-token-reference', { compose: GOOD })).status).toBe('skip');
    expect((await runCheck('rollbar-token-reference', { compose: GOOD, obs: OBS.replace('rollbar: { enabled: true }', 'rollbar: { enabled: false }') })).status).toBe('skip');
    expect((await runCheck('rollbar-token-reference', { compose: GOOD, obs: OBS })).status).toBe('pass');
  });
});

describe('helpers', () => {
  it('parse compose templates like compose-go', () => {
    expect(referencesIn('a $A ${B:-${C}} $$D ${E?msg} $1').map((r) => r.name)).toEqual(['A', 'B', 'C', 'E']);
    expect(parseTemplate('${}').map((p) => p.kind)).toEqual(['error']);
    expect(parseTemplate('x ${A').map((p) => p.kind)).toEqual(['text', 'error']);
    expect(expand('${A:-x}-${B-y}-${C:+z}', (n) => ({ A: '', B: '', C: 'c' })[n]).value).toBe('x--z');
  });

  it('measure names by edits and transpositions', () => {
    expect(editDistance('OTLP', 'OLTP')).toBe(1);
    expect(suggestName('OTEL_EXPORTER_OTLP_HEADER')?.name).toBe('OTEL_EXPORTER_OTLP_HEADERS');
    expect(suggestName('OTEL_SERVICE_NAMESPACE')).toBeUndefined();
    expect(suggestName('DATABASE_URL')).toBeUndefined();
  });

  it('give the exact distance, or max + 1 past a bound, like the full table does', () => {
    // The textbook table (optimal string alignment) as the reference for the rolling-row version.
    const reference = (a: string, b: string): number => {
      const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
      for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
          d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
          if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
        }
      }
      return d[a.length]![b.length]!;
    };
    // Every pair of strings up to length 5 over a small alphabet with repeats and swaps.
    const words = [''];
    for (let n = 1; n <= 4; n++) for (const w of words.filter((x) => x.length === n - 1)) for (const c of 'AB_') words.push(w + c);
    words.push('ABBA_', '_BAAB', 'BA_AB');
    for (const a of words) {
      for (const b of words) {
        const exact = reference(a, b);
        expect(editDistance(a, b)).toBe(exact);
        for (const max of [0, 1, 2]) expect(editDistance(a, b, max)).toBe(exact <= max ? exact : max + 1);
      }
    }
  });
});
