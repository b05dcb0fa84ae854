import { describe, expect, it } from 'vitest';
import type { InitChoices } from '../../src/backends/choices.js';
import { planInit, type InitPlan } from '../../src/commands/init/plan.js';
import { findingsLines } from '../../src/commands/init/report.js';
import { planRemove } from '../../src/commands/remove/plan.js';
import type { InitSnapshot } from '../../src/project/snapshot.js';
import { parseComposeText } from '../../src/compose/parse.js';
import { parseObsConfig, renderObsConfig } from '../../src/config/obs-config.js';
import type { Stack } from '../../src/stacks/detect.js';

/**
 * obs.yaml's `changes:` record (src/config/changes.ts): init writes what it added and replaced,
 * re-runs merge it, and `obs remove` and re-run removals take back only that.
 */
const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');

function snapshot(compose: Record<string, string>, stacks: Record<string, Stack>, extra: Partial<InitSnapshot> = {}): InitSnapshot {
  return {
    compose: Object.entries(compose).map(([path, text]) => parseComposeText(path, text)),
    projectDir: '',
    envFiles: new Map(),
    collectorConfigs: new Map(),
    hints: { gitpod: false, codespaces: false },
    stacks: new Map(Object.entries(stacks)),
    envIgnored: true,
    envTracked: false,
    projectName: 'cruddur',
    ...extra,
  };
}

function choices(over: Partial<InitChoices> = {}): InitChoices {
  return {
    services: ['api'],
    pipeline: 'direct',
    honeycomb: { enabled: true, region: 'us' },
    xray: { enabled: false, group: 'cruddur' },
    cloudwatch: { enabled: false, logGroup: '/cruddur', retentionInDays: 14 },
    rollbar: { enabled: false },
    force: false,
    ...over,
  };
}

function after(plan: InitPlan, path: string): string {
  const change = plan.changes.find((c) => c.path === path);
  if (!change) throw new Error(`no change planned for ${path}`);
  return change.after;
}

/** The snapshot after `plan` was written: its compose files, and obs.yaml parsed back. */
function written(plan: InitPlan, base: InitSnapshot, edit: (text: string) => string = (t) => t): InitSnapshot {
  const obsYaml = after(plan, 'obs.yaml');
  return {
    ...base,
    compose: base.compose.map((f) => parseComposeText(f.path, edit(plan.changes.find((c) => c.path === f.path)?.after ?? f.text))),
    obsConfig: { path: 'obs.yaml', text: obsYaml },
    previous: parseObsConfig(obsYaml),
  };
}

/** What `obs remove` writes into each compose file. */
function removed(state: InitSnapshot): Record<string, string> {
  const plan = planRemove({ snapshot: state, previous: state.previous!, apps: new Map() });
  return Object.fromEntries(state.compose.map((f) => [f.path, plan.changes.find((c) => c.path === f.path)?.after ?? f.text]));
}

// A bootcamp-style service: OTEL_SERVICE_NAME and the Honeycomb endpoint written by hand, exactly as obs would.
const HAND_WRITTEN = lf(
  'services:',
  '  api:',
  '    build: ./api',
  '    environment:',
  '      FLASK_ENV: development',
  '      OTEL_SERVICE_NAME: "api"',
  '      OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io"',
);

