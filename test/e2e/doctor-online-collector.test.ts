import { CloudWatchLogsClient, PutResourcePolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { transactionSearchPolicy } from '../../src/aws/logs-resource-policy.js';
import { collectorVariables, renderCollectorConfig, type CollectorChoices } from '../../src/collector/config.js';
import { COLLECTOR_CONFIG_PATH, COLLECTOR_IMAGE } from '../../src/collector/image.js';
import { startCollector } from '../support/collector.js';
import { startHoneycombServer, type HoneycombServer } from '../support/honeycomb-server.js';
import { freePort } from '../support/moto.js';
import { runObs, tempProject, type ObsRun } from '../support/run-obs.js';
import { startXrayServer, type XrayServer } from '../support/xray-server.js';

/**
 * `obs doctor --online` on collector setups, as the built binary: Transaction Search checked
 * against the X-Ray control-plane server (destination, indexing rules; PENDING for 120 s of its
 * clock after a switch) and moto_server (the Logs resource policy, STS for the account id).
 * Each test has its own region, used by no other test file: moto keeps policies per region and
 * serves every test file (transaction-search.test.ts fills sa-east-1 with policies).
 */
const motoUrl = inject('motoUrl');
let xray: XrayServer;
let clock = 2_000_000;
let home: string;

beforeAll(async () => {
  xray = await startXrayServer({ now: () => clock, destinationPendingSeconds: 120 });
  home = await tempProject();
});
afterAll(async () => {
  await xray?.close();
});

function env(region: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: region,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_XRAY: xray.url,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: motoUrl,
    AWS_ENDPOINT_URL_STS: motoUrl,
    HOME: home,
    CI: 'true',
    ...extra,
  };
}

const none = { xraySdkReceiver: false, browserOrigins: [], debug: false };

/** A compose project wired the way the collector pipeline wires one (as in doctor-collector.test.ts). */
async function collectorProject(choices: CollectorChoices, options: { obsYaml?: string; publish?: string; appHeaders?: string } = {}): Promise<string> {
  const dir = await tempProject();
  await writeCompose(dir, choices, options);
  await writeFile(join(dir, 'otel-collector-config.yaml'), renderCollectorConfig(choices));
  if (options.obsYaml) await writeFile(join(dir, 'obs.yaml'), options.obsYaml);
  return dir;
}

async function writeCompose(dir: string, choices: CollectorChoices, options: { publish?: string; appHeaders?: string }): Promise<void> {
  const aws = Boolean(choices.xray || choices.cloudwatchLogs || choices.xraySdkReceiver);
  const variables = [...collectorVariables(choices).required, ...(aws ? ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] : [])];
  const compose = [
    'services:',
    '  api:',
    '    build: ./api',
    '    environment:',
    '      OTEL_SERVICE_NAME: "api"',
    '      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel-collector:4318"',
    ...(options.appHeaders ? [`      OTEL_EXPORTER_OTLP_HEADERS: "${options.appHeaders}"`] : []),
    '  otel-collector:',
    `    image: ${COLLECTOR_IMAGE}`,
    '    volumes:',
    `      - ./otel-collector-config.yaml:${COLLECTOR_CONFIG_PATH}:ro`,
    ...(options.publish ? ['    ports:', `      - "${options.publish}"`] : []),
    '    environment:',
    ...variables.map((v) => `      ${v}: "\${${v}}"`),
  ];
  await writeFile(join(dir, 'docker-compose.yml'), `${compose.join('\n')}\n`);
}

const obsYaml = (transactionSearch?: string) => `version: 1
compose:
  files: [docker-compose.yml]
services: {}
xray:
  enabled: true
${transactionSearch === undefined ? '' : `  transactionSearch: ${transactionSearch}\n`}`;

interface CheckJson {
  id: string;
  status: string;
  detail: string;
  fix?: string;
  findings?: { message: string; fix?: string }[];
}

async function doctor(dir: string, args: string[], runEnv: Record<string, string>): Promise<{ run: ObsRun; checks: Map<string, CheckJson> }> {
  const run = await runObs(['doctor', '--dir', dir, '--json', ...args], { env: runEnv });
  let doc: { checks: CheckJson[] };
  try {
    doc = JSON.parse(run.stdout) as { checks: CheckJson[] };
  } catch {
    throw new Error(`doctor did not print JSON (exit ${run.exitCode}):\n${run.stdout}\n${run.stderr}`);
  }
  return { run, checks: new Map(doc.checks.map((c) => [c.id, c])) };
}

