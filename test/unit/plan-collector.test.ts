import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { InitChoices } from '../../src/backends/choices.js';
import { planInit, type InitPlan } from '../../src/commands/init/plan.js';
import { noteText } from '../../src/commands/init/report.js';
import { parseComposeText } from '../../src/compose/parse.js';
import { buildProject } from '../../src/compose/project.js';
import { parseObsConfig } from '../../src/config/obs-config.js';
import { changedOnly } from '../../src/plan/file-change.js';
import type { InitSnapshot } from '../../src/project/snapshot.js';
import type { Stack } from '../../src/stacks/detect.js';

/** The collector pipeline as init plans it: pure planning, the files as text in, the files as text out. */
const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');

function snapshot(compose: string, stacks: Record<string, Stack>, extra: Partial<InitSnapshot> = {}): InitSnapshot {
  return {
    compose: [parseComposeText('docker-compose.yml', compose)],
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
    services: ['backend-flask', 'frontend-react-js'],
    pipeline: 'collector',
    honeycomb: { enabled: true, region: 'us' },
    xray: { enabled: true, group: 'Cruddur' },
    cloudwatch: { enabled: false, logGroup: '/cruddur', retentionInDays: 14 },
    rollbar: { enabled: false },
    force: false,
    ...over,
  };
}

function after(plan: InitPlan, path: string): string {
  const change = plan.changes.find((c) => c.path === path);
  if (!change) throw new Error(`no change for ${path}: ${plan.changes.map((c) => c.path).join(', ')}`);
  return change.after;
}

/** The next run's inputs: every file as the plan wrote it. */
function rerun(first: InitPlan, base: InitSnapshot): InitSnapshot {
  const obs = after(first, 'obs.yaml');
  const configs = new Map(base.collectorConfigs);
  for (const change of first.changes) if (change.path.includes('otel-collector-config')) configs.set(change.path, { path: change.path, text: change.after });
  return {
    ...base,
    compose: base.compose.map((f) => parseComposeText(f.path, first.changes.find((c) => c.path === f.path)?.after ?? f.text)),
    collectorConfigs: configs,
    obsConfig: { path: 'obs.yaml', text: obs },
    previous: parseObsConfig(obs),
  };
}

const services = (plan: InitPlan) => parseYaml(after(plan, 'docker-compose.yml')).services as Record<string, Record<string, unknown>>;

const FLASK_REACT = lf(
  'services:',
  '  backend-flask:',
  '    build: ./backend-flask',
  '    environment:',
  '      FRONTEND_URL: "http://localhost:3000"',
  '    ports:',
  '      - "4567:4567"',
  '  frontend-react-js:',
  '    build: ./frontend-react-js',
  '    environment:',
  '      VITE_BACKEND_URL: "http://localhost:4567"',
  '    ports:',
  '      - "3000:3000"',
  '  db:',
  '    image: postgres:16-alpine',
);
const STACKS: Record<string, Stack> = { 'backend-flask': 'flask', 'frontend-react-js': 'react' };