describe('init records what it changed in obs.yaml', () => {
  it('lists the keys it added per compose file and service, not the ones the user had written as obs would', () => {
    const base = snapshot({ 'docker-compose.yml': HAND_WRITTEN }, { api: 'flask' });
    const plan = planInit(base, choices());
    expect(plan.config.changes).toEqual({ environment: { 'docker-compose.yml': { api: { added: ['OTEL_EXPORTER_OTLP_HEADERS'] } } } });
    expect(after(plan, 'obs.yaml')).toContain(
      lf(
        '# What obs init changed in the compose files, kept by obs for `obs remove` and later runs: per file',
        '# and service, the keys it added and the values it replaced (as written; a secret is never recorded).',
        'changes:',
        '  environment:',
        '    docker-compose.yml:',
        '      api:',
        '        added:',
        '          - OTEL_EXPORTER_OTLP_HEADERS',
      ),
    );
  });

  it('records a replaced value as written (a ${VAR} reference unresolved), and a secret never', () => {
    const text = lf(
      'services:',
      '  api:',
      '    build: ./api',
      '    environment:',
      '      OTEL_EXPORTER_OTLP_ENDPOINT: "${MY_ENDPOINT:-http://localhost:4318}"',
      '      OTEL_EXPORTER_OTLP_HEADERS: "x-honeycomb-team=abc,other=1"',
    );
    const plan = planInit(snapshot({ 'docker-compose.yml': text }, { api: 'flask' }), choices({ force: true }));
    expect(after(plan, 'docker-compose.yml')).toContain('OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.honeycomb.io"');
    expect(plan.config.changes!.environment['docker-compose.yml']!.api).toEqual({
      added: ['OTEL_SERVICE_NAME'],
      replaced: { OTEL_EXPORTER_OTLP_ENDPOINT: '${MY_ENDPOINT:-http://localhost:4318}', OTEL_EXPORTER_OTLP_HEADERS: null },
    });
    expect(after(plan, 'obs.yaml')).not.toContain('abc');
  });

  it('records NODE_OPTIONS obs extended as the options the service had', () => {
    const text = lf('services:', '  api:', '    build: ./api', '    environment:', '      NODE_OPTIONS: "--max-old-space-size=512"');
    const pkg = lf('{', '  "name": "api",', '  "dependencies": {', '    "express": "^4.19.0"', '  }', '}');
    const base = snapshot(
      { 'docker-compose.yml': text },
      { api: 'node' },
      { instrumentation: { sources: new Map([['api', new Map([['package.json', pkg]])]]), template: () => () => '// Written by `obs init`\n' } },
    );
    const plan = planInit(base, choices());
    expect(plan.config.changes!.environment['docker-compose.yml']!.api!.replaced).toEqual({ NODE_OPTIONS: '--max-old-space-size=512' });
    // obs remove gives the options back.
    expect(removed(written(plan, base))['docker-compose.yml']).toBe(text);
  });

  it('a second run changes nothing and keeps the record; a user value written as obs would is not "obs wrote the old value"', () => {
    const base = snapshot({ 'docker-compose.yml': HAND_WRITTEN }, { api: 'flask' });
    const first = planInit(base, choices());
    const second = planInit(written(first, base), choices());
    expect(second.changes.every((c) => c.before === c.after)).toBe(true);
    const eu = planInit(written(first, base), choices({ honeycomb: { enabled: true, region: 'eu' } }));
    // The endpoint was the user's (not in the record): it stays theirs, reported, not "updated".
    expect(eu.updated).toEqual([]);
    expect(eu.conflicts.map((c) => c.key)).toEqual(['OTEL_EXPORTER_OTLP_ENDPOINT']);
    expect(eu.config.changes).toEqual(first.config.changes);
  });

  it('a key obs added follows a new choice and stays recorded as added; a new backend appends its keys', () => {
    const text = lf('services:', '  api:', '    build: ./api', '    environment:', '      FLASK_ENV: development');
    const base = snapshot({ 'docker-compose.yml': text }, { api: 'flask' });
    const first = planInit(base, choices());
    const eu = planInit(written(first, base), choices({ honeycomb: { enabled: true, region: 'eu' }, xray: { enabled: true, group: 'cruddur' } }));
    expect(eu.updated).toEqual([{ service: 'api', key: 'OTEL_EXPORTER_OTLP_ENDPOINT' }]);
    expect(eu.config.changes).toEqual({
      environment: { 'docker-compose.yml': { api: { added: ['OTEL_SERVICE_NAME', 'OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_HEADERS', 'AWS_XRAY_DAEMON_ADDRESS'] } } },
    });
    expect(removed(written(eu, written(first, base)))['docker-compose.yml']).toBe(text);
  });

  it('refuses a record of the wrong shape, naming the line', () => {
    const text = renderObsConfig({ ...planInit(snapshot({ 'docker-compose.yml': HAND_WRITTEN }, { api: 'flask' }), choices()).config });
    expect(() => parseObsConfig(text.replace('          - OTEL_EXPORTER_OTLP_HEADERS', '          - [x]'))).toThrow(/changes\.environment\.docker-compose\.yml\.api\.added\[0\] must be a string/);
    expect(() => parseObsConfig(`${text.replace(/\n$/, '')}\n        replaced:\n          KEY: [1]\n`)).toThrow(/replaced\.KEY must be a string/);
    expect(() => parseObsConfig(`${text.replace(/\n$/, '')}\n  packages:\n    pyproject.toml: rollbar\n`)).toThrow(/changes\.packages\.pyproject\.toml must be a list/);
    expect(() => parseObsConfig(`${text.replace(/\n$/, '')}\n  packages:\n    pyproject.toml:\n`)).toThrow(/changes\.packages\.pyproject\.toml must be a list \(- \.\.\.\), got null/);
  });
});