const IAM = 'xray:GetTraceSegmentDestination, xray:UpdateTraceSegmentDestination, xray:GetIndexingRules, xray:UpdateIndexingRule, logs:DescribeResourcePolicies, logs:PutResourcePolicy';
const TS = ['--online', '--check', 'xray-transaction-search'];

describe('xray-transaction-search', () => {
  it('fails before obs apply naming each missing part, warns while PENDING, passes once ACTIVE', async () => {
    const region = 'me-south-1';
    const dir = await collectorProject({ ...none, honeycomb: { region: 'us' }, xray: {} }, { obsYaml: obsYaml('true') });

    const before = await doctor(dir, TS, env(region));
    const off = before.checks.get('xray-transaction-search')!;
    expect(off.status, off.detail).toBe('fail');
    expect(off.detail).toBe(
      `Transaction Search is off in ${region} (region from AWS_REGION of otel-collector), and otel-collector sends spans to X-Ray's OTLP endpoint (otlphttp/xray), which accepts them only with it on`,
    );
    expect(off.findings!.map((f) => f.message)).toEqual([
      'the trace segment destination is XRay, not CloudWatchLogs (GetTraceSegmentDestination)',
      'no CloudWatch Logs resource policy lets xray.amazonaws.com write aws/spans (DescribeResourcePolicies)',
    ]);
    expect(off.fix).toBe(`obs apply (obs.yaml has xray.transactionSearch); it needs the IAM actions ${IAM}`);
    expect(before.run.exitCode).toBe(1);

    const apply = await runObs(['apply', '--dir', dir], { env: env(region) });
    expect(apply.exitCode, apply.stderr).toBe(0);

    const pending = (await doctor(dir, TS, env(region))).checks.get('xray-transaction-search')!;
    expect([pending.status, pending.detail]).toEqual([
      'warn',
      `Transaction Search in ${region} is switching (status PENDING): X-Ray's OTLP endpoint takes otel-collector's spans once it is ACTIVE, usually within minutes`,
    ]);
    expect(pending.fix).toBe('run obs doctor --online again in a few minutes');

    clock += 120;
    const after = await doctor(dir, TS, env(region));
    const on = after.checks.get('xray-transaction-search')!;
    expect([on.status, on.detail]).toEqual([
      'pass',
      `on in ${region} (region from AWS_REGION of otel-collector) for otel-collector's otlphttp/xray: trace segment destination CloudWatchLogs (ACTIVE), resource policy obs-transaction-search lets X-Ray write aws/spans, indexing rule Default at 1 %`,
    ]);
    expect(after.run.exitCode).toBe(0);
  });

  it('looks in the region the collector signs for, and says how to turn it on when obs.yaml does not', async () => {
    const region = 'eu-north-1';
    // The shell's region is another one: the collector's config names its own.
    const dir = await collectorProject({ ...none, xray: { region } }, { obsYaml: obsYaml() });
    const before = (await doctor(dir, TS, env('us-east-1'))).checks.get('xray-transaction-search')!;
    expect(before.status).toBe('fail');
    expect(before.detail).toContain(`Transaction Search is off in ${region} (region from sigv4auth/xray of otel-collector)`);
    expect(before.fix).toBe(`add "transactionSearch: true" under xray: in obs.yaml, then run obs apply; it needs the IAM actions ${IAM}`);

    // Turned on by hand (the console's way): destination switched long ago, the console's own policy.
    const state = xray.state.region(region);
    state.destination = { Destination: 'CloudWatchLogs', activeAt: 0 };
    const logs = new CloudWatchLogsClient({ endpoint: motoUrl, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await logs.send(
      new PutResourcePolicyCommand({ policyName: 'TransactionSearchXRayAccess', policyDocument: JSON.stringify(transactionSearchPolicy({ account: '123456789012', partition: 'aws' }, region)) }),
    );
    const on = (await doctor(dir, TS, env('us-east-1'))).checks.get('xray-transaction-search')!;
    expect([on.status, on.detail]).toEqual([
      'pass',
      `on in ${region} (region from sigv4auth/xray of otel-collector) for otel-collector's otlphttp/xray: trace segment destination CloudWatchLogs (ACTIVE), resource policy TransactionSearchXRayAccess lets X-Ray write aws/spans, indexing rule Default at 1 %`,
    ]);
    // Nothing was asked of the shell's region.
    expect(xray.state.regions.has('us-east-1')).toBe(false);

    // An indexing rule at 0 %: spans are stored, but none is indexed.
    state.indexingRules.get('Default')!.Rule.Probabilistic.DesiredSamplingPercentage = 0;
    const zero = (await doctor(dir, TS, env('us-east-1'))).checks.get('xray-transaction-search')!;
    expect(zero.status).toBe('warn');
    expect(zero.detail).toBe(
      `indexing rule Default in ${region} indexes 0 % of spans: they are stored in aws/spans, but none becomes a trace summary, so X-Ray's trace map and trace search show nothing`,
    );
    expect(zero.fix).toBe('set xray.transactionSearch.indexingPercentage in obs.yaml (1 % is free), then run obs apply');
  });

  it("fails when the indexing percentage differs from obs.yaml's", async () => {
    const region = 'ap-northeast-3';
    const dir = await collectorProject({ ...none, xray: {} }, { obsYaml: obsYaml('{ indexingPercentage: 5 }') });
    expect((await runObs(['apply', '--dir', dir], { env: env(region) })).exitCode).toBe(0);
    clock += 120;
    xray.state.region(region).indexingRules.get('Default')!.Rule.Probabilistic.DesiredSamplingPercentage = 20;
    const check = (await doctor(dir, TS, env(region))).checks.get('xray-transaction-search')!;
    expect(check.status).toBe('fail');
    expect(check.findings!.map((f) => f.message)).toEqual(['indexing rule Default indexes 20 % of spans; obs.yaml asks for 5 % (GetIndexingRules)']);
  });

  it('says which look-up failed and why, and names the read actions', async () => {
    const dir = await collectorProject({ ...none, xray: { region: 'eu-south-1' } }, { obsYaml: obsYaml('true') });
    const dead = `http://127.0.0.1:${await freePort()}`;
    const xrayDown = (await doctor(dir, TS, env('us-east-1', { AWS_ENDPOINT_URL_XRAY: dead, AWS_MAX_ATTEMPTS: '1' }))).checks.get('xray-transaction-search')!;
    expect(xrayDown.status).toBe('fail');
    const cannot = `cannot reach ${dead} (from AWS_ENDPOINT_URL_XRAY) (ECONNREFUSED); check --endpoint-url, AWS_ENDPOINT_URL_XRAY, AWS_ENDPOINT_URL and the network`;
    expect(xrayDown.findings!.map((f) => f.message)).toEqual([
      `could not look up the trace segment destination: ${cannot}`,
      // moto answers for CloudWatch Logs: the policy is missing, which is said too.
      'no CloudWatch Logs resource policy lets xray.amazonaws.com write aws/spans (DescribeResourcePolicies)',
      `could not look up the indexing rules: ${cannot}`,
    ]);
    // Every look-up failing the same way is said once.
    const allDown = (
      await doctor(
        dir,
        TS,
        env('us-east-1', {
          AWS_ENDPOINT_URL: dead,
          AWS_ENDPOINT_URL_XRAY: '',
          AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: '',
          AWS_ENDPOINT_URL_STS: '',
          AWS_ACCESS_KEY_ID: '',
          AWS_SECRET_ACCESS_KEY: '',
          AWS_MAX_ATTEMPTS: '1',
        }),
      )
    ).checks.get('xray-transaction-search')!;
    expect([allDown.status, allDown.detail]).toEqual([
      'fail',
      'could not check Transaction Search in eu-south-1 (region from sigv4auth/xray of otel-collector): no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or choose a profile with --profile or AWS_PROFILE (aws configure creates one)',
    ]);
    expect(allDown.fix).toBe('obs doctor --online reads it with xray:GetTraceSegmentDestination, xray:GetIndexingRules and logs:DescribeResourcePolicies');
  });

  it('is skipped when no collector sends to X-Ray, and without --online', async () => {
    const honeycombOnly = await collectorProject({ ...none, honeycomb: { region: 'us' } });
    const skipped = (await doctor(honeycombOnly, TS, env('us-west-1'))).checks.get('xray-transaction-search')!;
    expect([skipped.status, skipped.detail]).toEqual(['skip', "no collector sends spans to X-Ray's OTLP endpoint (an otlphttp exporter signed for xray)"]);
    const plain = await tempProject();
    await writeFile(join(plain, 'docker-compose.yml'), 'services:\n  web:\n    image: nginx\n');
    expect((await doctor(plain, TS, env('us-west-1'))).checks.get('xray-transaction-search')!.status).toBe('skip');
    const offline = await doctor(honeycombOnly, ['--check', 'xray-transaction-search'], env('us-west-1'));
    expect(offline.checks.get('xray-transaction-search')).toMatchObject({ status: 'skip', detail: 'needs --online' });
    expect(xray.state.regions.has('us-west-1')).toBe(false);
  });
});

describe('send-test-span with a collector in the project', () => {
  const KEY = `hcaik_01${'c'.repeat(56)}`;
  const choices: CollectorChoices = { ...none, honeycomb: { region: 'us' } };
  const SEND = ['--send-test-span', '--check', 'send-test-span'];
  let honeycomb: HoneycombServer;
  beforeAll(async () => {
    honeycomb = await startHoneycombServer({ keys: { [KEY]: { team: 'Collector Team', environment: 'dev' } } });
  });
  afterAll(async () => {
    await honeycomb?.close();
  });

  it("sends to the collector's published OTLP/HTTP port; the real collector forwards the span to the Honeycomb stand-in with the key", async () => {
    const dir = await collectorProject(choices);
    const collector = await startCollector({ config: join(dir, 'otel-collector-config.yaml'), env: { HONEYCOMB_API_KEY: KEY, HONEYCOMB_OTLP_ENDPOINT: honeycomb.url } });
    try {
      // Docker would publish the container's 4318 on this port; the collector listens there itself.
      const port = collector.ports.otlp.otlp!.http!;
      await writeCompose(dir, choices, { publish: `${port}:4318` });
      honeycomb.reset();
      const { run, checks } = await doctor(dir, SEND, env('us-east-1'));
      const check = checks.get('send-test-span')!;
      expect(check.status, check.detail).toBe('pass');
      expect(run.exitCode).toBe(0);
      const traceId = /trace id ([0-9a-f]{32})/.exec(check.detail)?.[1];
      expect(check.detail).toBe(
        `http://127.0.0.1:${port}/v1/traces (otel-collector's OTLP/HTTP port 4318, published on ${port}; api sends to http://otel-collector:4318/v1/traces) accepted a span from service.name "api" (trace id ${traceId}); otel-collector forwards traces to otlphttp/honeycomb (a failed export shows in docker compose logs otel-collector)`,
      );
      const span = await honeycomb.waitForSpan((s) => s.traceId === traceId, 20_000);
      expect(span).toMatchObject({ serviceName: 'api', name: 'obs doctor test span', key: KEY });
      // doctor itself never talked to Honeycomb (it sends JSON): only the collector did (protobuf), with the key doctor never had.
      expect(honeycomb.requests.map((r) => r.headers['content-type'])).toEqual(['application/x-protobuf']);
    } finally {
      await collector.stop();
    }
  });

  it('fails with how to start the collector when nothing listens on the published port', async () => {
    const port = await freePort();
    const dir = await collectorProject(choices, { publish: `127.0.0.1:${port}:4318` });
    const check = (await doctor(dir, SEND, env('us-east-1'))).checks.get('send-test-span')!;
    expect(check.status).toBe('fail');
    expect(check.detail).toContain(`the span was not sent to otel-collector (its OTLP/HTTP port 4318, published on ${port}): cannot reach http://127.0.0.1:${port}/v1/traces (ECONNREFUSED)`);
    expect(check.fix).toBe('start the collector (docker compose up -d otel-collector), then run obs doctor --send-test-span again');
  });

  it('is skipped, saying how to publish the port, when the collector does not publish it', async () => {
    const dir = await collectorProject(choices);
    const check = (await doctor(dir, SEND, env('us-east-1'))).checks.get('send-test-span')!;
    expect(check).toMatchObject({
      status: 'skip',
      detail: 'api sends to otel-collector (http://otel-collector:4318/v1/traces), which does not publish its OTLP/HTTP port 4318 on this machine, so obs cannot send through it from here',
      fix: 'publish it on this machine only: ports: ["127.0.0.1:4318:4318"] on otel-collector, then docker compose up -d otel-collector and run obs doctor --send-test-span again',
    });
  });

  it("asks consent before sending an app's headers to the collector's port, as for any endpoint that is not Honeycomb", async () => {
    const collectorPort = await freePort();
    const dir = await collectorProject(choices, { publish: `${collectorPort}:4318`, appHeaders: 'x-honeycomb-team=${HONEYCOMB_API_KEY}' });
    const check = (await doctor(dir, SEND, env('us-east-1', { HONEYCOMB_API_KEY: KEY }))).checks.get('send-test-span')!;
    expect(check.status).toBe('fail');
    expect(check.detail).toBe(
      `not sent: OTEL_EXPORTER_OTLP_ENDPOINT of api sends to otel-collector, reached at http://127.0.0.1:${collectorPort}/v1/traces, not a Honeycomb host; obs sends the x-honeycomb-team header (the key) only to Honeycomb over https or to a URL you pass with --honeycomb-api-url`,
    );
    expect(check.fix).toContain(`--allow-endpoint 127.0.0.1:${collectorPort}`);
    expect(check.detail).not.toContain(KEY);
    // With consent it is sent (here to a port nothing listens on).
    const allowed = (await doctor(dir, [...SEND, '--allow-endpoint', `127.0.0.1:${collectorPort}`], env('us-east-1', { HONEYCOMB_API_KEY: KEY }))).checks.get('send-test-span')!;
    expect(allowed.detail).toContain(
      `the span was not sent to otel-collector (its OTLP/HTTP port 4318, published on ${collectorPort}): cannot reach http://127.0.0.1:${collectorPort}/v1/traces (ECONNREFUSED)`,
    );
  });
});

describe('honeycomb-key-valid with a collector in the project', () => {
  const KEY = `hcaik_01${'d'.repeat(56)}`;
  const EU_KEY = `hcaik_01${'e'.repeat(56)}`;
  let us: HoneycombServer;
  let eu: HoneycombServer;
  beforeAll(async () => {
    us = await startHoneycombServer({ name: 'us', keys: { [KEY]: { team: 'Collector Team', environment: 'dev' } } });
    eu = await startHoneycombServer({ name: 'eu', keys: { [EU_KEY]: { team: 'Collector EU', environment: 'prod' } } });
  });
  afterAll(async () => {
    await us?.close();
    await eu?.close();
  });
  const online = () => ['--online', '--check', 'honeycomb-key-valid', '--honeycomb-api-url', `us=${us.url},eu=${eu.url}`];

  it("checks the key the collector sends (its x-honeycomb-team), in the region of the collector's Honeycomb exporter", async () => {
    const dir = await collectorProject({ ...none, honeycomb: { region: 'us' } });
    us.reset();
    const { run, checks } = await doctor(dir, online(), env('us-east-1', { HONEYCOMB_API_KEY: KEY }));
    const check = checks.get('honeycomb-key-valid')!;
    expect([check.status, check.detail]).toEqual([
      'pass',
      'Honeycomb US accepts the key in HONEYCOMB_API_KEY from the environment (otel-collector\'s x-honeycomb-team): team "Collector Team", environment "dev"',
    ]);
    expect(run.exitCode).toBe(0);
    expect(us.requests.map((r) => [r.path, r.headers['x-honeycomb-team']])).toEqual([['/1/auth', KEY]]);
    expect(`${run.stdout}${run.stderr}`).not.toContain(KEY);

    const euDir = await collectorProject({ ...none, honeycomb: { region: 'eu' } });
    eu.reset();
    us.reset();
    const wrong = (await doctor(euDir, online(), env('us-east-1', { HONEYCOMB_API_KEY: KEY }))).checks.get('honeycomb-key-valid')!;
    expect(wrong.status).toBe('fail');
    expect(wrong.detail).toContain('belongs to Honeycomb US');
    expect(wrong.detail).toContain('region from otlphttp/honeycomb of otel-collector');
    expect(eu.requests.map((r) => r.status)).toEqual([401]);
  });

  it('is skipped, naming the collector, when the key does not reach it', async () => {
    const dir = await collectorProject({ ...none, honeycomb: { region: 'us' } });
    const check = (await doctor(dir, online(), env('us-east-1'))).checks.get('honeycomb-key-valid')!;
    expect([check.status, check.detail]).toEqual([
      'skip',
      "no key to check: x-honeycomb-team of otel-collector's otlphttp/honeycomb is empty (HONEYCOMB_API_KEY reaches otel-collector empty: HONEYCOMB_API_KEY is not set in .env or the shell)",
    ]);
  });
});
