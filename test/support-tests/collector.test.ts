import { execFileSync } from 'node:child_process';
import http2 from 'node:http2';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudWatchLogsOtlpServer, startXrayOtlpServer, testAwsEnv, TEST_AWS_CREDENTIALS, type AwsOtlpServer } from '../support/aws-otlp-servers.js';
import { collectorBinary, collectorBinaryPath, startCollector, validateCollectorConfig, type RunningCollector } from '../support/collector.js';
import { startHoneycombServer, type HoneycombServer } from '../support/honeycomb-server.js';
import type { SigV4Result } from '../support/sigv4-verify.js';
import { sendXraySegment } from '../support/xray-udp.js';

const root = join(import.meta.dirname, '..', '..');
const EVERY_COMPONENT = join(root, 'test', 'fixtures', 'collector', 'every-component.yaml');
const REGION = 'eu-west-2';
const HONEYCOMB_KEY = 'hcaik_01jtestcollectorkey0000000000000000000000000000000000';
// As written in the fixture: obs writes the log group and stream into the config, not variables.
const LOG_GROUP = '/obs/test/collector';
const LOG_STREAM = 'collector-stream';

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'obs-collector-test-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the test collector build', () => {
  it('is where scripts/build-test-collector.mjs puts it, and has exactly the components obs writes', () => {
    const printed = execFileSync(process.execPath, [join(root, 'scripts', 'build-test-collector.mjs'), '--print-path'], { encoding: 'utf8' }).trim();
    expect(collectorBinaryPath()).toBe(printed);
    const components = execFileSync(collectorBinary(), ['components'], { encoding: 'utf8' });
    const names = (section: string) => [...new RegExp(`^${section}:\\n((?:    .*\\n)*)`, 'm').exec(components)![1]!.matchAll(/^ {4}- name: (\S+)$/gm)].map((m) => m[1]);
    expect(names('receivers')).toEqual(['awsxray', 'otlp']);
    expect(names('processors')).toEqual(['batch', 'memory_limiter']);
    expect(names('exporters')).toEqual(['debug', 'otlphttp']);
    expect(names('extensions')).toEqual(['health_check', 'sigv4auth']);
    // One release for every collector module: v0.141.0, whose stable core modules are v1.47.0.
    const versions = new Set([...components.matchAll(/^ {6}module: \S+ (v\S+)$/gm)].map((m) => m[1]));
    expect(versions).toEqual(new Set(['v0.141.0', 'v1.47.0']));
    const goMod = readFileSync(join(root, 'test', 'support', 'otelcol', 'go.mod'), 'utf8');
    const collectorModules = [...goMod.matchAll(/^\t(go\.opentelemetry\.io\/collector\S*|github\.com\/open-telemetry\/opentelemetry-collector-contrib\/\S+) (v\S+)/gm)];
    expect(collectorModules.length).toBeGreaterThan(50);
    expect(collectorModules.filter(([, path, version]) => version !== 'v0.141.0' && !(path!.startsWith('go.opentelemetry.io/collector') && version === 'v1.47.0'))).toEqual([]);
  });

  it('is looked for under OBS_TEST_OTELCOL_CACHE, and a missing build fails with how to build it', () => {
    const before = process.env.OBS_TEST_OTELCOL_CACHE;
    process.env.OBS_TEST_OTELCOL_CACHE = join(scratch, 'empty-cache');
    try {
      expect(collectorBinaryPath().startsWith(join(scratch, 'empty-cache'))).toBe(true);
      expect(() => collectorBinary()).toThrow(/the test OpenTelemetry Collector is not built \(no .*empty-cache.*\): run `node scripts\/build-test-collector\.mjs`/);
    } finally {
      if (before === undefined) delete process.env.OBS_TEST_OTELCOL_CACHE;
      else process.env.OBS_TEST_OTELCOL_CACHE = before;
    }
  });
});