describe('obs remove with the record', () => {
  it('takes out only the keys obs added: a value the user had written exactly as obs would stays', () => {
    const base = snapshot({ 'docker-compose.yml': HAND_WRITTEN }, { api: 'flask' });
    const state = written(planInit(base, choices()), base);
    expect(removed(state)['docker-compose.yml']).toBe(HAND_WRITTEN);
  });

  it('gives back a value obs replaced (--force), and keeps one the user changed since (said)', () => {
    const text = lf('services:', '  api:', '    build: ./api', '    environment:', '      OTEL_SERVICE_NAME: "backend"', '      OTEL_EXPORTER_OTLP_ENDPOINT: "https://api.eu1.honeycomb.io"');
    const base = snapshot({ 'docker-compose.yml': text }, { api: 'flask' });
    const plan = planInit(base, choices({ force: true }));
    expect(after(plan, 'docker-compose.yml')).toContain('OTEL_SERVICE_NAME: "api"');
    expect(removed(written(plan, base))['docker-compose.yml']).toBe(text);
    const changed = written(plan, base, (t) => t.replace('OTEL_SERVICE_NAME: "api"', 'OTEL_SERVICE_NAME: "mine"'));
    const removal = planRemove({ snapshot: changed, previous: changed.previous!, apps: new Map() });
    expect(removal.notes).toContainEqual({ kind: 'value-kept', service: 'api', key: 'OTEL_SERVICE_NAME' });
    expect(removal.restoredValues).toEqual([{ service: 'api', key: 'OTEL_EXPORTER_OTLP_ENDPOINT' }]);
    expect(removal.changes.find((c) => c.path === 'docker-compose.yml')!.after).toContain('OTEL_SERVICE_NAME: "mine"');
  });

  it('without the record (an obs.yaml written before it): tells obs values by value, as before', () => {
    const base = snapshot({ 'docker-compose.yml': HAND_WRITTEN }, { api: 'flask' });
    const plan = planInit(base, choices());
    const old = written(plan, base);
    const text = old.obsConfig!.text.replace(/\n# What obs init changed[\s\S]*$/, '\n');
    expect(text).not.toContain('changes:');
    const state = { ...old, obsConfig: { path: 'obs.yaml', text }, previous: parseObsConfig(text) };
    expect(removed(state)['docker-compose.yml']).toBe(lf('services:', '  api:', '    build: ./api', '    environment:', '      FLASK_ENV: development'));
  });
});

describe('re-run removals with the record', () => {
  const off = { honeycomb: { enabled: false, region: 'us' as const } } satisfies Partial<InitChoices>;
  const xrayOnly = { ...off, xray: { enabled: true, group: 'cruddur' } } satisfies Partial<InitChoices>;

  it('a backend turned off: keys obs added go, values it replaced come back, the user identical ones stay', () => {
    const text = lf(
      'services:',
      '  api:',
      '    build: ./api',
      '    environment:',
      '      OTEL_SERVICE_NAME: "api"',
      '      OTEL_EXPORTER_OTLP_ENDPOINT: "http://localhost:4318"',
      '  xray-daemon:',
      '    image: amazon/aws-xray-daemon',
    );
    const base = snapshot({ 'docker-compose.yml': text }, { api: 'flask' });
    const first = planInit(base, choices({ force: true, xray: { enabled: true, group: 'cruddur' } }));
    expect(first.config.changes!.environment['docker-compose.yml']!.api).toEqual({
      added: ['OTEL_EXPORTER_OTLP_HEADERS', 'AWS_XRAY_DAEMON_ADDRESS'],
      replaced: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318' },
    });
    const second = planInit(written(first, base), choices(xrayOnly));
    expect(second.removed).toEqual([{ service: 'api', key: 'OTEL_EXPORTER_OTLP_HEADERS' }]);
    expect(second.restored).toEqual([{ service: 'api', key: 'OTEL_EXPORTER_OTLP_ENDPOINT' }]);
    expect(findingsLines(second)).toContain("- api: OTEL_EXPORTER_OTLP_ENDPOINT gets back the value it had before obs replaced it (no choice needs obs's now)");
    expect(after(second, 'docker-compose.yml')).toContain(
      '      OTEL_SERVICE_NAME: "api"\n      OTEL_EXPORTER_OTLP_ENDPOINT: "http://localhost:4318"\n      AWS_XRAY_DAEMON_ADDRESS: "xray-daemon:2000"\n',
    );
    // The record follows: what went leaves it, what stays obs's stays in it.
    expect(second.config.changes!.environment['docker-compose.yml']!.api).toEqual({ added: ['AWS_XRAY_DAEMON_ADDRESS'] });
    // obs remove then gives back the original file.
    expect(removed(written(second, written(first, base)))['docker-compose.yml']).toBe(text);
  });

  it('without the record, a re-run still infers by value (and writes the record from then on)', () => {
    const base = snapshot({ 'docker-compose.yml': HAND_WRITTEN }, { api: 'flask' });
    const first = written(planInit(base, choices()), base);
    const text = first.obsConfig!.text.replace(/\n# What obs init changed[\s\S]*$/, '\n');
    const old = { ...first, obsConfig: { path: 'obs.yaml', text }, previous: parseObsConfig(text) };
    const second = planInit(old, choices(off));
    // The user's endpoint goes with obs's header: equal to obs's value, nothing told them apart.
    expect(second.removed.map((r) => r.key)).toEqual(['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_HEADERS']);
    expect(second.config.changes).toEqual({ environment: { 'docker-compose.yml': { api: { added: ['OTEL_SERVICE_NAME'] } } } });
  });
});
