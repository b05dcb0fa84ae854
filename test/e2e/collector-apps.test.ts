import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLASK_INPUT_FILES, planFlask } from '../../src/instrument/flask.js';
import { NODE_INPUT_FILES, planNode } from '../../src/instrument/node.js';
import { templateLoader } from '../../src/instrument/template.js';
import { TEST_AWS_CREDENTIALS } from '../support/aws-otlp-servers.js';
import { startApp, type AppProcess } from '../support/app-process.js';
import {
  appEnvironment,
  backendSecretsIn,
  COLLECTOR_USER_AGENT,
  STACK_HONEYCOMB_KEY,
  STACK_LOG_GROUP,
  STACK_LOG_STREAM,
  STACK_REGION,
  startCollectorStack,
  type CollectorStack,
} from '../support/collector-stack.js';
import { freePort } from '../support/moto.js';
import { npmInstall } from '../support/npm-install.js';
import { SpanKind } from '../support/otlp-receiver.js';
import { pythonVenv } from '../support/python-venv.js';
import { REPO_ROOT, tempProject } from '../support/run-obs.js';
import type { SigV4Result } from '../support/sigv4-verify.js';

/**
 * Collector mode end to end (issue 11's proof): apps instrumented by obs's own templates for the
 * 'collector' pipeline, started as processes with only the environment obs gives them there
 * (OTEL_SERVICE_NAME and OTEL_EXPORTER_OTLP_ENDPOINT = the collector; no key, no AWS
 * credentials), send through the real collector running the config obs renders, to stand-ins
 * for Honeycomb, X-Ray's OTLP endpoint and CloudWatch Logs' OTLP endpoint. One collector for
 * the file; the three apps run side by side.
 *
 * - Node: the Express fixture with tracing.cjs and the packages from planNode (npm, cached).
 * - Flask: the example backend with observability.py from planFlask, in a venv holding exactly
 *   its requirements.txt after obs (PyPI, cached): traces, and the root logger's records as logs.
 * - A hand-wired X-Ray SDK Flask app (as the Cruddur bootcamp wires it) through the awsxray receiver.
 */
const BACKENDS = { honeycomb: true, xray: true, cloudwatch: true, rollbar: false };

let stack: CollectorStack;
const dirs: string[] = [];
const apps: AppProcess[] = [];

async function readInto(files: Map<string, string>, dir: string, names: readonly string[]) {
  for (const name of names) if (existsSync(join(dir, name))) files.set(name, await readFile(join(dir, name), 'utf8'));
}

async function apply(root: string, changes: { path: string; after: string }[]) {
  for (const change of changes) {
    await mkdir(dirname(join(root, change.path)), { recursive: true });
    await writeFile(join(root, change.path), change.after);
  }
}

beforeAll(async () => {
  // The X-Ray SDK app sends segments: the awsxray receiver is on, as obs writes it for such an app.
  stack = await startCollectorStack({ xraySdkReceiver: true, browserOrigins: [] });
}, 60_000);