describe('otelcol validate', () => {
  const env = testAwsEnv(REGION);

  it('accepts the config with every component', () => {
    const result = validateCollectorConfig(EVERY_COMPONENT, env);
    expect(result.output).toBe('');
    expect(result).toMatchObject({ ok: true, exitCode: 0 });
  });

  it('rejects a pipeline that names an undefined exporter, saying which', () => {
    const bad = join(scratch, 'undefined-exporter.yaml');
    writeFileSync(bad, readFileSync(EVERY_COMPONENT, 'utf8').replace('exporters: [otlphttp/honeycomb, otlphttp/xray, debug]', 'exporters: [otlphttp/honeycomb, otlphttp/nowhere]'));
    const result = validateCollectorConfig(bad, env);
    expect(result.ok).toBe(false);
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain('service::pipelines::traces: references exporter "otlphttp/nowhere" which is not configured');
  });

  it('rejects sigv4auth without credentials (its validation fetches them, so validate needs the test credentials)', () => {
    const result = validateCollectorConfig(EVERY_COMPONENT, { AWS_REGION: REGION });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/extensions::sigv4auth\/xray: could not retrieve credential provider/);
  });

  it('expands ${env:NAME:-default}: the default when NAME is unset, the value when set, and env inside a default', () => {
    const printed = (extra: Record<string, string>) => {
      const config = join(scratch, 'print.yaml');
      writeFileSync(
        config,
        [
          'receivers: { otlp: { protocols: { http: {} } } }',
          'exporters:',
          '  otlphttp:',
          '    traces_endpoint: ${env:XRAY_OTLP_ENDPOINT:-https://xray.${env:AWS_REGION}.amazonaws.com/v1/traces}',
          'service: { pipelines: { traces: { receivers: [otlp], exporters: [otlphttp] } } }',
          '',
        ].join('\n'),
      );
      return execFileSync(collectorBinary(), ['print-config', `--config=file:${config}`], { encoding: 'utf8', env: { PATH: process.env.PATH, AWS_EC2_METADATA_DISABLED: 'true', ...extra } });
    };
    expect(printed({ AWS_REGION: REGION })).toContain(`traces_endpoint: https://xray.${REGION}.amazonaws.com/v1/traces`);
    expect(printed({ AWS_REGION: REGION, XRAY_OTLP_ENDPOINT: 'http://127.0.0.1:1/v1/traces' })).toContain('traces_endpoint: http://127.0.0.1:1/v1/traces');
  });
});

/** An OTLP/JSON body with one span or one log record. */
const resource = (service: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: service } }] });
const now = () => `${BigInt(Date.now()) * 1_000_000n}`;
const spanBody = (service: string, traceId: string, spanId: string) => ({
  resourceSpans: [
    {
      resource: resource(service),
      scopeSpans: [
        {
          scope: { name: 'obs-test' },
          spans: [{ traceId, spanId, name: 'GET /hello', kind: 2, startTimeUnixNano: now(), endTimeUnixNano: now(), attributes: [{ key: 'http.route', value: { stringValue: '/hello' } }] }],
        },
      ],
    },
  ],
});
const logBody = (service: string, text: string, traceId: string) => ({
  resourceLogs: [
    {
      resource: resource(service),
      scopeLogs: [{ scope: { name: 'obs-test' }, logRecords: [{ timeUnixNano: now(), severityNumber: 9, severityText: 'INFO', body: { stringValue: text }, traceId, spanId: '00f067aa0ba902b7' }] }],
    },
  ],
});

async function postJson(url: string, body: unknown): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.text();
  return res.status;
}

const sig = (value: unknown) => value as SigV4Result;

/** A protobuf ExportTraceServiceRequest with one span (service.name, trace id, span id, name), every length < 128. */
function protobufSpan(service: string, traceId: string, spanId: string, name: string): Buffer {
  const field = (number: number, bytes: number[]) => [(number << 3) | 2, bytes.length, ...bytes];
  const ascii = (text: string) => [...Buffer.from(text)];
  const attribute = field(1, [...field(1, ascii('service.name')), ...field(2, field(1, ascii(service)))]);
  const span = [...field(1, [...Buffer.from(traceId, 'hex')]), ...field(2, [...Buffer.from(spanId, 'hex')]), ...field(5, ascii(name))];
  return Buffer.from(field(1, [...field(1, attribute), ...field(2, field(2, span))]));
}

/** One unary gRPC call, TraceService/Export, over HTTP/2 without TLS: what SDKs send to port 4317. */
async function exportOverGrpc(port: number, message: Buffer): Promise<string> {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  try {
    const frame = Buffer.alloc(5 + message.length);
    frame.writeUInt8(0, 0); // not compressed
    frame.writeUInt32BE(message.length, 1);
    message.copy(frame, 5);
    const stream = session.request({ ':method': 'POST', ':path': '/opentelemetry.proto.collector.trace.v1.TraceService/Export', 'content-type': 'application/grpc', te: 'trailers' });
    let status = '';
    stream.on('trailers', (trailers) => (status = String(trailers['grpc-status'])));
    stream.on('response', (headers) => (status ||= String(headers['grpc-status'] ?? '')));
    stream.end(frame);
    stream.resume();
    await new Promise<void>((resolve, reject) => stream.on('close', resolve).on('error', reject));
    return status;
  } finally {
    session.close();
  }
}

