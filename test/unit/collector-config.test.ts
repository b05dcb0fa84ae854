import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { collectorPipelines, collectorVariables, ENDPOINT_VARIABLES, HONEYCOMB_KEY_VARIABLE, REGION_VARIABLE, renderCollectorConfig, type CollectorChoices } from '../../src/collector/config.js';
import { envReferences, parseCollectorConfig } from '../../src/collector/parse.js';
import { corsOrigins } from '../../src/collector/cors.js';
import { UsageError } from '../../src/errors.js';

const header = (redirects: string) =>
  [
    '# Written by `obs init`, which updates this file while this line is here; delete the line to keep your edits.',
    '# OpenTelemetry Collector config: apps send OTLP here; the collector adds the keys and forwards it.',
    "# Values come from the collector's environment as ${env:NAME}: no key is written in this file.",
    `# Endpoints can be redirected (a proxy, a test stand-in) with ${redirects}.`,
    '',
  ].join('\n');

const OTLP = `receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 0.0.0.0:4317
      http:
        endpoint: 0.0.0.0:4318
`;

const PROCESSORS = `processors:
  memory_limiter:
    check_interval: 1s
    limit_mib: 512
    spike_limit_mib: 128
  batch:
    send_batch_size: 512
    send_batch_max_size: 1024
`;

const none: Pick<CollectorChoices, 'xraySdkReceiver' | 'browserOrigins' | 'debug'> = { xraySdkReceiver: false, browserOrigins: [], debug: false };

