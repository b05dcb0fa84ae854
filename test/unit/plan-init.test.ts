import { describe, expect, it } from 'vitest';
import type { InitChoices } from '../../src/backends/choices.js';
import { conflictReason, noteText } from '../../src/commands/init/report.js';
import { planInit, type InitPlan } from '../../src/commands/init/plan.js';
import type { InitSnapshot } from '../../src/project/snapshot.js';
import { parseComposeText } from '../../src/compose/parse.js';
import { buildProject } from '../../src/compose/project.js';
import { parseObsConfig } from '../../src/config/obs-config.js';
import { changedOnly } from '../../src/plan/file-change.js';
import { findingsLines, nextSteps } from '../../src/commands/init/report.js';
import type { Stack } from '../../src/stacks/detect.js';

const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');
const crlf = (...lines: string[]) => lines.map((l) => `${l}\r\n`).join('');

const HONEYCOMB_KEY = 'abcdefghijABCDEFGHIJ12'; // 22 alphanumerics: a classic Honeycomb key
const AWS_KEY_ID = 'AKIAABCDEFGHIJKLMNOP';

type SnapshotExtra = Partial<Omit<InitSnapshot, 'stacks'>> & { stacks?: Record<string, Stack> };

function snapshot(compose: Record<string, string>, extra: SnapshotExtra = {}): InitSnapshot {
  const { stacks, ...rest } = extra;
  return {
    compose: Object.entries(compose).map(([path, text]) => parseComposeText(path, text)),
    projectDir: '',
    envFiles: new Map(),
    collectorConfigs: new Map(),
    hints: { gitpod: false, codespaces: false },
    stacks: new Map(Object.entries(stacks ?? {})),
    envIgnored: false,
    envTracked: false,
    projectName: 'cruddur',
    ...rest,
  };
}

function choices(over: Partial<InitChoices> = {}): InitChoices {
  return {
    services: ['backend-flask', 'frontend-react-js'],
    // The planner's own tests of the direct pipeline; test/unit/plan-collector.test.ts has the collector's.
    pipeline: 'direct',
    honeycomb: { enabled: true, region: 'us' },
    xray: { enabled: true, group: 'cruddur' },
    cloudwatch: { enabled: false, logGroup: '/cruddur', retentionInDays: 14 },
    rollbar: { enabled: false },
    force: false,
    ...over,
  };
}

const OFF = { honeycomb: { enabled: false, region: 'us' as const }, xray: { enabled: false, group: 'cruddur' } };

/** The text planInit wants `path` to have; throws when the plan has no entry for it. */
function after(plan: InitPlan, path: string): string {
  const change = plan.changes.find((c) => c.path === path);
  if (!change) throw new Error(`no change planned for ${path}; planned: ${plan.changes.map((c) => c.path).join(', ')}`);
  return change.after;
}

/** The inputs of a second run: every planned file as written, obs.yaml parsed as `previous`. */
function rerun(first: InitPlan, base: InitSnapshot): InitSnapshot {
  const text = (path: string) => {
    const change = first.changes.find((c) => c.path === path);
    return change ? { path, text: change.after } : undefined;
  };
  const obsConfig = text('obs.yaml')!;
  return {
    ...base,
    compose: base.compose.map((f) => parseComposeText(f.path, after(first, f.path))),
    dotenv: text('.env') ?? base.dotenv,
    dotenvExample: text('.env.example') ?? base.dotenvExample,
    gitignore: text('.gitignore') ?? base.gitignore,
    obsConfig,
    previous: parseObsConfig(obsConfig.text),
    envIgnored: true,
    envTracked: false,
  };
}

const DAEMON = [
  '  xray-daemon:',
  '    image: "amazon/aws-xray-daemon:3.6.6"',
  '    environment:',
  '      AWS_ACCESS_KEY_ID: "${AWS_ACCESS_KEY_ID}"',
  '      AWS_SECRET_ACCESS_KEY: "${AWS_SECRET_ACCESS_KEY}"',
  '      AWS_REGION: "${AWS_DEFAULT_REGION}"',
  "    # Added to the image's entrypoint (/xray -t 0.0.0.0:2000 -b 0.0.0.0:2000): local mode.",
  '    command: ["-o"]',
  '    ports:',
  '      - "2000:2000/udp"',
];

const CHANGES_HEADER = [
  '',
  '# What obs init changed in the compose files, kept by obs for `obs remove` and later runs: per file',
  '# and service, the keys it added and the values it replaced (as written; a secret is never recorded).',
  'changes:',
  '  environment:',
];
/** obs.yaml's record of the keys init added to each service of docker-compose.yml. */
const addedRecord = (added: Record<string, string[]>) => [
  ...CHANGES_HEADER,
  '    docker-compose.yml:',
  ...Object.entries(added).flatMap(([name, keys]) => [`      ${name}:`, '        added:', ...keys.map((k) => `          - ${k}`)]),
];

const OBS_HEADER = ['# obs.yaml: what `obs init` set up. `obs apply` creates the AWS resources listed here', '# and `obs doctor` checks the project against it. No secrets belong in this file.', ''];

const EXAMPLE_LINES: Record<string, string[]> = {
  HONEYCOMB_API_KEY: ['# Honeycomb ingest key (Honeycomb > Environment settings > API keys). Never commit it.', 'HONEYCOMB_API_KEY='],
  AWS_ACCESS_KEY_ID: ['# AWS access key id for X-Ray and CloudWatch Logs (the collector, or the X-Ray daemon, signs with it).', 'AWS_ACCESS_KEY_ID='],
  AWS_SECRET_ACCESS_KEY: ['# AWS secret access key that goes with AWS_ACCESS_KEY_ID. Never commit it.', 'AWS_SECRET_ACCESS_KEY='],
  AWS_DEFAULT_REGION: ['# AWS region for X-Ray and CloudWatch Logs, e.g. us-east-1.', 'AWS_DEFAULT_REGION='],
};
const example = (...keys: string[]) => lf(...keys.flatMap((k) => EXAMPLE_LINES[k]!));

/** obs.yaml for honeycomb on (us) and xray on, for the given services and traced services. */
function obsYaml(services: Record<string, Stack>, traced: string[], daemon = 'xray-daemon', added: Record<string, string[]> = {}): string {
  return lf(
    ...OBS_HEADER,
    'version: 1',
    'pipeline: direct',
    'compose:',
    '  files:',
    '    - docker-compose.yml',
    'services:',
    ...Object.entries(services).flatMap(([name, stack]) => [`  ${name}:`, `    serviceName: ${name}`, `    stack: ${stack}`]),
    'honeycomb:',
    '  enabled: true',
    '  region: us',
    '  endpoint: https://api.honeycomb.io',
    'xray:',
    '  enabled: true',
    `  daemonService: ${daemon}`,
    '  groups:',
    '    - name: cruddur',
    `      filterExpression: ${traced.map((n) => `service("${n}") {fault OR error}`).join(' OR ')}`,
    '  samplingRules:',
    '    - ruleName: cruddur',
    '      priority: 9000',
    '      fixedRate: 0.1',
    '      reservoirSize: 5',
    `      serviceName: ${traced.length === 1 ? traced[0] : '"*"'}`,
    '      serviceType: "*"',
    '      host: "*"',
    '      httpMethod: "*"',
    '      urlPath: "*"',
    '      resourceArn: "*"',
    'cloudwatch:',
    '  enabled: false',
    '  logGroups: []',
    'rollbar:',
    '  enabled: false',
    ...addedRecord(added),
  );
}

const CRUDDUR = lf(
  '# Cruddur: Flask API, React frontend, Postgres.',
  'services:',
  '  backend-flask:',
  '    build: ./backend-flask',
  '    ports:',
  '      - "4567:4567"',
  '    environment:',
  '      FRONTEND_URL: "http://localhost:3000"',
  '      BACKEND_URL: "http://localhost:4567"',
  '',
  '  frontend-react-js:',
  '    build: ./frontend-react-js',
  '    ports:',
  '      - "3000:3000"',
  '    environment:',
  '      REACT_APP_BACKEND_URL: "http://localhost:4567"',
  '',
  '  db:',
  '    image: postgres:13-alpine',
  '    environment:',
  '      POSTGRES_PASSWORD: password # local only',
  '',
  'volumes:',
  '  db: {}',
);
const CRUDDUR_STACKS: Record<string, Stack> = { 'backend-flask': 'flask', 'frontend-react-js': 'react' };