describe('a collector with every component, exporting to the stand-ins', () => {
  let honeycomb: HoneycombServer;
  let xray: AwsOtlpServer;
  let logs: AwsOtlpServer;
  let collector: RunningCollector;

  beforeAll(async () => {
    honeycomb = await startHoneycombServer({ keys: { [HONEYCOMB_KEY]: { team: 'Obs Test', environment: 'test' } } });
    xray = await startXrayOtlpServer({ region: REGION });
    logs = await startCloudWatchLogsOtlpServer({ region: REGION });
    collector = await startCollector({
      config: EVERY_COMPONENT,
      env: {
        ...testAwsEnv(REGION),
        HONEYCOMB_API_KEY: HONEYCOMB_KEY,
        HONEYCOMB_OTLP_ENDPOINT: honeycomb.url,
        XRAY_OTLP_ENDPOINT: `${xray.url}/v1/traces`,
        CLOUDWATCH_LOGS_OTLP_ENDPOINT: `${logs.url}/v1/logs`,
      },
    });
  });
  afterAll(async () => {
    await collector?.stop();
    await Promise.all([honeycomb?.close(), xray?.close(), logs?.close()]);
  });

  it('starts on free ports and reports healthy', async () => {
    expect(collector.ports.otlp.otlp).toEqual({ grpc: expect.any(Number), http: expect.any(Number) });
    expect(collector.ports.awsxray.awsxray).toEqual({ udp: expect.any(Number), proxy: expect.any(Number) });
    const health = await fetch(`http://127.0.0.1:${collector.ports.healthCheck.health_check}/`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'Server available' });
    expect(collector.output()).toContain('Everything is ready');
  });

  it('delivers an OTLP/HTTP span to Honeycomb with the key header and to X-Ray with a valid xray SigV4 signature', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    expect(await postJson(`${collector.otlpHttpUrl}/v1/traces`, spanBody('api', traceId, '00f067aa0ba902b7'))).toBe(200);

    const atHoneycomb = await honeycomb.waitForSpan((s) => s.traceId === traceId, 20_000);
    expect(atHoneycomb).toMatchObject({ serviceName: 'api', name: 'GET /hello', key: HONEYCOMB_KEY, dataset: 'obs-test', attributes: { 'http.route': '/hello' } });
    const request = honeycomb.requests.find((r) => r.path === '/v1/traces' && r.status === 200)!;
    expect(request.headers['content-type']).toBe('application/x-protobuf');

    const atXray = await xray.waitForSpan((s) => s.traceId === traceId, 20_000);
    expect(atXray).toMatchObject({ serviceName: 'api', name: 'GET /hello', spanId: '00f067aa0ba902b7' });
    expect(sig(atXray.auth)).toMatchObject({ valid: true, service: 'xray', region: REGION, accessKeyId: TEST_AWS_CREDENTIALS.accessKeyId });
    expect(sig(atXray.auth).signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'content-type']));
    // The collector compresses before it signs: the signature covers the gzip bytes on the wire.
    expect(atXray.headers['content-encoding']).toBe('gzip');
  });

  it('delivers an OTLP/HTTP log record to CloudWatch Logs with the group and stream headers and a valid logs signature', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    expect(await postJson(`${collector.otlpHttpUrl}/v1/logs`, logBody('worker', 'order 42 shipped', traceId))).toBe(200);

    const record = await logs.waitForLogRecord((r) => r.body === 'order 42 shipped', 20_000);
    expect(record).toMatchObject({ serviceName: 'worker', severityText: 'INFO', severityNumber: 9, traceId, spanId: '00f067aa0ba902b7' });
    expect(record.headers['x-aws-log-group']).toBe(LOG_GROUP);
    expect(record.headers['x-aws-log-stream']).toBe(LOG_STREAM);
    expect(sig(record.auth)).toMatchObject({ valid: true, service: 'logs', region: REGION, accessKeyId: TEST_AWS_CREDENTIALS.accessKeyId });

    expect(await honeycomb.waitForLogRecord((r) => r.body === 'order 42 shipped', 20_000)).toMatchObject({ serviceName: 'worker', key: HONEYCOMB_KEY });
  });

  it('turns an X-Ray SDK segment sent over UDP to the awsxray receiver into a span at Honeycomb and X-Ray', async () => {
    const seconds = Date.now() / 1000;
    await sendXraySegment(collector.ports.awsxray.awsxray!.udp, {
      name: 'legacy-flask',
      id: '70de5b6f19ff9a0a',
      trace_id: '1-5f84c7a1-e4a4b3f2c1d0e9f8a7b6c5d4',
      start_time: seconds - 0.05,
      end_time: seconds,
      http: { request: { method: 'GET', url: 'http://legacy/api/items' }, response: { status: 200 } },
    });
    const traceId = '5f84c7a1e4a4b3f2c1d0e9f8a7b6c5d4';
    expect(await honeycomb.waitForSpan((s) => s.traceId === traceId, 20_000)).toMatchObject({ serviceName: 'legacy-flask', spanId: '70de5b6f19ff9a0a', key: HONEYCOMB_KEY });
    const atXray = await xray.waitForSpan((s) => s.traceId === traceId, 20_000);
    expect(atXray).toMatchObject({ serviceName: 'legacy-flask', spanId: '70de5b6f19ff9a0a' });
    expect(sig(atXray.auth)).toMatchObject({ valid: true, service: 'xray' });
  });

  it('takes a span over OTLP/gRPC too', async () => {
    const traceId = 'c0ffee00c0ffee00c0ffee00c0ffee00';
    expect(await exportOverGrpc(collector.ports.otlp.otlp!.grpc!, protobufSpan('grpc-app', traceId, '0123456789abcdef', 'grpc span'))).toBe('0');
    expect(await honeycomb.waitForSpan((s) => s.traceId === traceId, 20_000)).toMatchObject({ serviceName: 'grpc-app', name: 'grpc span' });
    expect(sig((await xray.waitForSpan((s) => s.traceId === traceId, 20_000)).auth).valid).toBe(true);
  });

  it('every request the AWS stand-ins saw was signed validly', () => {
    expect(xray.signatures().length).toBeGreaterThan(0);
    expect(logs.signatures().length).toBeGreaterThan(0);
    expect([...xray.signatures(), ...logs.signatures()].filter((s) => !s.valid)).toEqual([]);
  });
});