describe('renderCollectorConfig', () => {
  it('Honeycomb only: traces and logs to the US endpoint, the key from the environment', () => {
    expect(renderCollectorConfig({ ...none, honeycomb: { region: 'us' } })).toBe(
      header('HONEYCOMB_OTLP_ENDPOINT') +
        `
${OTLP}${PROCESSORS}exporters:
  otlphttp/honeycomb:
    endpoint: \${env:HONEYCOMB_OTLP_ENDPOINT:-https://api.honeycomb.io}
    headers:
      x-honeycomb-team: \${env:HONEYCOMB_API_KEY}
extensions:
  health_check:
    endpoint: 0.0.0.0:13133
service:
  extensions: [health_check]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [otlphttp/honeycomb]
    logs:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [otlphttp/honeycomb]
`,
    );
  });

  it('Honeycomb EU with a classic dataset: the EU endpoint and the dataset header', () => {
    expect(renderCollectorConfig({ ...none, honeycomb: { region: 'eu', dataset: 'cruddur' } })).toBe(
      header('HONEYCOMB_OTLP_ENDPOINT') +
        `
${OTLP}${PROCESSORS}exporters:
  otlphttp/honeycomb:
    endpoint: \${env:HONEYCOMB_OTLP_ENDPOINT:-https://api.eu1.honeycomb.io}
    headers:
      x-honeycomb-team: \${env:HONEYCOMB_API_KEY}
      x-honeycomb-dataset: cruddur
extensions:
  health_check:
    endpoint: 0.0.0.0:13133
service:
  extensions: [health_check]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [otlphttp/honeycomb]
    logs:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [otlphttp/honeycomb]
`,
    );
  });

  it('Honeycomb + X-Ray in a fixed region: traces to both, X-Ray signed by sigv4auth/xray', () => {
    expect(renderCollectorConfig({ ...none, honeycomb: { region: 'us' }, xray: { region: 'us-east-1' } })).toBe(
      header('HONEYCOMB_OTLP_ENDPOINT, XRAY_OTLP_ENDPOINT') +
        `
${OTLP}${PROCESSORS}exporters:
  otlphttp/honeycomb:
    endpoint: \${env:HONEYCOMB_OTLP_ENDPOINT:-https://api.honeycomb.io}
    headers:
      x-honeycomb-team: \${env:HONEYCOMB_API_KEY}
  otlphttp/xray:
    traces_endpoint: \${env:XRAY_OTLP_ENDPOINT:-https://xray.us-east-1.amazonaws.com/v1/traces}
    auth:
      authenticator: sigv4auth/xray
extensions:
  health_check:
    endpoint: 0.0.0.0:13133
  sigv4auth/xray:
    region: us-east-1
    service: xray
service:
  extensions: [health_check, sigv4auth/xray]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [otlphttp/honeycomb, otlphttp/xray]
    logs:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [otlphttp/honeycomb]
`,
    );
  });

  it('all three, the awsxray receiver, browser origins and debug; the region from AWS_REGION', () => {
    const { origins } = corsOrigins([{ service: 'frontend-react-js', ports: [{ published: '3000', target: '3000' }] }], { gitpod: true, codespaces: false });
    const yaml = renderCollectorConfig({
      honeycomb: { region: 'us' },
      xray: {},
      cloudwatchLogs: { logGroup: '/cruddur/backend', logStream: 'collector' },
      xraySdkReceiver: true,
      browserOrigins: origins,
      debug: true,
    });
    expect(yaml).toBe(
      header('HONEYCOMB_OTLP_ENDPOINT, XRAY_OTLP_ENDPOINT, CLOUDWATCH_LOGS_OTLP_ENDPOINT, AWS_ENDPOINT_URL_XRAY') +
        `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 0.0.0.0:4317
      http:
        endpoint: 0.0.0.0:4318
        cors:
          allowed_origins:
            - http://localhost:3000
            - http://127.0.0.1:3000
            - https://3000-*.gitpod.io
          allowed_headers:
            - "*"
  awsxray:
    endpoint: 0.0.0.0:2000
    transport: udp
    proxy_server:
      endpoint: 0.0.0.0:2000
      region: \${env:AWS_REGION}
      aws_endpoint: \${env:AWS_ENDPOINT_URL_XRAY:-https://xray.\${env:AWS_REGION}.amazonaws.com}
      local_mode: true
${PROCESSORS}exporters:
  otlphttp/honeycomb:
    endpoint: \${env:HONEYCOMB_OTLP_ENDPOINT:-https://api.honeycomb.io}
    headers:
      x-honeycomb-team: \${env:HONEYCOMB_API_KEY}
  otlphttp/xray:
    traces_endpoint: \${env:XRAY_OTLP_ENDPOINT:-https://xray.\${env:AWS_REGION}.amazonaws.com/v1/traces}
    auth:
      authenticator: sigv4auth/xray
  otlphttp/cloudwatch-logs:
    logs_endpoint: \${env:CLOUDWATCH_LOGS_OTLP_ENDPOINT:-https://logs.\${env:AWS_REGION}.amazonaws.com/v1/logs}
    headers:
      x-aws-log-group: /cruddur/backend
      x-aws-log-stream: collector
    auth:
      authenticator: sigv4auth/logs
  debug:
    verbosity: detailed
extensions:
  health_check:
    endpoint: 0.0.0.0:13133
  sigv4auth/xray:
    region: \${env:AWS_REGION}
    service: xray
  sigv4auth/logs:
    region: \${env:AWS_REGION}
    service: logs
service:
  extensions: [health_check, sigv4auth/xray, sigv4auth/logs]
  pipelines:
    traces:
      receivers: [otlp, awsxray]
      processors: [memory_limiter, batch]
      exporters: [otlphttp/honeycomb, otlphttp/xray, debug]
    logs:
      receivers: [otlp]
      processors: [memory_limiter, batch]
      exporters: [otlphttp/honeycomb, otlphttp/cloudwatch-logs, debug]
`,
    );
    // What the collector reads: every pipeline names defined components, and no value is a secret.
    const config = parseDocument(yaml).toJS() as Record<string, Record<string, unknown>>;
    const service = config.service as { extensions: string[]; pipelines: Record<string, Record<string, string[]>> };
    for (const pipeline of Object.values(service.pipelines)) {
      for (const kind of ['receivers', 'processors', 'exporters'] as const) for (const id of pipeline[kind]!) expect(config[kind]).toHaveProperty([id]);
    }
    for (const id of service.extensions) expect(config.extensions).toHaveProperty([id]);
  });

  it('a dataset with spaces and YAML indicators stays one string', () => {
    const yaml = renderCollectorConfig({ ...none, honeycomb: { region: 'us', dataset: 'my data: #1' } });
    expect(parseDocument(yaml).toJS().exporters['otlphttp/honeycomb'].headers['x-honeycomb-dataset']).toBe('my data: #1');
  });

  it('X-Ray alone has no logs pipeline; Honeycomb with logs: false keeps logs for CloudWatch only', () => {
    expect(collectorPipelines({ ...none, xray: {} })).toEqual({ traces: ['otlphttp/xray'], logs: [] });
    expect(collectorPipelines({ ...none, honeycomb: { region: 'us', logs: false }, cloudwatchLogs: { logGroup: 'g', logStream: 's' } })).toEqual({
      traces: ['otlphttp/honeycomb'],
      logs: ['otlphttp/cloudwatch-logs'],
    });
    expect(parseDocument(renderCollectorConfig({ ...none, xray: {} })).toJS().service.pipelines).toEqual({
      traces: { receivers: ['otlp'], processors: ['memory_limiter', 'batch'], exporters: ['otlphttp/xray'] },
    });
  });

  it('names the variables the collector container needs', () => {
    expect(collectorVariables({ ...none, honeycomb: { region: 'us' } })).toEqual({ required: ['HONEYCOMB_API_KEY'], redirects: ['HONEYCOMB_OTLP_ENDPOINT'] });
    expect(collectorVariables({ ...none, xray: { region: 'eu-west-1' } })).toEqual({ required: [], redirects: ['XRAY_OTLP_ENDPOINT'] });
    expect(collectorVariables({ ...none, xray: {}, xraySdkReceiver: true })).toEqual({ required: ['AWS_REGION'], redirects: ['XRAY_OTLP_ENDPOINT', 'AWS_ENDPOINT_URL_XRAY'] });
  });

  it('refuses what the collector or AWS would refuse later', () => {
    const refused = (choices: CollectorChoices) => {
      try {
        renderCollectorConfig(choices);
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        return (err as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refused({ ...none })).toBe('the collector has nowhere to send anything: choose Honeycomb, X-Ray or CloudWatch Logs');
    expect(refused({ ...none, cloudwatchLogs: { logGroup: 'g', logStream: 's' }, xraySdkReceiver: true })).toBe('X-Ray SDK segments need a traces backend: choose X-Ray or Honeycomb');
    expect(refused({ ...none, xray: { region: 'US East' } })).toBe('collector xray.region is not a valid AWS region name: "US East"');
    expect(refused({ ...none, cloudwatchLogs: { logGroup: 'aws/spans', logStream: 's' } })).toBe('the collector log group cannot start with "aws/": AWS reserves that prefix');
    expect(refused({ ...none, cloudwatchLogs: { logGroup: 'g', logStream: 'a:b' } })).toBe("the collector log stream may not contain ':' or '*': \"a:b\"");
  });
});

describe('corsOrigins', () => {
  const hints = { gitpod: false, codespaces: false };

  it('localhost and 127.0.0.1 for each published TCP port; the default port left out as browsers do', () => {
    expect(
      corsOrigins(
        [
          { service: 'web', ports: [{ published: '3000', target: '3000' }, { published: '80', target: '8080' }, { published: '53', target: '53', protocol: 'udp' }, { target: '9229' }] },
          {
            service: 'admin',
            ports: [
              { published: '3000', target: '3000' },
              { published: '443', target: '8443' },
            ],
          },
        ],
        hints,
      ),
    ).toEqual({
      origins: ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://localhost', 'http://127.0.0.1', 'https://localhost', 'https://127.0.0.1'],
      unknown: [],
    });
  });

  it('Gitpod and Codespaces patterns with the port in the host name', () => {
    expect(corsOrigins([{ service: 'frontend-react-js', ports: [{ published: '3000', target: '3000' }] }], { gitpod: true, codespaces: true }).origins).toEqual([
      'http://localhost:3000',
      'http://127.0.0.1:3000',
      'https://3000-*.gitpod.io',
      'https://*-3000.app.github.dev',
    ]);
  });

  it("takes a variable's default and a range's ports; names a port only compose knows", () => {
    expect(
      corsOrigins(
        [
          {
            service: 'web',
            ports: [
              { published: '${WEB_PORT:-5173}', target: '5173' },
              { published: '4000-4001', target: '4000-4001' },
              { published: '${PORT}', target: '80' },
            ],
          },
        ],
        hints,
      ),
    ).toEqual({
      origins: ['http://localhost:5173', 'http://127.0.0.1:5173', 'http://localhost:4000', 'http://127.0.0.1:4000', 'http://localhost:4001', 'http://127.0.0.1:4001'],
      unknown: [{ service: 'web', published: '${PORT}' }],
    });
  });
});

describe('the hand-written collector fixture', () => {
  it('reads only the variables obs documents (no names of its own a reader would copy)', () => {
    const path = join(import.meta.dirname, '..', 'fixtures', 'collector', 'every-component.yaml');
    const config = parseCollectorConfig(path, readFileSync(path, 'utf8'));
    if ('problem' in config) throw new Error(config.problem.message);
    const documented = new Set<string>([...Object.values(ENDPOINT_VARIABLES), HONEYCOMB_KEY_VARIABLE, REGION_VARIABLE]);
    const used = [...new Set(envReferences(config).map((r) => r.name))];
    expect(used.filter((name) => !documented.has(name))).toEqual([]);
    // Every redirect obs documents is one the fixture takes, so tests through it use the same names as users.
    expect(used).toEqual(expect.arrayContaining(Object.values(ENDPOINT_VARIABLES)));
  });
});