afterAll(async () => {
  await Promise.all(apps.map((a) => a.stop()));
  await stack?.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('a Node app instrumented by obs for the collector', () => {
  let app: AppProcess;
  let port: number;
  let env: Record<string, string>;

  beforeAll(async () => {
    const dir = await tempProject(join(REPO_ROOT, 'test', 'fixtures', 'instrument', 'express-app'));
    dirs.push(dir);
    const files = new Map<string, string>();
    await readInto(files, dir, NODE_INPUT_FILES);
    const plan = planNode({ serviceDir: '.', serviceName: 'api', backends: BACKENDS, files, template: templateLoader('node'), pipeline: 'collector' });
    await apply(dir, plan.changes);
    const install = await npmInstall(dir);
    console.log(`collector-apps (node): npm install ${install.cached ? 'reused from cache' : `took ${install.seconds.toFixed(1)} s`}`);
    port = await freePort();
    env = appEnvironment(stack, 'api', { ...Object.fromEntries(plan.environment.map((e) => [e.key, e.value])), PORT: String(port) });
    expect(env.NODE_OPTIONS).toBe('--require ./tracing.cjs');
    app = await startApp(process.execPath, ['server.js'], { cwd: dir, env, port });
    apps.push(app);
  }, 300_000);

  it('sends its spans through the collector: to Honeycomb with the key, to X-Ray signed for xray', async () => {
    expect(backendSecretsIn(env)).toEqual([]);
    const res = await fetch(`http://127.0.0.1:${port}/relay`);
    expect(await res.json()).toEqual({ relayed: { hello: 'world' } });

    const relay = await stack.honeycomb.waitForSpan((s) => s.serviceName === 'api' && s.kind === SpanKind.SERVER && s.name === 'GET /relay', 30_000);
    expect(relay).toMatchObject({ key: STACK_HONEYCOMB_KEY, scope: '@opentelemetry/instrumentation-http' });
    expect(relay.userAgent).toMatch(COLLECTOR_USER_AGENT);
    // The outgoing fetch() and the callee's SERVER span are in the same trace.
    const callee = await stack.honeycomb.waitForSpan((s) => s.traceId === relay.traceId && s.kind === SpanKind.SERVER && s.name === 'GET /hello', 30_000);
    const client = await stack.honeycomb.waitForSpan((s) => s.traceId === relay.traceId && s.kind === SpanKind.CLIENT, 30_000);
    expect(callee.parentSpanId).toBe(client.spanId);

    const atXray = await stack.xray.waitForSpan((s) => s.traceId === relay.traceId && s.kind === SpanKind.SERVER && s.name === 'GET /relay', 30_000);
    expect(atXray.serviceName).toBe('api');
    expect(atXray.auth as SigV4Result).toMatchObject({ valid: true, service: 'xray', region: STACK_REGION, accessKeyId: TEST_AWS_CREDENTIALS.accessKeyId });
    expect(app.output()).not.toMatch(/tracing\.cjs|Error/);
  }, 60_000);
});

describe('a Flask app instrumented by obs for the collector (the real OpenTelemetry SDK)', () => {
  let app: AppProcess;
  let port: number;
  let env: Record<string, string>;

  beforeAll(async () => {
    const dir = await tempProject(join(REPO_ROOT, 'examples', 'cruddur'));
    dirs.push(dir);
    const service = join(dir, 'backend-flask');
    const files = new Map<string, string>();
    await readInto(files, service, FLASK_INPUT_FILES);
    const plan = planFlask({
      serviceDir: 'backend-flask',
      serviceName: 'backend-flask',
      backends: BACKENDS,
      logGroup: STACK_LOG_GROUP,
      files,
      template: templateLoader('flask'),
      pipeline: 'collector',
    });
    expect(plan.changes.map((c) => c.path).sort()).toEqual(['backend-flask/app.py', 'backend-flask/observability.py', 'backend-flask/requirements.txt']);
    await apply(dir, plan.changes);
    // Exactly what the image would install: requirements.txt as obs left it.
    const requirements = (await readFile(join(service, 'requirements.txt'), 'utf8')).split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    expect(requirements.filter((r) => /xray|watchtower/.test(r))).toEqual([]);
    const venv = await pythonVenv(requirements);
    console.log(`collector-apps (flask): venv ${venv.cached ? 'reused from cache' : `took ${venv.seconds.toFixed(1)} s`}`);
    port = await freePort();
    env = appEnvironment(stack, 'backend-flask', { PORT: String(port), PYTHONUNBUFFERED: '1' });
    app = await startApp(venv.python, ['app.py'], { cwd: service, env, port });
    apps.push(app);
  }, 300_000);

  it('sends its spans through the collector to Honeycomb and X-Ray, and its log records to CloudWatch Logs', async () => {
    expect(backendSecretsIn(env)).toEqual([]);
    expect((await fetch(`http://127.0.0.1:${port}/api/activities/home`)).status).toBe(200);
    // Flask logs the exception of a failing route on the app's logger: a record of the root logger's tree.
    expect((await fetch(`http://127.0.0.1:${port}/api/error`)).status).toBe(500);

    const home = await stack.honeycomb.waitForSpan((s) => s.serviceName === 'backend-flask' && s.kind === SpanKind.SERVER && s.name === 'GET /api/activities/home', 30_000);
    expect(home).toMatchObject({ key: STACK_HONEYCOMB_KEY, scope: 'opentelemetry.instrumentation.flask' });
    expect(home.userAgent).toMatch(COLLECTOR_USER_AGENT);
    const atXray = await stack.xray.waitForSpan((s) => s.traceId === home.traceId, 30_000);
    expect(atXray.serviceName).toBe('backend-flask');
    expect(atXray.auth as SigV4Result).toMatchObject({ valid: true, service: 'xray', region: STACK_REGION, accessKeyId: TEST_AWS_CREDENTIALS.accessKeyId });

    const failed = await stack.honeycomb.waitForSpan((s) => s.serviceName === 'backend-flask' && s.kind === SpanKind.SERVER && s.name === 'GET /api/error', 30_000);
    const record = await stack.logs.waitForLogRecord((r) => typeof r.body === 'string' && r.body.includes('Exception on /api/error [GET]'), 30_000);
    expect(record.serviceName).toBe('backend-flask');
    expect(record.severityText).toBe('ERROR');
    // Logged inside the request: the record carries the request's trace.
    expect(record.traceId).toBe(failed.traceId);
    expect([record.headers['x-aws-log-group'], record.headers['x-aws-log-stream']]).toEqual([STACK_LOG_GROUP, STACK_LOG_STREAM]);
    expect(record.headers['user-agent']).toMatch(COLLECTOR_USER_AGENT);
    expect(record.auth as SigV4Result).toMatchObject({ valid: true, service: 'logs', region: STACK_REGION, accessKeyId: TEST_AWS_CREDENTIALS.accessKeyId });
    expect(app.output()).not.toContain('observability:');
  }, 60_000);
});

describe('a hand-wired X-Ray SDK Flask app, its daemon address pointed at the collector', () => {
  let app: AppProcess;
  let port: number;

  beforeAll(async () => {
    const dir = await tempProject();
    dirs.push(dir);
    // Wired as the Cruddur bootcamp does it (week 2): recorder, middleware, a subsegment.
    await writeFile(
      join(dir, 'app.py'),
      [
        'import os',
        'from aws_xray_sdk.core import xray_recorder',
        'from aws_xray_sdk.ext.flask.middleware import XRayMiddleware',
        'from flask import Flask, jsonify',
        '',
        'app = Flask(__name__)',
        'xray_recorder.configure(service="backend-xray")',
        'XRayMiddleware(app, xray_recorder)',
        '',
        '@app.route("/api/activities/home")',
        'def home():',
        '    with xray_recorder.in_subsegment("mock-data"):',
        '        return jsonify([])',
        '',
        'app.run(host="127.0.0.1", port=int(os.environ["PORT"]))',
        '',
      ].join('\n'),
    );
    const venv = await pythonVenv(['flask', 'aws-xray-sdk']);
    console.log(`collector-apps (x-ray sdk): venv ${venv.cached ? 'reused from cache' : `took ${venv.seconds.toFixed(1)} s`}`);
    port = await freePort();
    const receiver = stack.collector.ports.awsxray.awsxray!;
    // The daemon's address, now the collector's awsxray receiver: segments over UDP, sampling over TCP.
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      PORT: String(port),
      AWS_XRAY_DAEMON_ADDRESS: `tcp:127.0.0.1:${receiver.proxy} udp:127.0.0.1:${receiver.udp}`,
    };
    expect(backendSecretsIn(env)).toEqual([]);
    app = await startApp(venv.python, ['app.py'], { cwd: dir, env, port });
    apps.push(app);
  }, 300_000);

  it('its segments reach X-Ray (signed) and Honeycomb as spans of the service, through the awsxray receiver', async () => {
    // No upstream decision: the SDK samples it (its first request in the second) and starts polling sampling rules.
    const res = await fetch(`http://127.0.0.1:${port}/api/activities/home`);
    expect(res.status).toBe(200);
    const root = /Root=1-([0-9a-f]{8})-([0-9a-f]{24})/.exec(res.headers.get('x-amzn-trace-id') ?? '');
    expect(root, `x-amzn-trace-id: ${res.headers.get('x-amzn-trace-id')}`).not.toBeNull();
    const traceId = `${root![1]}${root![2]}`;

    const atXray = await stack.xray.waitForSpan((s) => s.traceId === traceId && s.parentSpanId === '', 30_000);
    expect(atXray.serviceName).toBe('backend-xray');
    expect(atXray.auth as SigV4Result).toMatchObject({ valid: true, service: 'xray', region: STACK_REGION, accessKeyId: TEST_AWS_CREDENTIALS.accessKeyId });
    expect(
      stack.xray
        .spans()
        .filter((s) => s.traceId === traceId)
        .map((s) => s.name),
    ).toContain('mock-data');

    const atHoneycomb = await stack.honeycomb.waitForSpan((s) => s.traceId === traceId && s.serviceName === 'backend-xray', 30_000);
    expect(atHoneycomb.key).toBe(STACK_HONEYCOMB_KEY);
    // The SDK asked the receiver's proxy for sampling rules; the proxy signed the call to the X-Ray API.
    const deadline = Date.now() + 15_000;
    while (!stack.xrayApi.control.requests.some((r) => r.operation === 'GetSamplingRules') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const poll = stack.xrayApi.control.requests.find((r) => r.operation === 'GetSamplingRules');
    expect(poll?.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${TEST_AWS_CREDENTIALS.accessKeyId}/\\d{8}/${STACK_REGION}/xray/aws4_request`));
    expect(app.output()).not.toContain('Traceback');
  }, 60_000);
});
