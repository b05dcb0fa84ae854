import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderCollectorConfig } from '../../src/collector/config.js';
import { corsOrigins } from '../../src/collector/cors.js';
import { startCloudWatchLogsOtlpServer, startXrayOtlpServer, testAwsEnv, TEST_AWS_CREDENTIALS, type AwsOtlpServer } from '../support/aws-otlp-servers.js';
import { startCollector, writeCollectorConfig, type RunningCollector } from '../support/collector.js';
import { startHoneycombServer, type HoneycombServer } from '../support/honeycomb-server.js';
import { scratchDir } from '../support/run-obs.js';
import type { SigV4Result } from '../support/sigv4-verify.js';
import { startXrayServer, type XrayServer } from '../support/xray-server.js';

/**
 * The config obs renders, run as written by the real collector, its endpoints redirected only
 * through the variables obs documents (HONEYCOMB_OTLP_ENDPOINT, XRAY_OTLP_ENDPOINT,
 * CLOUDWATCH_LOGS_OTLP_ENDPOINT, AWS_ENDPOINT_URL_XRAY) to stand-ins that check keys, headers
 * and SigV4 signatures. The region comes from AWS_REGION, as in compose.
 */
const REGION = 'eu-central-1';
const HONEYCOMB_KEY = 'hcaik_01jtestpipelinekey000000000000000000000000000000000000';
const LOG_GROUP = '/cruddur/backend-flask';
const LOG_STREAM = 'collector';

const resource = (service: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: service } }] });
const now = () => `${BigInt(Date.now()) * 1_000_000n}`;
const spanBody = (service: string, traceId: string) => ({
  resourceSpans: [
    {
      resource: resource(service),
      scopeSpans: [{ scope: { name: 'obs-test' }, spans: [{ traceId, spanId: '00f067aa0ba902b7', name: 'GET /api', kind: 2, startTimeUnixNano: now(), endTimeUnixNano: now() }] }],
    },
  ],
});
const logBody = (service: string, text: string) => ({
  resourceLogs: [
    { resource: resource(service), scopeLogs: [{ scope: { name: 'obs-test' }, logRecords: [{ timeUnixNano: now(), severityNumber: 9, severityText: 'INFO', body: { stringValue: text } }] }] },
  ],
});
const post = async (url: string, body: unknown, origin?: string) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(origin && { origin }) }, body: JSON.stringify(body) });
  await res.text();
  return res;
};

describe('the collector config obs renders, run by the real collector', () => {
  let honeycomb: HoneycombServer;
  let xray: AwsOtlpServer;
  let logs: AwsOtlpServer;
  let xrayApi: XrayServer;
  let collector: RunningCollector;

  beforeAll(async () => {
    [honeycomb, xray, logs, xrayApi] = await Promise.all([
      startHoneycombServer({ keys: { [HONEYCOMB_KEY]: { team: 'Obs Test', environment: 'test' } } }),
      startXrayOtlpServer({ region: REGION }),
      startCloudWatchLogsOtlpServer({ region: REGION }),
      startXrayServer(),
    ]);
    const { origins } = corsOrigins([{ service: 'frontend-react-js', ports: [{ published: '3000', target: '3000' }] }], { gitpod: true, codespaces: false });
    const yaml = renderCollectorConfig({
      honeycomb: { region: 'us' },
      xray: {},
      cloudwatchLogs: { logGroup: LOG_GROUP, logStream: LOG_STREAM },
      xraySdkReceiver: true,
      browserOrigins: origins,
      debug: false,
    });
    collector = await startCollector({
      config: writeCollectorConfig(await scratchDir('obs-pipeline-'), yaml),
      env: {
        ...testAwsEnv(REGION),
        HONEYCOMB_API_KEY: HONEYCOMB_KEY,
        HONEYCOMB_OTLP_ENDPOINT: honeycomb.url,
        XRAY_OTLP_ENDPOINT: `${xray.url}/v1/traces`,
        CLOUDWATCH_LOGS_OTLP_ENDPOINT: `${logs.url}/v1/logs`,
        AWS_ENDPOINT_URL_XRAY: xrayApi.url,
      },
    });
  });
  afterAll(async () => {
    await collector?.stop();
    await Promise.all([honeycomb?.close(), xray?.close(), logs?.close(), xrayApi?.close()]);
  });

  it('sends a span to Honeycomb with the key and to X-Ray signed for xray in AWS_REGION', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    expect((await post(`${collector.otlpHttpUrl}/v1/traces`, spanBody('backend-flask', traceId))).status).toBe(200);
    expect(await honeycomb.waitForSpan((s) => s.traceId === traceId, 20_000)).toMatchObject({ serviceName: 'backend-flask', key: HONEYCOMB_KEY });
    const atXray = await xray.waitForSpan((s) => s.traceId === traceId, 20_000);
    expect(atXray.auth as SigV4Result).toMatchObject({ valid: true, service: 'xray', region: REGION, accessKeyId: TEST_AWS_CREDENTIALS.accessKeyId });
  });

  it('sends a log record to CloudWatch Logs with the group and stream headers, signed for logs, and to Honeycomb', async () => {
    expect((await post(`${collector.otlpHttpUrl}/v1/logs`, logBody('backend-flask', 'order 7 shipped'))).status).toBe(200);
    const record = await logs.waitForLogRecord((r) => r.body === 'order 7 shipped', 20_000);
    expect([record.headers['x-aws-log-group'], record.headers['x-aws-log-stream']]).toEqual([LOG_GROUP, LOG_STREAM]);
    expect(record.auth as SigV4Result).toMatchObject({ valid: true, service: 'logs', region: REGION });
    expect(await honeycomb.waitForLogRecord((r) => r.body === 'order 7 shipped', 20_000)).toMatchObject({ serviceName: 'backend-flask' });
  });

  it("answers a browser's preflight from the frontend's origins (localhost, Gitpod), and not from others", async () => {
    const preflight = (origin: string) =>
      fetch(`${collector.otlpHttpUrl}/v1/traces`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    for (const origin of ['http://localhost:3000', 'http://127.0.0.1:3000', 'https://3000-cruddur-abc123.ws-us110.gitpod.io']) {
      const res = await preflight(origin);
      expect(res.headers.get('access-control-allow-origin'), origin).toBe(origin);
    }
    for (const origin of ['http://localhost:5173', 'https://3001-cruddur-abc123.ws-us110.gitpod.io', 'https://evil.example']) {
      expect((await preflight(origin)).headers.get('access-control-allow-origin'), origin).toBeNull();
    }
    // A real cross-origin POST is answered with the header the browser needs to read the result.
    expect(
      (await post(`${collector.otlpHttpUrl}/v1/traces`, spanBody('frontend-react-js', 'aaaabbbbccccddddeeeeffff00001111'), 'http://localhost:3000')).headers.get('access-control-allow-origin'),
    ).toBe('http://localhost:3000');
  });

  it("proxies an X-Ray SDK's sampling request to the X-Ray API named by AWS_ENDPOINT_URL_XRAY, signed for xray", async () => {
    const proxy = collector.ports.awsxray.awsxray!.proxy;
    const res = await fetch(`http://127.0.0.1:${proxy}/GetSamplingRules`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { SamplingRuleRecords: { SamplingRule: { RuleName: string } }[] }).SamplingRuleRecords.map((r) => r.SamplingRule.RuleName)).toEqual(['Default']);
    const seen = xrayApi.control.requests.find((r) => r.operation === 'GetSamplingRules')!;
    expect(seen.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${TEST_AWS_CREDENTIALS.accessKeyId}/\\d{8}/${REGION}/xray/aws4_request`));
  });
});