describe('planInit: a Flask + React + Postgres project', () => {
  const base = snapshot({ 'docker-compose.yml': CRUDDUR }, { stacks: CRUDDUR_STACKS });
  const plan = planInit(base, choices());

  it('writes exactly these files, in this order', () => {
    expect(plan.changes.map((c) => [c.path, c.before === null ? 'new' : 'edit'])).toEqual([
      ['docker-compose.yml', 'edit'],
      ['.env.example', 'new'],
      ['.gitignore', 'new'],
      ['obs.yaml', 'new'],
    ]);
  });

  it('instruments the Flask service fully, leaves the React container alone (its module carries its name), and adds the daemon', () => {
    expect(after(plan, 'docker-compose.yml')).toBe(
      lf(
        '# Cruddur: Flask API, React frontend, Postgres.',
        'services:',
        '  backend-flask:',
        '    build: ./backend-flask',
        '    ports:',
        '      - "4567:4567"',
        '    environment:',
        '      FRONTEND_URL: "http://localhost:3000"',
        '      BACKEND_URL: "http://localhost:4567"',
        '      OTEL_SERVICE_NAME: "backend-flask"',
        '      OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io"',
        '      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}"',
        '      AWS_XRAY_DAEMON_ADDRESS: "xray-daemon:2000"',
        '',
        '  frontend-react-js:',
        '    build: ./frontend-react-js',
        '    ports:',
        '      - "3000:3000"',
        '    environment:',
        '      REACT_APP_BACKEND_URL: "http://localhost:4567"',
        '',
        '  db:',
        '    image: postgres:13-alpine',
        '    environment:',
        '      POSTGRES_PASSWORD: password # local only',
        '',
        ...DAEMON,
        '',
        'volumes:',
        '  db: {}',
      ),
    );
  });

  it('lists the placeholders in .env.example, ignores .env in .gitignore, records obs.yaml', () => {
    expect(after(plan, '.env.example')).toBe(example('HONEYCOMB_API_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_DEFAULT_REGION'));
    expect(after(plan, '.gitignore')).toBe(lf('# Local secrets (added by obs)', '.env'));
    expect(after(plan, 'obs.yaml')).toBe(
      obsYaml(CRUDDUR_STACKS, ['backend-flask'], 'xray-daemon', { 'backend-flask': ['OTEL_SERVICE_NAME', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_HEADERS', 'AWS_XRAY_DAEMON_ADDRESS'] }),
    );
  });

  it('reports what it did', () => {
    expect(plan.added).toEqual([{ service: 'backend-flask', keys: ['OTEL_SERVICE_NAME', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_HEADERS', 'AWS_XRAY_DAEMON_ADDRESS'] }]);
    expect(plan.daemonService).toBe('xray-daemon');
    expect(plan.daemonAdded).toBe(true);
    expect(plan.requiredVariables).toEqual(['HONEYCOMB_API_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_DEFAULT_REGION']);
    expect(plan.movedSecrets).toEqual([]);
    expect(plan.conflicts).toEqual([]);
    expect(plan.notes.map(noteText)).toEqual([]);
    expect(plan.untrack).toEqual([]);
  });

  it('leaves the database environment as compose read it', () => {
    const project = buildProject([parseComposeText('docker-compose.yml', after(plan, 'docker-compose.yml'))]);
    expect(Object.fromEntries(project.services.find((s) => s.name === 'db')!.config.environment)).toEqual({ POSTGRES_PASSWORD: 'password' });
  });

  it('changes nothing when run again over its own output', () => {
    const second = planInit(rerun(plan, base), choices());
    expect(changedOnly(second.changes)).toEqual([]);
    expect(second.changes.map((c) => c.path)).toEqual(['docker-compose.yml', '.env.example', 'obs.yaml']);
    expect(second.added).toEqual([]);
    expect(second.updated).toEqual([]);
    expect(second.daemonAdded).toBe(false);
    expect(second.daemonService).toBe('xray-daemon');
    expect(second.conflicts).toEqual([]);
    expect(second.movedSecrets).toEqual([]);
    expect(second.untrack).toEqual([]);
  });

  it('keeps a hand-edited obs.yaml byte for byte when it says the same', () => {
    const config = `# mine\n${after(plan, 'obs.yaml')}`;
    const second = planInit({ ...rerun(plan, base), obsConfig: { path: 'obs.yaml', text: config } }, choices());
    expect(after(second, 'obs.yaml')).toBe(config);
  });
});

describe('planInit: secrets written into the compose file', () => {
  const COMPOSE = lf(
    'services:',
    '  backend-flask:',
    '    build: ./backend-flask',
    '    ports:',
    '      - "4567:4567"',
    '    environment:',
    '      OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io"',
    `      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_KEY}"`,
    `      AWS_ACCESS_KEY_ID: ${AWS_KEY_ID}`,
    '      AWS_SECRET_ACCESS_KEY: bogus_key',
    '      ROLLBAR_ACCESS_TOKEN: test',
    '  db:',
    '    image: postgres:13-alpine',
  );
  const base = snapshot({ 'docker-compose.yml': COMPOSE }, { stacks: { 'backend-flask': 'flask' }, envTracked: true, dotenv: { path: '.env', text: 'EXISTING=1\n' } });
  const plan = planInit(base, choices({ services: ['backend-flask'] }));

  it('replaces the literals by references, keeping each value quoting, and leaves placeholders alone', () => {
    expect(after(plan, 'docker-compose.yml')).toBe(
      lf(
        'services:',
        '  backend-flask:',
        '    build: ./backend-flask',
        '    ports:',
        '      - "4567:4567"',
        '    environment:',
        '      OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io"',
        '      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}"',
        '      AWS_ACCESS_KEY_ID: ${AWS_ACCESS_KEY_ID}',
        '      AWS_SECRET_ACCESS_KEY: bogus_key',
        '      ROLLBAR_ACCESS_TOKEN: test',
        '      OTEL_SERVICE_NAME: backend-flask',
        '      AWS_XRAY_DAEMON_ADDRESS: xray-daemon:2000',
        '  db:',
        '    image: postgres:13-alpine',
        ...DAEMON,
      ),
    );
  });

  it('puts the values into .env after what was there, and the placeholders after them', () => {
    expect(after(plan, '.env')).toBe(lf('EXISTING=1', `HONEYCOMB_API_KEY=${HONEYCOMB_KEY}`, `AWS_ACCESS_KEY_ID=${AWS_KEY_ID}`, 'AWS_SECRET_ACCESS_KEY=', 'AWS_DEFAULT_REGION='));
    expect(after(plan, '.env.example')).toBe(example('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_DEFAULT_REGION', 'HONEYCOMB_API_KEY'));
  });

  it('reports each move with its line, and untracks the tracked .env', () => {
    expect(plan.movedSecrets).toEqual([
      { file: 'docker-compose.yml', line: 8, service: 'backend-flask', key: 'OTEL_EXPORTER_OTLP_HEADERS', envVar: 'HONEYCOMB_API_KEY' },
      { file: 'docker-compose.yml', line: 9, service: 'backend-flask', key: 'AWS_ACCESS_KEY_ID', envVar: 'AWS_ACCESS_KEY_ID' },
    ]);
    expect(plan.untrack).toEqual(['.env']);
    expect(plan.added).toEqual([{ service: 'backend-flask', keys: ['OTEL_SERVICE_NAME', 'AWS_XRAY_DAEMON_ADDRESS'] }]);
    expect(plan.conflicts).toEqual([]);
  });

  it('untracks a tracked .env even when obs adds nothing to it', () => {
    const full = lf('HONEYCOMB_API_KEY=', 'AWS_ACCESS_KEY_ID=', 'AWS_SECRET_ACCESS_KEY=', 'AWS_DEFAULT_REGION=');
    const clean = snapshot({ 'docker-compose.yml': lf('services:', '  api:', '    build: ./api') }, { envTracked: true, dotenv: { path: '.env', text: full } });
    const result = planInit(clean, choices({ services: ['api'] }));
    expect(changedOnly(result.changes).map((c) => c.path)).not.toContain('.env');
    expect(result.untrack).toEqual(['.env']);
  });

  it('does not untrack a .env that git does not track', () => {
    expect(planInit({ ...base, envTracked: false }, choices({ services: ['backend-flask'] })).untrack).toEqual([]);
  });

  it('creates .env with a header when there is none', () => {
    const noEnv = planInit({ ...base, dotenv: undefined, envTracked: false, envIgnored: true }, choices({ services: ['backend-flask'], ...OFF, honeycomb: { enabled: true, region: 'us' } }));
    expect(after(noEnv, '.env')).toBe(lf('# Local secrets for docker compose. Git-ignored: never commit this file.', `HONEYCOMB_API_KEY=${HONEYCOMB_KEY}`, `AWS_ACCESS_KEY_ID=${AWS_KEY_ID}`));
    expect(after(noEnv, '.env.example')).toBe(example('HONEYCOMB_API_KEY', 'AWS_ACCESS_KEY_ID'));
    expect(noEnv.changes.map((c) => c.path)).toEqual(['docker-compose.yml', '.env.example', '.env', 'obs.yaml']);
  });

  it('moves secrets of services that were not chosen too, under per-service names when values differ', () => {
    const two = lf(
      'services:',
      '  api:',
      '    build: ./api',
      '    environment:',
      `      AWS_ACCESS_KEY_ID: ${AWS_KEY_ID}`,
      '  worker:',
      '    build: ./worker',
      '    environment:',
      '      - AWS_ACCESS_KEY_ID=AKIAZZZZZZZZZZZZZZZZ',
    );
    const result = planInit(snapshot({ 'docker-compose.yml': two }, { stacks: { api: 'flask' }, envIgnored: true }), choices({ services: ['api'], ...OFF }));
    expect(after(result, 'docker-compose.yml')).toBe(
      lf(
        'services:',
        '  api:',
        '    build: ./api',
        '    environment:',
        '      AWS_ACCESS_KEY_ID: ${AWS_ACCESS_KEY_ID}',
        '      OTEL_SERVICE_NAME: api',
        '  worker:',
        '    build: ./worker',
        '    environment:',
        '      - AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID_WORKER}',
      ),
    );
    expect(after(result, '.env')).toBe(
      lf('# Local secrets for docker compose. Git-ignored: never commit this file.', `AWS_ACCESS_KEY_ID=${AWS_KEY_ID}`, 'AWS_ACCESS_KEY_ID_WORKER=AKIAZZZZZZZZZZZZZZZZ'),
    );
    expect(after(result, '.env.example')).toBe(lf(...EXAMPLE_LINES.AWS_ACCESS_KEY_ID!, '# Moved out of docker-compose.yml by obs. Never commit it.', 'AWS_ACCESS_KEY_ID_WORKER='));
  });

  it('changes nothing when run again over its own output', () => {
    const second = planInit(rerun(plan, base), choices({ services: ['backend-flask'] }));
    expect(changedOnly(second.changes)).toEqual([]);
    expect(second.movedSecrets).toEqual([]);
    expect(second.added).toEqual([]);
    expect(second.untrack).toEqual([]);
  });
});

describe('planInit: --force on a header whose literal key differs from HONEYCOMB_API_KEY (corpus: FavyanL)', () => {
  // The header's key moved to .env under a per-service name and the header pointed at it; only a
  // second --force run pointed it at ${HONEYCOMB_API_KEY}. The first run now writes that directly.
  const INGEST_KEY = 'hcaik_0123456789abcdefghijklmn';
  const COMPOSE = lf(
    'services:',
    '  backend-flask:',
    '    build: ./backend-flask',
    '    environment:',
    `      HONEYCOMB_API_KEY: "${HONEYCOMB_KEY}"`,
    '      OTEL_SERVICE_NAME: "backend-flask"',
    '      OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io"',
    `      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${INGEST_KEY}"`,
  );
  const base = snapshot({ 'docker-compose.yml': COMPOSE }, { stacks: { 'backend-flask': 'flask' }, envIgnored: true });
  const pick = (force: boolean) => choices({ services: ['backend-flask'], honeycomb: { enabled: true, region: 'us' }, xray: { enabled: false, group: 'g' }, force });

  it('with --force: the header references ${HONEYCOMB_API_KEY} at once; its own key is kept in .env, unreferenced', () => {
    const plan = planInit(base, pick(true));
    expect(after(plan, 'docker-compose.yml')).toBe(
      lf(
        'services:',
        '  backend-flask:',
        '    build: ./backend-flask',
        '    environment:',
        '      HONEYCOMB_API_KEY: "${HONEYCOMB_API_KEY}"',
        '      OTEL_SERVICE_NAME: "backend-flask"',
        '      OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io"',
        '      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}"',
      ),
    );
    expect(after(plan, '.env')).toBe(
      lf('# Local secrets for docker compose. Git-ignored: never commit this file.', `HONEYCOMB_API_KEY=${HONEYCOMB_KEY}`, `HONEYCOMB_API_KEY_BACKEND_FLASK=${INGEST_KEY}`),
    );
    // Nothing references the per-service variable: it is not a placeholder to fill in.
    expect(after(plan, '.env.example')).toBe(example('HONEYCOMB_API_KEY'));
    expect(plan.requiredVariables).toEqual(['HONEYCOMB_API_KEY']);
    expect(plan.movedSecrets).toEqual([
      { file: 'docker-compose.yml', line: 5, service: 'backend-flask', key: 'HONEYCOMB_API_KEY', envVar: 'HONEYCOMB_API_KEY' },
      {
        file: 'docker-compose.yml',
        line: 8,
        service: 'backend-flask',
        key: 'OTEL_EXPORTER_OTLP_HEADERS',
        envVar: 'HONEYCOMB_API_KEY_BACKEND_FLASK',
        replacedWith: 'x-honeycomb-team=${HONEYCOMB_API_KEY}',
      },
    ]);
    expect(plan.conflicts).toEqual([
      {
        service: 'backend-flask',
        key: 'OTEL_EXPORTER_OTLP_HEADERS',
        current: '(a reference)',
        proposed: 'x-honeycomb-team=${HONEYCOMB_API_KEY}',
        kind: 'references-other-variable',
        replaced: true,
      },
    ]);
    expect(findingsLines(plan).join('\n')).not.toContain(INGEST_KEY);
    expect(findingsLines(plan)).toContain(
      '! docker-compose.yml:8: backend-flask had a secret written in OTEL_EXPORTER_OTLP_HEADERS; it moves to .env as HONEYCOMB_API_KEY_BACKEND_FLASK, and --force sets OTEL_EXPORTER_OTLP_HEADERS to x-honeycomb-team=${HONEYCOMB_API_KEY}: put the key it should use in HONEYCOMB_API_KEY. Rotate that credential: it was in a shared file.',
    );

    const second = planInit(rerun(plan, base), pick(true));
    expect(changedOnly(second.changes)).toEqual([]);
    expect(second.conflicts).toEqual([]);
  });

  it('without --force: the header references its own moved key, reported as a conflict from the first run on', () => {
    const plan = planInit(base, pick(false));
    expect(after(plan, 'docker-compose.yml')).toContain('      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY_BACKEND_FLASK}"\n');
    expect(after(plan, '.env.example')).toBe(lf(...EXAMPLE_LINES.HONEYCOMB_API_KEY!, '# Moved out of docker-compose.yml by obs. Never commit it.', 'HONEYCOMB_API_KEY_BACKEND_FLASK='));
    expect(plan.conflicts.map((c) => [c.key, conflictReason(c), c.replaced])).toEqual([['OTEL_EXPORTER_OTLP_HEADERS', 'references a different variable', false]]);
    const second = planInit(rerun(plan, base), pick(false));
    expect(changedOnly(second.changes)).toEqual([]);
    expect(second.conflicts.map((c) => [c.key, conflictReason(c), c.replaced])).toEqual([['OTEL_EXPORTER_OTLP_HEADERS', 'references a different variable', false]]);
  });
});

describe('planInit: values the user already set', () => {
  const COMPOSE = lf(
    'services:',
    '  api:',
    '    build: ./api',
    '    ports: ["4567:4567"]',
    '    environment:',
    '      OTEL_SERVICE_NAME: app',
    '  worker:',
    '    build: ./worker',
    '    environment:',
    '      - OTEL_SERVICE_NAME=app',
    '  xray:',
    '    image: amazon/aws-xray-daemon:latest',
    '    command: ["-o"]',
  );
  const base = snapshot({ 'docker-compose.yml': COMPOSE }, { stacks: { api: 'flask', worker: 'python' }, envIgnored: true });
  const pick = (force: boolean) => choices({ services: ['api', 'worker'], honeycomb: { enabled: false, region: 'us' }, force });

  it('reports a shared OTEL_SERVICE_NAME as a conflict and leaves it; reuses the existing daemon', () => {
    const plan = planInit(base, pick(false));
    expect(after(plan, 'docker-compose.yml')).toBe(
      lf(
        'services:',
        '  api:',
        '    build: ./api',
        '    ports: ["4567:4567"]',
        '    environment:',
        '      OTEL_SERVICE_NAME: app',
        '      AWS_XRAY_DAEMON_ADDRESS: xray:2000',
        '  worker:',
        '    build: ./worker',
        '    environment:',
        '      - OTEL_SERVICE_NAME=app',
        '      - AWS_XRAY_DAEMON_ADDRESS=xray:2000',
        '  xray:',
        '    image: amazon/aws-xray-daemon:latest',
        '    command: ["-o"]',
      ),
    );
    expect(plan.conflicts).toEqual([
      { service: 'api', key: 'OTEL_SERVICE_NAME', current: 'app', proposed: 'api', kind: 'service-name-shared', sharedWith: ['worker'], replaced: false },
      { service: 'worker', key: 'OTEL_SERVICE_NAME', current: 'app', proposed: 'worker', kind: 'service-name-shared', sharedWith: ['api'], replaced: false },
    ]);
    expect(plan.daemonService).toBe('xray');
    expect(plan.daemonAdded).toBe(false);
    expect(plan.config.xray.daemonService).toBe('xray');
    expect(plan.requiredVariables).toEqual([]);
  });

  it('replaces the conflicting values in place with force', () => {
    const plan = planInit(base, pick(true));
    expect(after(plan, 'docker-compose.yml')).toBe(
      lf(
        'services:',
        '  api:',
        '    build: ./api',
        '    ports: ["4567:4567"]',
        '    environment:',
        '      OTEL_SERVICE_NAME: api',
        '      AWS_XRAY_DAEMON_ADDRESS: xray:2000',
        '  worker:',
        '    build: ./worker',
        '    environment:',
        '      - OTEL_SERVICE_NAME=worker',
        '      - AWS_XRAY_DAEMON_ADDRESS=xray:2000',
        '  xray:',
        '    image: amazon/aws-xray-daemon:latest',
        '    command: ["-o"]',
      ),
    );
    expect(plan.conflicts.map((c) => [c.service, c.replaced])).toEqual([
      ['api', true],
      ['worker', true],
    ]);
  });

  it('names a lone differing OTEL_SERVICE_NAME, and leaves a pass-through `KEY:` alone', () => {
    const text = lf('services:', '  api:', '    build: ./api', '    environment:', '      OTEL_SERVICE_NAME: backend', '      OTEL_EXPORTER_OTLP_ENDPOINT:');
    const plan = planInit(snapshot({ 'docker-compose.yml': text }, { stacks: { api: 'flask' }, envIgnored: true }), choices({ services: ['api'], xray: { enabled: false, group: 'g' } }));
    expect(plan.conflicts).toEqual([{ service: 'api', key: 'OTEL_SERVICE_NAME', current: 'backend', proposed: 'api', kind: 'service-name-differs', replaced: false }]);
    expect(after(plan, 'docker-compose.yml')).toBe(
      lf(
        'services:',
        '  api:',
        '    build: ./api',
        '    environment:',
        '      OTEL_SERVICE_NAME: backend',
        '      OTEL_EXPORTER_OTLP_ENDPOINT:',
        '      OTEL_EXPORTER_OTLP_HEADERS: x-honeycomb-team=${HONEYCOMB_API_KEY}',
      ),
    );
  });

  it('with force, gives each service its own key when the value comes from an anchor they all merge', () => {
    // The honeycombio smoke-tests pattern: one anchor with OTEL_SERVICE_NAME merged by every app.
    const text = lf(
      'x-env: &env',
      '  OTEL_SERVICE_NAME: "shared"',
      '  DEBUG: "true"',
      'services:',
      '  api:',
      '    build: ./api',
      '    environment:',
      '      <<: *env',
      '  worker:',
      '    build: ./worker',
      '    environment:',
      '      <<: *env',
      '      EXTRA: "1"',
    );
    const base = snapshot({ 'docker-compose.yml': text }, { stacks: { api: 'flask', worker: 'python' }, envIgnored: true });
    const plan = planInit(base, choices({ services: ['api', 'worker'], ...OFF, force: true }));
    expect(after(plan, 'docker-compose.yml')).toBe(
      lf(
        'x-env: &env',
        '  OTEL_SERVICE_NAME: "shared"',
        '  DEBUG: "true"',
        'services:',
        '  api:',
        '    build: ./api',
        '    environment:',
        '      <<: *env',
        '      OTEL_SERVICE_NAME: "api"',
        '  worker:',
        '    build: ./worker',
        '    environment:',
        '      <<: *env',
        '      EXTRA: "1"',
        '      OTEL_SERVICE_NAME: "worker"',
      ),
    );
    expect(plan.conflicts.map((c) => [c.service, c.replaced])).toEqual([
      ['api', true],
      ['worker', true],
    ]);
    // Run again on the result: each service now reads its own name, nothing left to change.
    expect(planInit(rerun(plan, base), choices({ services: ['api', 'worker'], ...OFF, force: true })).changes.every((c) => c.before === c.after)).toBe(true);
  });

  it('with force, replaces the value in the file that sets it last (the override)', () => {
    const plan = planInit(
      snapshot(
        {
          'docker-compose.yml': lf('services:', '  api:', '    build: ./api', '    environment:', '      A: "1"'),
          'docker-compose.override.yml': lf('services:', '  api:', '    environment:', '      OTEL_SERVICE_NAME: other'),
        },
        { stacks: { api: 'flask' }, envIgnored: true },
      ),
      choices({ services: ['api'], ...OFF, force: true }),
    );
    expect(after(plan, 'docker-compose.yml')).toBe(lf('services:', '  api:', '    build: ./api', '    environment:', '      A: "1"'));
    expect(after(plan, 'docker-compose.override.yml')).toBe(lf('services:', '  api:', '    environment:', '      OTEL_SERVICE_NAME: api'));
    expect(plan.config.compose.files).toEqual(['docker-compose.yml', 'docker-compose.override.yml']);
  });
});

describe('planInit: hosting and Honeycomb choices', () => {
  const COMPOSE = lf('services:', '  api:', '    build: ./api', '    ports:', '      - "4567:4567"');
  const run = (extra: SnapshotExtra, over: Partial<InitChoices>) =>
    planInit(snapshot({ 'docker-compose.yml': COMPOSE }, { stacks: { api: 'flask' }, envIgnored: true, ...extra }), choices({ services: ['api'], ...over }));

  it('writes no AWS_XRAY_URL on Gitpod (obs names segments after the service)', () => {
    const plan = run({ hints: { gitpod: true, codespaces: false } }, {});
    expect(after(plan, 'docker-compose.yml')).toBe(
      lf(
        'services:',
        '  api:',
        '    build: ./api',
        '    ports:',
        '      - "4567:4567"',
        '    environment:',
        '      OTEL_SERVICE_NAME: "api"',
        '      OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io"',
        '      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}"',
        '      AWS_XRAY_DAEMON_ADDRESS: "xray-daemon:2000"',
        ...DAEMON,
      ),
    );
  });

  it('writes no AWS_XRAY_URL on Codespaces either', () => {
    const plan = run({ hints: { gitpod: false, codespaces: true } }, { honeycomb: { enabled: false, region: 'us' } });
    expect(after(plan, 'docker-compose.yml')).toBe(
      lf(
        'services:',
        '  api:',
        '    build: ./api',
        '    ports:',
        '      - "4567:4567"',
        '    environment:',
        '      OTEL_SERVICE_NAME: "api"',
        '      AWS_XRAY_DAEMON_ADDRESS: "xray-daemon:2000"',
        ...DAEMON,
      ),
    );
  });

  it('percent-encodes a dataset name with a space in the header, and records it as given', () => {
    // A raw space is not allowed in an OTLP header value: obs doctor failed otel-headers on it.
    const plan = run({}, { honeycomb: { enabled: true, region: 'us', dataset: 'my data' }, xray: { enabled: false, group: 'g' } });
    expect(after(plan, 'docker-compose.yml')).toContain('      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY},x-honeycomb-dataset=my%20data"\n');
    expect(after(plan, 'obs.yaml')).toContain('  dataset: my data\n');
  });

  it('writes the EU endpoint and a classic dataset header, and records both', () => {
    const plan = run({}, { honeycomb: { enabled: true, region: 'eu', dataset: 'cruddur' }, xray: { enabled: false, group: 'g' } });
    expect(after(plan, 'docker-compose.yml')).toBe(
      lf(
        'services:',
        '  api:',
        '    build: ./api',
        '    ports:',
        '      - "4567:4567"',
        '    environment:',
        '      OTEL_SERVICE_NAME: "api"',
        '      OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.eu1.honeycomb.io"',
        '      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY},x-honeycomb-dataset=cruddur"',
      ),
    );
    expect(after(plan, '.env.example')).toBe(example('HONEYCOMB_API_KEY'));
    expect(after(plan, 'obs.yaml')).toBe(
      lf(
        ...OBS_HEADER,
        'version: 1',
        'pipeline: direct',
        'compose:',
        '  files:',
        '    - docker-compose.yml',
        'services:',
        '  api:',
        '    serviceName: api',
        '    stack: flask',
        'honeycomb:',
        '  enabled: true',
        '  region: eu',
        '  endpoint: https://api.eu1.honeycomb.io',
        '  dataset: cruddur',
        'xray:',
        '  enabled: false',
        '  groups: []',
        '  samplingRules: []',
        'cloudwatch:',
        '  enabled: false',
        '  logGroups: []',
        'rollbar:',
        '  enabled: false',
        ...addedRecord({ api: ['OTEL_SERVICE_NAME', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_HEADERS'] }),
      ),
    );
  });

  it('a service chosen as React gets nothing in its container (no browser reads it), even with every option on', () => {
    const plan = planInit(
      snapshot({ 'docker-compose.yml': lf('services:', '  web:', '    build: ./web', '    ports:', '      - "3000:3000"') }, { stacks: { web: 'react' }, envIgnored: true }),
      choices({ services: ['web'], cloudwatch: { enabled: true, logGroup: '/cruddur', retentionInDays: 14 }, rollbar: { enabled: true } }),
    );
    expect(plan.added).toEqual([]);
    expect(after(plan, 'docker-compose.yml')).toBe(lf('services:', '  web:', '    build: ./web', '    ports:', '      - "3000:3000"', ...DAEMON));
    // Browser code sends no X-Ray segments: no group would ever match it, and a sampling rule
    // would only change sampling for the account. None is declared, and the plan says why.
    expect(plan.config.xray.groups).toEqual([]);
    expect(plan.config.xray.samplingRules).toEqual([]);
    expect(plan.notes.map(noteText)).toContain(
      'X-Ray is on, but web is a browser frontend and browser code sends no X-Ray segments: obs.yaml declares no X-Ray group or sampling rule (instrument a server-side service to get them)',
    );
    expect(plan.config.xray.enabled).toBe(true);
  });

  it('the X-Ray group filter lists only the server-side services, whatever the order chosen', () => {
    const compose = lf('services:', '  web:', '    build: ./web', '  api:', '    build: ./api', '  worker:', '    build: ./worker', '  admin:', '    build: ./admin');
    const plan = planInit(
      snapshot({ 'docker-compose.yml': compose }, { stacks: { web: 'react', api: 'flask', worker: 'node', admin: 'react' }, envIgnored: true }),
      choices({ services: ['web', 'api', 'admin', 'worker'] }),
    );
    expect(plan.config.xray.groups).toEqual([{ name: 'cruddur', filterExpression: 'service("api") {fault OR error} OR service("worker") {fault OR error}' }]);
    expect(plan.config.xray.samplingRules.map((r) => r.serviceName)).toEqual(['*']);
    expect(plan.notes.map(noteText).filter((n) => n.startsWith('X-Ray is on'))).toEqual([]);
  });

  it('follows a changed region on a value obs wrote before (obs.yaml says so)', () => {
    const first = run({}, { xray: { enabled: false, group: 'g' } });
    const base = snapshot({ 'docker-compose.yml': COMPOSE }, { stacks: { api: 'flask' }, envIgnored: true });
    const second = planInit(rerun(first, base), choices({ services: ['api'], honeycomb: { enabled: true, region: 'eu' }, xray: { enabled: false, group: 'g' } }));
    expect(second.updated).toEqual([{ service: 'api', key: 'OTEL_EXPORTER_OTLP_ENDPOINT' }]);
    expect(second.conflicts).toEqual([]);
    expect(after(second, 'docker-compose.yml')).toBe(
      lf(
        'services:',
        '  api:',
        '    build: ./api',
        '    ports:',
        '      - "4567:4567"',
        '    environment:',
        '      OTEL_SERVICE_NAME: "api"',
        '      OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.eu1.honeycomb.io"',
        '      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}"',
      ),
    );
  });
});

describe('planInit: anchors and layouts', () => {
  it('leaves an environment shared through an anchor with a service not chosen, with a note', () => {
    const text = lf(
      'x-env: &shared',
      '  DB_URL: "postgres://db"',
      'services:',
      '  api:',
      '    build: ./api',
      '    environment: &api-env',
      '      DB_URL: "postgres://db"',
      '  worker:',
      '    build: ./worker',
      '    environment: *api-env',
      '  web:',
      '    build: ./web',
      '    environment: *shared',
    );
    const plan = planInit(snapshot({ 'docker-compose.yml': text }, { stacks: { api: 'flask', web: 'python' }, envIgnored: true }), choices({ services: ['api', 'web'], ...OFF }));
    expect(after(plan, 'docker-compose.yml')).toBe(
      lf(
        'x-env: &shared',
        '  DB_URL: "postgres://db"',
        'services:',
        '  api:',
        '    build: ./api',
        '    environment: &api-env',
        '      DB_URL: "postgres://db"',
        '  worker:',
        '    build: ./worker',
        '    environment: *api-env',
        '  web:',
        '    build: ./web',
        '    environment:',
        '      <<: *shared',
        '      OTEL_SERVICE_NAME: "web"',
      ),
    );
    expect(plan.notes.map(noteText)).toEqual(['api: its environment is shared through a YAML anchor with worker, which obs leaves alone; add these lines to api by hand: OTEL_SERVICE_NAME=api']);
    expect(plan.added).toEqual([{ service: 'web', keys: ['OTEL_SERVICE_NAME'] }]);
  });

  it('notes a service whose whole definition is merged into a service not chosen', () => {
    const text = lf('services:', '  api: &api', '    build: ./api', '    environment:', '      A: "1"', '  worker:', '    <<: *api', '    command: w');
    const plan = planInit(snapshot({ 'docker-compose.yml': text }, { stacks: { api: 'flask' }, envIgnored: true }), choices({ services: ['api'], ...OFF }));
    expect(after(plan, 'docker-compose.yml')).toBe(text);
    expect(plan.notes.map(noteText)).toEqual(['api: its environment is shared through a YAML anchor with worker, which obs leaves alone; add these lines to api by hand: OTEL_SERVICE_NAME=api']);
  });

  it('anchors an inherited environment once for several chosen services', () => {
    const text = lf(
      'x-base: &base',
      '  environment:',
      '    DB_URL: "postgres://db"',
      'services:',
      '  api:',
      '    <<: *base',
      '    build: ./api',
      '  worker:',
      '    <<: *base',
      '    build: ./worker',
      '  cron:',
      '    <<: *base',
      '    build: ./cron',
    );
    const plan = planInit(snapshot({ 'docker-compose.yml': text }, { stacks: { api: 'flask', worker: 'python' }, envIgnored: true }), choices({ services: ['api', 'worker'], ...OFF }));
    expect(after(plan, 'docker-compose.yml')).toBe(
      lf(
        'x-base: &base',
        '  environment: &obs-env',
        '    DB_URL: "postgres://db"',
        'services:',
        '  api:',
        '    <<: *base',
        '    build: ./api',
        '    environment:',
        '      <<: *obs-env',
        '      OTEL_SERVICE_NAME: "api"',
        '  worker:',
        '    <<: *base',
        '    build: ./worker',
        '    environment:',
        '      <<: *obs-env',
        '      OTEL_SERVICE_NAME: "worker"',
        '  cron:',
        '    <<: *base',
        '    build: ./cron',
      ),
    );
    expect(plan.notes.map(noteText)).toEqual([]);
  });

  it('keeps CRLF and 4-space indentation, blank line before the daemon included', () => {
    const text = crlf('services:', '    api:', '        build: ./api', '        ports:', '            - "4567:4567"', '', '    db:', '        image: postgres');
    const plan = planInit(snapshot({ 'docker-compose.yml': text }, { stacks: { api: 'flask' }, envIgnored: true }), choices({ services: ['api'] }));
    expect(after(plan, 'docker-compose.yml')).toBe(
      crlf(
        'services:',
        '    api:',
        '        build: ./api',
        '        ports:',
        '            - "4567:4567"',
        '        environment:',
        '            OTEL_SERVICE_NAME: "api"',
        '            OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io"',
        '            OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=${HONEYCOMB_API_KEY}"',
        '            AWS_XRAY_DAEMON_ADDRESS: "xray-daemon:2000"',
        '',
        '    db:',
        '        image: postgres',
        '',
        ...DAEMON.map((l) => l.replace(/^( +)/, (s) => s + s)),
      ),
    );
  });

  it('names the daemon xray-daemon-2 when xray-daemon is taken by something else', () => {
    const text = lf('services:', '  api:', '    build: ./api', '  xray-daemon:', '    build: ./not-a-daemon');
    const plan = planInit(snapshot({ 'docker-compose.yml': text }, { stacks: { api: 'flask' }, envIgnored: true }), choices({ services: ['api'], honeycomb: { enabled: false, region: 'us' } }));
    expect(plan.daemonService).toBe('xray-daemon-2');
    expect(after(plan, 'docker-compose.yml')).toBe(
      lf(
        'services:',
        '  api:',
        '    build: ./api',
        '    environment:',
        '      OTEL_SERVICE_NAME: "api"',
        '      AWS_XRAY_DAEMON_ADDRESS: "xray-daemon-2:2000"',
        '  xray-daemon:',
        '    build: ./not-a-daemon',
        ...DAEMON.map((l) => l.replace(/^  xray-daemon:/, '  xray-daemon-2:')),
      ),
    );
  });

  it('leaves a compose file without a final newline without one, LF or CRLF', () => {
    const lfPlan = planInit(snapshot({ 'docker-compose.yml': 'services:\n  api:\n    build: ./api' }, { stacks: { api: 'flask' }, envIgnored: true }), choices({ services: ['api'], ...OFF }));
    expect(after(lfPlan, 'docker-compose.yml')).toBe('services:\n  api:\n    build: ./api\n    environment:\n      OTEL_SERVICE_NAME: "api"');
    const middle = planInit(
      snapshot({ 'docker-compose.yml': 'services:\n  api:\n    build: ./api\n    environment:\n      A: "1"\n  db:\n    image: p' }, { stacks: { api: 'flask' }, envIgnored: true }),
      choices({ services: ['api'], ...OFF }),
    );
    expect(after(middle, 'docker-compose.yml')).toBe('services:\n  api:\n    build: ./api\n    environment:\n      A: "1"\n      OTEL_SERVICE_NAME: "api"\n  db:\n    image: p');
    const crlfPlan = planInit(
      snapshot({ 'docker-compose.yml': 'services:\r\n  api:\r\n    build: ./api\r\n  db:\r\n    image: p' }, { stacks: { api: 'flask' }, envIgnored: true }),
      choices({ services: ['api'], honeycomb: { enabled: false, region: 'us' } }),
    );
    expect(after(crlfPlan, 'docker-compose.yml')).toBe(
      crlf(
        'services:',
        '  api:',
        '    build: ./api',
        '    environment:',
        '      OTEL_SERVICE_NAME: "api"',
        '      AWS_XRAY_DAEMON_ADDRESS: "xray-daemon:2000"',
        '  db:',
        '    image: p',
        ...DAEMON,
      ).slice(0, -2),
    );
  });

  it('appends to an existing .gitignore without a final newline, using its line ending, and keeps it without one', () => {
    const text = lf('services:', '  api:', '    build: ./api');
    const plan = planInit(
      snapshot({ 'docker-compose.yml': text }, { stacks: { api: 'flask' }, gitignore: { path: '.gitignore', text: 'node_modules\r\ndist' } }),
      choices({ services: ['api'], ...OFF }),
    );
    expect(after(plan, '.gitignore')).toBe('node_modules\r\ndist\r\n# Local secrets (added by obs)\r\n.env');
  });

  // Pins: with no variable required and no .env.example on disk, no .env.example change is planned at all.
  it('does not create an empty .env.example when no variable is required', () => {
    const text = lf(
      'services:',
      '  api:',
      '    build: ./api',
      '    ports: ["4567:4567"]',
      '    environment:',
      '      OTEL_SERVICE_NAME: app',
      '  worker:',
      '    build: ./worker',
      '    environment:',
      '      - OTEL_SERVICE_NAME=app',
      '  xray:',
      '    image: amazon/aws-xray-daemon:latest',
      '    command: ["-o"]',
    );
    const plan = planInit(
      snapshot({ 'docker-compose.yml': text }, { stacks: { api: 'flask', worker: 'python' }, envIgnored: true }),
      choices({ services: ['api', 'worker'], honeycomb: { enabled: false, region: 'us' } }),
    );
    expect(plan.requiredVariables).toEqual([]);
    expect(plan.changes.map((c) => c.path)).toEqual(['docker-compose.yml', 'obs.yaml']);
    expect(plan.changes.find((c) => c.path === '.env.example')).toBeUndefined();
  });

  // Pins: an environment merged (`<<: *api-env`) into a service not chosen counts as shared: compose unchanged, a note instead.
  it('notes an environment merged with `<<: *anchor` into a service not chosen instead of throwing', () => {
    const text = lf('services:', '  api:', '    build: ./api', '    environment: &api-env', '      A: "1"', '  worker:', '    image: w', '    environment:', '      <<: *api-env', '      B: "2"');
    const plan = planInit(snapshot({ 'docker-compose.yml': text }, { stacks: { api: 'flask' }, envIgnored: true }), choices({ services: ['api'], ...OFF }));
    expect(after(plan, 'docker-compose.yml')).toBe(text);
    expect(plan.notes.map(noteText)).toEqual(['api: its environment is shared through a YAML anchor with worker, which obs leaves alone; add these lines to api by hand: OTEL_SERVICE_NAME=api']);
    expect(plan.added).toEqual([]);
  });

  // Pins: a chosen service written `api: {...}` gets its keys in flow style; the others are
  // instrumented. (One written `web:` with no settings is refused before planning: compose rejects it.)
  it('edits a chosen service written in flow style', () => {
    const flow = planInit(
      snapshot({ 'docker-compose.yml': lf('services:', '  api: {build: ./api}', '  web:', '    build: ./web') }, { stacks: { api: 'flask', web: 'python' }, envIgnored: true }),
      choices({ services: ['api', 'web'], ...OFF }),
    );
    expect(after(flow, 'docker-compose.yml')).toBe(
      lf('services:', '  api: {build: ./api, environment: {OTEL_SERVICE_NAME: "api"}}', '  web:', '    build: ./web', '    environment:', '      OTEL_SERVICE_NAME: "web"'),
    );
    expect(flow.notes).toEqual([]);
    expect(flow.added).toEqual([
      { service: 'api', keys: ['OTEL_SERVICE_NAME'] },
      { service: 'web', keys: ['OTEL_SERVICE_NAME'] },
    ]);
  });

  // Pins: a `{}` or `{A: "1",}` flow map grows in place (before its trailing comma).
  it('instruments a service whose environment is `{}` or `{A: "1",}`', () => {
    const text = lf('services:', '  api:', '    build: ./api', '    environment: {}', '  web:', '    build: ./web', '    environment: {A: "1",}');
    const plan = planInit(snapshot({ 'docker-compose.yml': text }, { stacks: { api: 'flask', web: 'python' }, envIgnored: true }), choices({ services: ['api', 'web'], ...OFF }));
    expect(after(plan, 'docker-compose.yml')).toBe(
      lf('services:', '  api:', '    build: ./api', '    environment: {OTEL_SERVICE_NAME: "api"}', '  web:', '    build: ./web', '    environment: {A: "1", OTEL_SERVICE_NAME: "web",}'),
    );
    expect(plan.added).toEqual([
      { service: 'api', keys: ['OTEL_SERVICE_NAME'] },
      { service: 'web', keys: ['OTEL_SERVICE_NAME'] },
    ]);
    expect(plan.notes.map(noteText)).toEqual([]);
  });
});

describe('AWS_XRAY_URL', () => {
  it('obs writes none, whatever the ports', () => {
    const compose = lf('services:', '  api:', '    build: ./api', '    ports:', '      - ${API_PORT:-3000}:3000', '  web:', '    build: ./web', '    ports:', '      - "80:8080"');
    const plan = planInit(
      snapshot({ 'docker-compose.yml': compose }, { envIgnored: true, hints: { gitpod: true, codespaces: false } }),
      choices({ services: ['api', 'web'], honeycomb: { enabled: false, region: 'us' } }),
    );
    expect(after(plan, 'docker-compose.yml')).not.toContain('AWS_XRAY_URL');
    expect(plan.added).toEqual([
      { service: 'api', keys: ['OTEL_SERVICE_NAME', 'AWS_XRAY_DAEMON_ADDRESS'] },
      { service: 'web', keys: ['OTEL_SERVICE_NAME', 'AWS_XRAY_DAEMON_ADDRESS'] },
    ]);
  });
});

describe('planInit: a reused X-Ray daemon whose command never reaches /xray', () => {
  // The Cruddur tutorials' daemon (corpus: omenking week2-baseline and ~20 others): obs reused it
  // silently, and `obs doctor` failed xray-daemon-command right after `obs init`.
  const COMPOSE = lf(
    'services:',
    '  api:',
    '    build: ./api',
    '    environment:',
    '      OTEL_SERVICE_NAME: api',
    '  xray-daemon:',
    '    image: "amazon/aws-xray-daemon"',
    '    command:',
    '      - "xray -o -b xray-daemon:2000"',
    '    ports:',
    '      - 2000:2000/udp',
  );
  const only = { xray: { enabled: true, group: 'cruddur' }, honeycomb: { enabled: false, region: 'us' as const } };
  const base = snapshot({ 'docker-compose.yml': COMPOSE }, { envIgnored: true });

  it('reports the command as a conflict and keeps it without --force', () => {
    const plan = planInit(base, choices({ services: ['api'], ...only }));
    expect(plan.conflicts).toEqual([
      {
        service: 'xray-daemon',
        key: 'command',
        current: '["xray -o -b xray-daemon:2000"]',
        proposed: '["-o"]',
        kind: 'daemon-command',
        replaced: false,
      },
    ]);
    expect(conflictReason(plan.conflicts[0]!)).toBe(`["xray -o -b xray-daemon:2000"] does not reach the daemon as flags (the image's entrypoint is already /xray); obs would write ["-o"]`);
    expect(after(plan, 'docker-compose.yml')).toContain(lf('    command:', '      - "xray -o -b xray-daemon:2000"', '    ports:'));
  });

  it('writes the flags only with --force, and a second run has nothing to change', () => {
    const plan = planInit(base, choices({ services: ['api'], ...only, force: true }));
    expect(after(plan, 'docker-compose.yml')).toBe(
      lf(
        'services:',
        '  api:',
        '    build: ./api',
        '    environment:',
        '      OTEL_SERVICE_NAME: api',
        '      AWS_XRAY_DAEMON_ADDRESS: xray-daemon:2000',
        '  xray-daemon:',
        '    image: "amazon/aws-xray-daemon"',
        '    command: ["-o"]',
        '    ports:',
        '      - 2000:2000/udp',
      ),
    );
    expect(plan.conflicts.map((c) => [c.key, c.replaced])).toEqual([['command', true]]);
    const second = planInit(rerun(plan, base), choices({ services: ['api'], ...only }));
    expect(changedOnly(second.changes)).toEqual([]);
    expect(second.conflicts).toEqual([]);
  });

  it('keeps CRLF and a one-string command on its line', () => {
    const text = crlf('services:', '  api:', '    build: ./api', '  xray:', '    image: amazon/aws-xray-daemon', '    command: "xray -o"', '    ports: ["2000:2000/udp"]');
    const plan = planInit(snapshot({ 'docker-compose.yml': text }, { envIgnored: true }), choices({ services: ['api'], ...only, force: true }));
    expect(after(plan, 'docker-compose.yml')).toContain(crlf('    command: ["-o"]', '    ports: ["2000:2000/udp"]'));
  });

  it('leaves a command with flags only alone', () => {
    const good = COMPOSE.replace('      - "xray -o -b xray-daemon:2000"\n', '      - "-o"\n');
    expect(planInit(snapshot({ 'docker-compose.yml': good }, { envIgnored: true }), choices({ services: ['api'], ...only })).conflicts).toEqual([]);
  });
});

describe('planInit: a compose file that starts with a byte-order mark', () => {
  // Editors on Windows save UTF-8 with a BOM; compose reads such a file, and obs refused it
  // ("save it as UTF-8 without BOM"). The BOM stays, the edits land where they belong.
  it('is wired like any other, BOM and CRLF kept', () => {
    const text = '\uFEFF' + crlf('services:', '  api:', '    build: ./api', '    environment:', '      - A=1');
    const only = { xray: { enabled: true, group: 'cruddur' }, honeycomb: { enabled: true, region: 'us' as const } };
    const plan = planInit(snapshot({ 'docker-compose.yml': text }, { envIgnored: true }), choices({ services: ['api'], ...only }));
    expect(after(plan, 'docker-compose.yml')).toBe(
      '\uFEFF' +
        crlf(
          'services:',
          '  api:',
          '    build: ./api',
          '    environment:',
          '      - A=1',
          '      - OTEL_SERVICE_NAME=api',
          '      - OTEL_EXPORTER_OTLP_ENDPOINT=https://api.honeycomb.io',
          '      - OTEL_EXPORTER_OTLP_HEADERS=x-honeycomb-team=${HONEYCOMB_API_KEY}',
          '      - AWS_XRAY_DAEMON_ADDRESS=xray-daemon:2000',
          // The daemon is indented like the other services: the BOM takes no column.
          ...DAEMON,
        ),
    );
  });
});

describe('planInit: why a user-set OTEL_EXPORTER_OTLP_HEADERS is kept', () => {
  // Corpus AfroLatino, Benedicta-Onyekwere, felixpitterling: malformed headers were all reported
  // as "references a different variable", which sends the user looking for the wrong mistake.
  const service = (name: string, header: string) => [`  ${name}:`, `    build: ./${name}`, '    environment:', `      OTEL_EXPORTER_OTLP_HEADERS: "${header}"`];
  const COMPOSE = lf(
    'services:',
    ...service('empty', 'x-honeycomb-team=${}'),
    ...service('noequals', 'x-honeycomb-team${HONEYCOMB_API_KEY}'),
    ...service('colon', 'x-honeycomb-team:${HONEYCOMB_API_KEY}'),
    ...service('other', 'x-honeycomb-team=${MY_KEY}'),
  );
  const names = ['empty', 'noequals', 'colon', 'other'];
  const only = { xray: { enabled: false, group: 'cruddur' }, honeycomb: { enabled: true, region: 'us' as const } };

  it('says what is wrong with each', () => {
    const plan = planInit(snapshot({ 'docker-compose.yml': COMPOSE }, { envIgnored: true }), choices({ services: names, ...only }));
    const wanted = 'is not the header obs writes: x-honeycomb-team=${HONEYCOMB_API_KEY}';
    expect(plan.conflicts.map((c) => [c.service, c.key, conflictReason(c)])).toEqual([
      ['empty', 'OTEL_EXPORTER_OTLP_HEADERS', 'does not reference ${HONEYCOMB_API_KEY}; obs writes x-honeycomb-team=${HONEYCOMB_API_KEY}'],
      ['noequals', 'OTEL_EXPORTER_OTLP_HEADERS', wanted],
      ['colon', 'OTEL_EXPORTER_OTLP_HEADERS', wanted],
      ['other', 'OTEL_EXPORTER_OTLP_HEADERS', 'references a different variable'],
    ]);
  });
});

describe('next steps name only the AWS resources obs.yaml declares', () => {
  const api = () => snapshot({ 'docker-compose.yml': lf('services:', '  api:', '    build: ./api') }, { stacks: { api: 'flask' }, envIgnored: true });
  const web = () => snapshot({ 'docker-compose.yml': lf('services:', '  web:', '    build: ./web') }, { stacks: { web: 'react' }, envIgnored: true });
  const logs = { enabled: true, logGroup: '/cruddur', retentionInDays: 14 };
  const applyStep = (plan: InitPlan) => nextSteps(plan, false).filter((s) => s.includes('obs apply'));

  it('X-Ray on, CloudWatch Logs off: the group and the sampling rule, no log group', () => {
    expect(applyStep(planInit(api(), choices({ services: ['api'] })))).toEqual([
      'Run obs apply to create the X-Ray group cruddur and the X-Ray sampling rule cruddur in AWS (AWS keys and region from your shell, else .env, else your AWS profile)',
    ]);
  });

  it('CloudWatch Logs on, X-Ray off: the log group only', () => {
    expect(applyStep(planInit(api(), choices({ services: ['api'], xray: { enabled: false, group: 'cruddur' }, cloudwatch: logs })))).toEqual([
      'Run obs apply to create the log group /cruddur in AWS (AWS keys and region from your shell, else .env, else your AWS profile)',
    ]);
  });

  it('both on: all three', () => {
    expect(applyStep(planInit(api(), choices({ services: ['api'], cloudwatch: logs })))).toEqual([
      'Run obs apply to create the X-Ray group cruddur, the X-Ray sampling rule cruddur and the log group /cruddur in AWS (AWS keys and region from your shell, else .env, else your AWS profile)',
    ]);
  });

  it('X-Ray on for a browser frontend only (no group, no rule) and CloudWatch Logs on: the log group only', () => {
    expect(applyStep(planInit(web(), choices({ services: ['web'], cloudwatch: logs })))).toEqual([
      'Run obs apply to create the log group /cruddur in AWS (AWS keys and region from your shell, else .env, else your AWS profile)',
    ]);
  });

  it('nothing declared: no obs apply step', () => {
    expect(applyStep(planInit(web(), choices({ services: ['web'] })))).toEqual([]);
    expect(nextSteps(planInit(api(), choices({ services: ['api'], ...OFF })), false)).toEqual(['Run obs doctor to check the setup']);
  });
});

describe('planInit: NODE_OPTIONS the user set', () => {
  const text = lf('services:', '  api:', '    build: ./api', '    environment:', '      NODE_OPTIONS: "--max-old-space-size=512"');
  const pkg = lf('{', '  "name": "api",', '  "dependencies": {', '    "express": "^4.19.0"', '  }', '}');
  const base = snapshot(
    { 'docker-compose.yml': text },
    {
      stacks: { api: 'node' },
      envIgnored: true,
      instrumentation: { sources: new Map([['api', new Map([['package.json', pkg]])]]), template: () => () => '// Written by `obs init`\n' },
    },
  );
  const plan = planInit(base, choices({ services: ['api'], xray: { enabled: false, group: 'g' } }));

  it('appends the --require flag to the value, keeping the options', () => {
    expect(after(plan, 'docker-compose.yml')).toContain('      NODE_OPTIONS: "--max-old-space-size=512 --require ./tracing.cjs"\n');
  });

  it('does not claim obs wrote the value the user set', () => {
    expect(plan.updated).toEqual([]);
    expect(findingsLines(plan).filter((l) => l.includes('NODE_OPTIONS'))).toEqual(['- api: NODE_OPTIONS keeps your options; obs adds --require ./tracing.cjs after them']);
  });
});

describe('planInit reads env_file values through the environment index', () => {
  const compose = lf(
    'services:',
    '  api:',
    '    image: node:22',
    '    env_file: shared.env',
    '    networks: [app]',
    '  web:',
    '    image: node:22',
    '    env_file: shared.env',
    '    networks: [app]',
    'networks:',
    '  app: {}',
  );
  const files = new Map([['shared.env', { path: 'shared.env', text: lf('OTEL_SERVICE_NAME=shop', 'AWS_XRAY_DAEMON_ADDRESS=xray-daemon:2000') }]]);

  it('an OTEL_SERVICE_NAME two services get from one env_file is a shared name', () => {
    const plan = planInit(snapshot({ 'docker-compose.yml': compose }, { envFiles: files }), choices({ services: ['api'], xray: { enabled: false, group: 'cruddur' } }));
    expect(plan.conflicts.map((c) => [c.service, c.key, conflictReason(c), c.envFile])).toEqual([['api', 'OTEL_SERVICE_NAME', 'the name "shop" is also used by web', { path: 'shared.env', line: 1 }]]);
  });

  it('a sender whose daemon address is in its env_file puts the daemon on its network', () => {
    const plan = planInit(snapshot({ 'docker-compose.yml': compose }, { envFiles: files }), choices({ services: ['api', 'web'], honeycomb: { enabled: false, region: 'us' } }));
    expect(after(plan, 'docker-compose.yml')).toMatch(/\n {2}xray-daemon:\n[\s\S]*\n {4}networks:\n {6}- app\n/);
  });
});

describe('planInit: a backend turned off on a re-run (direct pipeline)', () => {
  const ALL_OFF = { honeycomb: { enabled: false, region: 'us' as const }, xray: { enabled: false, group: 'cruddur' } };

  it('the placeholders obs wrote go with the backend, and a .env.example only obs wrote goes with them', () => {
    const base = snapshot({ 'docker-compose.yml': lf('services:', '  api:', '    build: ./api', '  db:', '    image: postgres') }, { stacks: { api: 'flask' }, envIgnored: true });
    const first = planInit(base, choices({ services: ['api'], rollbar: { enabled: true } }));
    expect(after(first, '.env.example')).toContain('ROLLBAR_ACCESS_TOKEN=\n');
    const xrayOff = planInit(rerun(first, base), choices({ services: ['api'], xray: { enabled: false, group: 'cruddur' }, rollbar: { enabled: true } }));
    expect(after(xrayOff, '.env.example')).toBe(
      lf(...EXAMPLE_LINES['HONEYCOMB_API_KEY']!, '# Rollbar project access token with the post_server_item scope. Never commit it.', 'ROLLBAR_ACCESS_TOKEN='),
    );
    expect(xrayOff.removedServices).toEqual(['xray-daemon']);
    expect(after(xrayOff, 'docker-compose.yml')).not.toContain('xray-daemon');
    const allOff = planInit(rerun(first, base), choices({ services: ['api'], ...ALL_OFF }));
    expect(allOff.changes.find((c) => c.path === '.env.example')).toMatchObject({ after: '', remove: true });
  });

  it('a daemon in a flow-style services map is said, not cut', () => {
    const base = snapshot({ 'docker-compose.yml': lf('services: {api: {build: ./api}}') }, { stacks: { api: 'flask' }, envIgnored: true });
    const first = planInit(base, choices({ services: ['api'] }));
    expect(after(first, 'docker-compose.yml')).toContain('xray-daemon: {image:');
    const second = planInit(rerun(first, base), choices({ services: ['api'], xray: { enabled: false, group: 'cruddur' } }));
    expect(second.notes).toContainEqual({ kind: 'xray-daemon-remove-by-hand', daemon: 'xray-daemon', dependents: [] });
    expect(after(second, 'docker-compose.yml')).toContain('xray-daemon: {image:');
  });
});