describe('planInit, collector pipeline, on a project without telemetry', () => {
  const plan = planInit(snapshot(FLASK_REACT, STACKS), choices());

  it('adds one collector service: pinned image, config mounted read-only, keys by reference, 4318 published for the browser, a health check', () => {
    expect(after(plan, 'docker-compose.yml')).toBe(
      FLASK_REACT.replace(
        '      FRONTEND_URL: "http://localhost:3000"\n',
        '      FRONTEND_URL: "http://localhost:3000"\n      OTEL_SERVICE_NAME: "backend-flask"\n      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4318"\n',
      ) +
        lf(
          '  otel-collector:',
          '    image: "otel/opentelemetry-collector-contrib:0.141.0"',
          '    # Apps send OTLP here; the collector holds the keys and exports to each backend (config written by obs init).',
          '    volumes:',
          '      - "./otel-collector-config.yaml:/etc/otelcol-contrib/config.yaml:ro"',
          '    environment:',
          '      HONEYCOMB_API_KEY: "${HONEYCOMB_API_KEY}"',
          '      AWS_ACCESS_KEY_ID: "${AWS_ACCESS_KEY_ID}"',
          '      AWS_SECRET_ACCESS_KEY: "${AWS_SECRET_ACCESS_KEY}"',
          '      AWS_REGION: "${AWS_DEFAULT_REGION}"',
          "    # Published for the browser app's spans only (CORS allows its pages).",
          '    ports:',
          '      - "4318:4318"',
          '    healthcheck:',
          '      test: ["CMD", "/otelcol-contrib", "validate", "--config=/etc/otelcol-contrib/config.yaml"]',
          '      interval: 30s',
          '      timeout: 10s',
          '      retries: 3',
        ),
    );
    expect(plan.collectorService).toBe('otel-collector');
    expect(plan.collectorAdded).toBe(true);
    expect(plan.daemonService).toBeUndefined();
  });

  it('keeps keys out of the apps: no Honeycomb header, no AWS credentials, no daemon address', () => {
    const flask = services(plan)['backend-flask']!.environment as Record<string, string>;
    expect(Object.keys(flask)).toEqual(['FRONTEND_URL', 'OTEL_SERVICE_NAME', 'OTEL_EXPORTER_OTLP_ENDPOINT']);
    expect(JSON.stringify(services(plan)['frontend-react-js'])).not.toMatch(/HONEYCOMB|AWS_/);
  });

  it('writes the config file obs owns: marker line, CORS for the frontend page, both exporters, no awsxray receiver', () => {
    const text = after(plan, 'otel-collector-config.yaml');
    expect(text.split('\n')[0]).toMatch(/^# Written by `obs init`/);
    const config = parseYaml(text);
    expect(config.receivers.otlp.protocols.http.cors.allowed_origins).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000']);
    expect(config.receivers.awsxray).toBeUndefined();
    expect(config.service.pipelines.traces.exporters).toEqual(['otlphttp/honeycomb', 'otlphttp/xray']);
    expect(text).not.toMatch(/hcaik|AKIA/);
  });

  it('records the pipeline, the collector and Transaction Search in obs.yaml; no daemon', () => {
    const config = parseObsConfig(after(plan, 'obs.yaml'));
    expect(config.pipeline).toBe('collector');
    expect(config.collector).toEqual({ service: 'otel-collector', config: 'otel-collector-config.yaml' });
    expect(config.xray.daemonService).toBeUndefined();
    expect(config.xray.transactionSearch).toBe(true);
  });

  it('asks for the keys the collector reads, in .env.example', () => {
    expect(plan.requiredVariables).toEqual(['HONEYCOMB_API_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_DEFAULT_REGION']);
  });

  it('changes nothing on a second run', () => {
    const second = planInit(rerun(plan, snapshot(FLASK_REACT, STACKS)), choices());
    expect(changedOnly(second.changes).map((c) => c.path)).toEqual([]);
  });

  it('publishes no port when no browser app sends to it', () => {
    const backendOnly = planInit(snapshot(FLASK_REACT, STACKS), choices({ services: ['backend-flask'] }));
    expect(services(backendOnly)['otel-collector']!.ports).toBeUndefined();
    expect(parseYaml(after(backendOnly, 'otel-collector-config.yaml')).receivers.otlp.protocols.http.cors).toBeUndefined();
  });

  it('takes another host port when 4318 is published by a service already', () => {
    const taken = FLASK_REACT.replace('      - "4567:4567"', '      - "4567:4567"\n      - "4318:4318"');
    const moved = planInit(snapshot(taken, STACKS), choices());
    expect(services(moved)['otel-collector']!.ports).toEqual(['14318:4318']);
  });
});

const SEED_WITH_DAEMON = lf(
  'services:',
  '  backend-flask:',
  '    build: ./backend-flask',
  '    environment:',
  '      AWS_XRAY_URL: "*localhost:4567*"',
  '      AWS_XRAY_DAEMON_ADDRESS: "xray-daemon:2000"',
  '    depends_on:',
  '      - xray-daemon',
  '    networks:',
  '      - internal',
  '',
  '  xray-daemon:',
  '    image: "amazon/aws-xray-daemon"',
  '    environment:',
  '      AWS_ACCESS_KEY_ID: "${AWS_ACCESS_KEY_ID}"',
  '      AWS_SECRET_ACCESS_KEY: "${AWS_SECRET_ACCESS_KEY}"',
  '      AWS_REGION: "us-east-1"',
  '    command:',
  '      - "xray -o -b xray-daemon:2000"',
  '    ports:',
  '      - 2000:2000/udp',
  '    networks:',
  '      - internal',
  '',
  'networks:',
  '  internal:',
);

describe('planInit, collector pipeline, migrating a hand-wired X-Ray daemon setup', () => {
  const base = snapshot(SEED_WITH_DAEMON, { 'backend-flask': 'flask' });
  const plan = planInit(base, choices({ services: ['backend-flask'] }));
  const composed = services(plan);

  it('puts the collector where the daemon was, on the sender network, with the region the daemon had', () => {
    expect(composed['xray-daemon']).toBeUndefined();
    const collector = composed['otel-collector']!;
    expect(collector.networks).toEqual(['internal']);
    expect((collector.environment as Record<string, string>).AWS_REGION).toBe('us-east-1');
    expect(plan.removedServices).toEqual(['xray-daemon']);
    const text = after(plan, 'docker-compose.yml');
    // In the daemon's place: after the app and its blank line, before the top-level networks.
    expect(text).toMatch(/      - internal\n\n  otel-collector:\n(?:    .*\n|      .*\n)+\nnetworks:\n/);
  });

  it('keeps the hand-wired X-Ray SDK app working: its address and depends_on follow the collector, which gets the awsxray receiver', () => {
    const flask = composed['backend-flask']!;
    expect((flask.environment as Record<string, string>).AWS_XRAY_DAEMON_ADDRESS).toBe('otel-collector:2000');
    expect(flask.depends_on).toEqual(['otel-collector']);
    const config = parseYaml(after(plan, 'otel-collector-config.yaml'));
    expect(config.receivers.awsxray.endpoint).toBe('0.0.0.0:2000');
    expect(config.service.pipelines.traces.receivers).toEqual(['otlp', 'awsxray']);
    expect(plan.notes.map(noteText).join('\n')).toMatch(/backend-flask sends X-Ray SDK segments: the collector otel-collector receives them on UDP 2000/);
  });

  it('parses as a compose project again, and a second run changes nothing', () => {
    const project = buildProject([parseComposeText('docker-compose.yml', after(plan, 'docker-compose.yml'))]);
    expect(project.services.map((s) => s.name)).toEqual(['backend-flask', 'otel-collector']);
    const second = planInit(rerun(plan, base), choices({ services: ['backend-flask'] }));
    expect(changedOnly(second.changes).map((c) => c.path)).toEqual([]);
  });
});

describe('planInit: switching pipelines on a re-run rewires what obs wrote, in one plan', () => {
  const base = snapshot(FLASK_REACT, STACKS);

  it('direct -> collector: the daemon obs added goes, with the values it wrote for it; no awsxray receiver is needed', () => {
    const direct = planInit(base, choices({ pipeline: 'direct' }));
    expect(services(direct)['xray-daemon']).toBeDefined();
    const collector = planInit(rerun(direct, base), choices());
    const composed = services(collector);
    expect(composed['xray-daemon']).toBeUndefined();
    expect(composed['otel-collector']).toBeDefined();
    expect(composed['backend-flask']!.environment).toEqual({
      FRONTEND_URL: 'http://localhost:3000',
      OTEL_SERVICE_NAME: 'backend-flask',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
    });
    // The browser gets no container variable it never reads (the collector's URL comes from its planner, not run here).
    expect(composed['frontend-react-js']!.environment).toEqual({ VITE_BACKEND_URL: 'http://localhost:4567' });
    expect(collector.removed).toEqual(
      expect.arrayContaining([
        { service: 'backend-flask', key: 'OTEL_EXPORTER_OTLP_HEADERS' },
        { service: 'backend-flask', key: 'AWS_XRAY_DAEMON_ADDRESS' },
      ]),
    );
    expect(parseYaml(after(collector, 'otel-collector-config.yaml')).receivers.awsxray).toBeUndefined();
    expect(parseObsConfig(after(collector, 'obs.yaml')).pipeline).toBe('collector');
  });

  it('collector -> direct: obs takes its collector and its config file out, and the apps send straight again', () => {
    const collector = planInit(base, choices());
    const direct = planInit(rerun(collector, base), choices({ pipeline: 'direct' }));
    const composed = services(direct);
    expect(composed['otel-collector']).toBeUndefined();
    expect(composed['xray-daemon']).toBeDefined();
    expect((composed['backend-flask']!.environment as Record<string, string>).OTEL_EXPORTER_OTLP_ENDPOINT).toBe('https://api.honeycomb.io');
    expect(direct.notes.map(noteText)).toContain('the collector otel-collector goes (the apps send directly now), and otel-collector-config.yaml with it');
    // obs's config file is deleted in the same plan.
    expect(direct.changes.find((c) => c.path === 'otel-collector-config.yaml')).toMatchObject({ remove: true, after: '' });
    expect(changedOnly(direct.changes).map((c) => c.path)).toContain('otel-collector-config.yaml');
  });

  it('a value the user changed stays theirs when obs would take it out', () => {
    const direct = planInit(base, choices({ pipeline: 'direct' }));
    const edited = after(direct, 'docker-compose.yml').replace('AWS_XRAY_DAEMON_ADDRESS: "xray-daemon:2000"', 'AWS_XRAY_DAEMON_ADDRESS: "my-daemon:2000"');
    const second = rerun(direct, base);
    second.compose = [parseComposeText('docker-compose.yml', edited)];
    const collector = planInit(second, choices());
    expect((services(collector)['backend-flask']!.environment as Record<string, string>).AWS_XRAY_DAEMON_ADDRESS).toBe('my-daemon:2000');
  });
});

describe('planInit, collector pipeline, when the project runs its own collector', () => {
  const theirs = FLASK_REACT + lf('  collector:', '    image: otel/opentelemetry-collector-contrib:0.120.0', '    ports:', '      - "4318:4318"');
  const plan = planInit(snapshot(theirs, STACKS), choices());

  it('points the apps at it and writes no config of its own', () => {
    expect((services(plan)['backend-flask']!.environment as Record<string, string>).OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://collector:4318');
    expect(plan.changes.some((c) => c.path.includes('otel-collector-config'))).toBe(false);
    expect(plan.collectorAdded).toBe(false);
    expect((services(plan)['frontend-react-js']!.environment as Record<string, string>).VITE_OTEL_COLLECTOR_URL).toBeUndefined();
    expect(plan.notes.map(noteText)).toContain('collector already runs an OpenTelemetry Collector: obs points the apps at it and leaves its config to you (obs doctor checks it)');
  });
});

describe('planInit: values obs wrote for a backend turned off go on the re-run', () => {
  it('--no-xray takes out AWS_XRAY_DAEMON_ADDRESS and the daemon obs wrote (and obs writes no AWS_XRAY_URL)', () => {
    const base = snapshot(FLASK_REACT, STACKS);
    const first = planInit(base, choices({ pipeline: 'direct' }));
    const off = planInit(rerun(first, base), choices({ pipeline: 'direct', xray: { enabled: false, group: 'Cruddur' } }));
    const env = services(off)['backend-flask']!.environment as Record<string, string>;
    expect(env.AWS_XRAY_DAEMON_ADDRESS).toBeUndefined();
    expect(env.AWS_XRAY_URL).toBeUndefined();
    expect(env.OTEL_EXPORTER_OTLP_HEADERS).toBe('x-honeycomb-team=${HONEYCOMB_API_KEY}');
    expect(off.removedServices).toEqual(['xray-daemon']);
    expect(Object.keys(services(off))).not.toContain('xray-daemon');
  });
});

describe('planInit, collector pipeline: an app right before the daemon it replaces', () => {
  it("gets its new environment block, and the collector takes the daemon's place after it", () => {
    const compose = 'services:\n  api:\n    build: ./api\n  xray-daemon:\n    image: "amazon/aws-xray-daemon"\n    command: ["xray -o -b xray-daemon:2000"]\n';
    const plan = planInit(snapshot(compose, { api: 'node' }), choices({ services: ['api'] }));
    const composed = services(plan);
    expect(composed.api!.environment).toEqual({ OTEL_SERVICE_NAME: 'api', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318' });
    expect(Object.keys(composed)).toEqual(['api', 'otel-collector']);
  });
});

describe('planInit: a collector config file whose marker line the user deleted', () => {
  it('stays, with the service, when obs switches to direct', () => {
    const base = snapshot(FLASK_REACT, STACKS);
    const collector = planInit(base, choices());
    const next = rerun(collector, base);
    const theirs = after(collector, 'otel-collector-config.yaml').replace(/^# Written by `obs init`.*\n/, '');
    next.collectorConfigs = new Map([['otel-collector-config.yaml', { path: 'otel-collector-config.yaml', text: theirs }]]);
    const direct = planInit(next, choices({ pipeline: 'direct' }));
    expect(direct.changes.some((c) => c.remove)).toBe(false);
    expect(services(direct)['otel-collector']).toBeDefined();
  });
});

describe('planInit: what earlier obs versions wrote into a browser app', () => {
  it('takes out the container OTEL_SERVICE_NAME obs gave it (no browser reads it) on the next run', () => {
    const base = snapshot(FLASK_REACT, STACKS);
    const first = planInit(base, choices({ pipeline: 'direct' }));
    const next = rerun(first, base);
    // As an earlier obs wrote it, next to obs.yaml.
    const older = after(first, 'docker-compose.yml').replace(
      '      VITE_BACKEND_URL: "http://localhost:4567"\n',
      '      VITE_BACKEND_URL: "http://localhost:4567"\n      OTEL_SERVICE_NAME: "frontend-react-js"\n',
    );
    next.compose = [parseComposeText('docker-compose.yml', older)];
    // An earlier obs's obs.yaml has no record of what it changed: obs infers by value.
    const { changes: _record, ...earlierConfig } = next.previous!;
    next.previous = earlierConfig;
    const second = planInit(next, choices({ pipeline: 'direct' }));
    expect((services(second)['frontend-react-js']!.environment as Record<string, string>).OTEL_SERVICE_NAME).toBeUndefined();
    expect(second.removed).toEqual([{ service: 'frontend-react-js', key: 'OTEL_SERVICE_NAME' }]);
    // Without obs.yaml the same line is the user's: it stays.
    const theirs = planInit(snapshot(older, STACKS), choices({ pipeline: 'direct' }));
    expect((services(theirs)['frontend-react-js']!.environment as Record<string, string>).OTEL_SERVICE_NAME).toBe('frontend-react-js');
  });
});