describe('a collector signing with the wrong secret', () => {
  it('is refused by the X-Ray stand-in (403, signature mismatch) while Honeycomb still gets the span', async () => {
    const honeycomb = await startHoneycombServer({ keys: { [HONEYCOMB_KEY]: { team: 'Obs Test' } } });
    const xray = await startXrayOtlpServer({ region: REGION });
    const logs = await startCloudWatchLogsOtlpServer({ region: REGION });
    try {
      const collector = await startCollector({
        config: EVERY_COMPONENT,
        env: {
          ...testAwsEnv(REGION, { ...TEST_AWS_CREDENTIALS, secretAccessKey: 'not-the-test-secret' }),
          HONEYCOMB_API_KEY: HONEYCOMB_KEY,
          HONEYCOMB_OTLP_ENDPOINT: honeycomb.url,
          XRAY_OTLP_ENDPOINT: `${xray.url}/v1/traces`,
          CLOUDWATCH_LOGS_OTLP_ENDPOINT: `${logs.url}/v1/logs`,
        },
      });
      const traceId = '11111111111111111111111111111111';
      expect(await postJson(`${collector.otlpHttpUrl}/v1/traces`, spanBody('api', traceId, '2222222222222222'))).toBe(200);
      await honeycomb.waitForSpan((s) => s.traceId === traceId, 20_000);
      await collector.waitForOutput(/Exporting failed[\s\S]*403/, 20_000);
      expect(xray.requests.length).toBeGreaterThan(0);
      expect(xray.requests.every((r) => r.status === 403)).toBe(true);
      expect(sig(xray.requests[0]!.auth)).toMatchObject({ valid: false, reason: 'signature does not match the one recomputed from the request' });
      expect(xray.spans()).toEqual([]);
      await collector.stop();
    } finally {
      await Promise.all([honeycomb.close(), xray.close(), logs.close()]);
    }
  });
});
