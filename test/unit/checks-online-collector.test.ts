import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectorRoute } from '../../src/checks/online/collector-route.js';
import { collectorXrayExports } from '../../src/checks/online/collector-xray.js';
import { loadDoctorProject } from '../../src/commands/doctor/load.js';
import { renderCollectorConfig } from '../../src/collector/config.js';
import { tempProject } from '../support/run-obs.js';

/** The pure readings behind xray-transaction-search and send-test-span's collector route, over real temp projects. */
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');

async function project(collector: string[], config: string, options: { env?: Record<string, string>; dotenv?: string } = {}) {
  const root = await tempProject();
  dirs.push(root);
  const compose = lf(
    'services:',
    '  api:',
    '    build: ./api',
    '    environment:',
    '      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4318"',
    '  otel-collector:',
    '    image: otel/opentelemetry-collector-contrib:0.141.0',
    '    volumes:',
    '      - ./otel.yaml:/etc/otelcol-contrib/config.yaml:ro',
    ...collector.map((l) => `    ${l}`),
  );
  await writeFile(join(root, 'docker-compose.yml'), compose);
  await writeFile(join(root, 'otel.yaml'), config);
  if (options.dotenv) await writeFile(join(root, '.env'), options.dotenv);
  return loadDoctorProject(root, options.env ?? {});
}

const none = { xraySdkReceiver: false, browserOrigins: [], debug: false };
const HONEYCOMB = renderCollectorConfig({ ...none, honeycomb: { region: 'us' } });

describe('collectorRoute: the port compose publishes for the collector an app sends to', () => {
  const cases: [string, string[], number | undefined][] = [
    ['HOST:CONTAINER', ['ports: ["14318:4318"]'], 14318],
    ['IP:HOST:CONTAINER', ['ports: ["127.0.0.1:24318:4318"]'], 24318],
    ['a variable with a default', ['ports: ["${OTLP_PORT:-34318}:4318"]'], 34318],
    ['a range', ['ports: ["4317-4318:4317-4318"]'], 4318],
    ['the long form', ['ports:', '  - { target: 4318, published: "44318" }'], 44318],
    ['the container port only (a random host port)', ['ports: ["4318"]'], undefined],
    ['UDP only', ['ports: ["4318:4318/udp"]'], undefined],
    ['another port', ['ports: ["13133:13133"]'], undefined],
  ];
  for (const [name, lines, port] of cases) {
    it(name, async () => {
      const route = collectorRoute(await project(lines, HONEYCOMB), 'http://otel-collector:4318/v1/traces');
      expect(route).toEqual({ collector: 'otel-collector', containerPort: 4318, ...(port !== undefined && { publishedPort: port }), tracesExporters: ['otlphttp/honeycomb'] });
    });
  }

  it("interpolates the published port from the shell and .env, and reads the receiver's port from the config", async () => {
    const config = HONEYCOMB.replace('endpoint: 0.0.0.0:4318', 'endpoint: 0.0.0.0:5318');
    const p = await project(['ports: ["${OTLP_PORT}:5318"]'], config, { dotenv: 'OTLP_PORT=15318\n' });
    expect(collectorRoute(p, 'http://otel-collector:4318')).toMatchObject({ containerPort: 5318, publishedPort: 15318 });
  });

  it('is undefined for an endpoint that is no collector service', async () => {
    const p = await project(['ports: ["4318:4318"]'], HONEYCOMB);
    expect(collectorRoute(p, 'https://api.honeycomb.io/v1/traces')).toBeUndefined();
    expect(collectorRoute(p, 'http://api:4318/v1/traces')).toBeUndefined();
  });
});

describe('collectorXrayExports', () => {
  it('finds the otlphttp exporter signed for xray, with the region the config names', async () => {
    const p = await project([], renderCollectorConfig({ ...none, honeycomb: { region: 'us' }, xray: { region: 'eu-west-3' } }));
    expect(collectorXrayExports(p)).toEqual([{ collector: 'otel-collector', exporter: 'otlphttp/xray', region: { value: 'eu-west-3', from: 'sigv4auth/xray of otel-collector' } }]);
  });

  it("takes ${env:AWS_REGION} as it reaches the collector's container; unknown when it does not", async () => {
    const config = renderCollectorConfig({ ...none, xray: {} });
    const withRegion = await project(['environment:', '  AWS_REGION: "${AWS_REGION}"'], config, { dotenv: 'AWS_REGION=ap-south-1\n' });
    expect(collectorXrayExports(withRegion)).toEqual([{ collector: 'otel-collector', exporter: 'otlphttp/xray', region: { value: 'ap-south-1', from: 'AWS_REGION of otel-collector' } }]);
    const without = await project([], config, { env: { AWS_REGION: 'us-west-2' } });
    expect(collectorXrayExports(without)).toEqual([{ collector: 'otel-collector', exporter: 'otlphttp/xray' }]);
  });

  it('leaves out exporters in no pipeline, the legacy awsxray exporter, and Honeycomb', async () => {
    const config = lf(
      'receivers: { otlp: { protocols: { http: {} } } }',
      'extensions: { sigv4auth/xray: { region: us-east-1, service: xray } }',
      'exporters:',
      '  awsxray: { region: us-east-1 }',
      '  otlphttp/unused: { traces_endpoint: "https://xray.us-east-1.amazonaws.com/v1/traces", auth: { authenticator: sigv4auth/xray } }',
      '  otlphttp/honeycomb: { endpoint: "https://api.honeycomb.io" }',
      '  otlphttp/by-host: { traces_endpoint: "${env:XRAY_OTLP_ENDPOINT:-https://xray.ca-central-1.amazonaws.com/v1/traces}" }',
      'service:',
      '  extensions: [sigv4auth/xray]',
      '  pipelines: { traces: { receivers: [otlp], exporters: [awsxray, otlphttp/honeycomb, otlphttp/by-host] } }',
    );
    expect(collectorXrayExports(await project([], config))).toEqual([
      { collector: 'otel-collector', exporter: 'otlphttp/by-host', region: { value: 'ca-central-1', from: 'the X-Ray endpoint of otel-collector' } },
    ]);
  });
});
