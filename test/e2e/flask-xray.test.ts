import { execa, type ResultPromise } from 'execa';
import http from 'node:http';
import net from 'node:net';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desiredFromConfig } from '../../src/config/desired.js';
import { parseObsConfig } from '../../src/config/obs-config.js';
import { FLASK_INPUT_FILES, planFlask, PYTHON_OTEL_RELEASE, type InstrumentInput } from '../../src/instrument/flask.js';
import { templateLoader } from '../../src/instrument/template.js';
import { SpanKind, startOtlpReceiver } from '../support/otlp-receiver.js';
import { REPO_ROOT, runObs, tempProject } from '../support/run-obs.js';
import { pythonVenv } from '../support/python-venv.js';
import { matchesFilter } from '../support/xray-filter.js';
import { startXrayDaemon, type XrayDaemon } from '../support/xray-udp.js';

/**
 * The Flask planner's output, run for real: the example backend (examples/cruddur/backend-flask)
 * with the plan's changes applied on disk, in a venv made with --system-site-packages from the
 * machine's Python 3.11, which has Flask and aws-xray-sdk but not the OpenTelemetry SDK,
 * watchtower or rollbar. So the same run proves both halves: X-Ray segments reach a daemon
 * stand-in over UDP, and the missing packages give one warning, not a crash. The last describe
 * installs the real OpenTelemetry SDK from PyPI into a second venv.
 */
const OTEL_PACKAGES = ['opentelemetry-api', 'opentelemetry-sdk', 'opentelemetry-exporter-otlp-proto-http', 'opentelemetry-instrumentation-flask', 'opentelemetry-instrumentation-requests'];
const BACKENDS = { honeycomb: true, xray: true, cloudwatch: true, rollbar: true };

let dir: string;
let python: string;
let daemon: XrayDaemon;
/** What obs.yaml records for `obs apply`: the X-Ray group's filter and the sampling rule. */
let groupFilter: string;
let ruleName: string;

async function readService(service: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of FLASK_INPUT_FILES) {
    try {
      files.set(name, await readFile(join(dir, service, name), 'utf8'));
    } catch {
      // absent: not in the map
    }
  }
  return files;
}

function input(files: Map<string, string>): InstrumentInput {
  return { serviceDir: 'backend-flask', serviceName: 'backend-flask', backends: BACKENDS, logGroup: '/cruddur/backend-flask', files, template: templateLoader('flask') };
}

beforeAll(async () => {
  // The example project, wired by the built obs init exactly as a user would run it.
  dir = await tempProject(join(REPO_ROOT, 'examples', 'cruddur'));
  const init = await runObs(['init', '--dir', dir, '--yes', '--pipeline', 'direct', '--cloudwatch', '--rollbar', '--log-group', '/cruddur/backend-flask'], { env: { CI: 'true' } });
  expect(init.exitCode, init.stderr).toBe(0);
  expect(init.stderr).toMatch(/backend-flask\/observability\.py \(create\), backend-flask\/requirements\.txt \(modify\), backend-flask\/app\.py \(modify\)/);
  // Idempotent: a second obs init changes nothing, and planning again over the result neither.
  const again = await runObs(['init', '--dir', dir, '--yes'], { env: { CI: 'true' } });
  expect(again.stderr).toMatch(/Nothing to change/);
  expect(planFlask(input(await readService('backend-flask'))).changes).toEqual([]);

  await execa('python3', ['-m', 'venv', '--system-site-packages', join(dir, 'venv')]);
  python = join(dir, 'venv', 'bin', 'python');
  // The daemon answers the SDK's sampling polls with the rule obs apply would create, and X-Ray's Default.
  const desired = desiredFromConfig(parseObsConfig(await readFile(join(dir, 'obs.yaml'), 'utf8')), 'obs.yaml');
  expect(desired.groups).toHaveLength(1);
  expect(desired.rules).toHaveLength(1);
  groupFilter = desired.groups[0]!.filterExpression!;
  expect(groupFilter).toBe('service("backend-flask") {fault OR error}');
  const { tags: _tags, ...rule } = desired.rules[0]!;
  ruleName = rule.RuleName;
  const defaultRule = {
    RuleName: 'Default',
    ResourceARN: '*',
    Priority: 10000,
    FixedRate: 0.05,
    ReservoirSize: 1,
    ServiceName: '*',
    ServiceType: '*',
    Host: '*',
    HTTPMethod: '*',
    URLPath: '*',
    Version: 1,
  };
  daemon = await startXrayDaemon({ samplingRules: [{ ...rule }, defaultRule] });
}, 120_000);

afterAll(async () => {
  await daemon?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('generated Flask instrumentation (real Flask + aws-xray-sdk, no OpenTelemetry SDK)', () => {
  it('sends X-Ray segments named after the service, warns once about the missing packages, and keeps answering', async () => {
    const port = await freePort();
    const app = execa(python, ['app.py'], {
      cwd: join(dir, 'backend-flask'),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        PYTHONUNBUFFERED: '1',
        PORT: String(port),
        OTEL_SERVICE_NAME: 'backend-flask',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
        AWS_XRAY_DAEMON_ADDRESS: daemon.address,
        AWS_XRAY_URL: `*localhost:${port}*`,
        // CloudWatch and Rollbar were chosen, but without AWS_DEFAULT_REGION and
        // ROLLBAR_ACCESS_TOKEN they stay off: watchtower and rollbar are not reported missing.
      },
      extendEnv: false,
      reject: false,
    });
    let stderr = '';
    app.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await waitForPort(port, app, () => stderr);

      // The first request the SDK decides on starts its sampling-rule poller (issue 12 item 4 needs the rules loaded).
      expect((await get(port, '/api/health-check')).status).toBe(200);
      const deadline = Date.now() + 10_000;
      while (!daemon.samplingRequests.includes('/GetSamplingRules') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(daemon.samplingRequests).toContain('/GetSamplingRules');
      // The poller loads the answer into its cache in its own thread (a slow machine gets time to spare).
      await new Promise((r) => setTimeout(r, 1_500));

      // Host matches AWS_XRAY_URL (as a browser on the published port sends it): the segment is still
      // named after the service, so obs.yaml's sampling rule (serviceName) decides it (issue 12 item 4).
      const home = await get(port, '/api/activities/home', { Host: `localhost:${port}` });
      expect(home.status).toBe(200);
      expect(JSON.parse(home.body)).toHaveLength(3);
      expect(home.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
      const homeSegment = await daemon.waitFor((s) => s.http?.request?.url === `http://localhost:${port}/api/activities/home`);
      expect(homeSegment).toMatchObject({ name: 'backend-flask', http: { request: { method: 'GET' }, response: { status: 200 } } });
      expect((homeSegment.aws as { xray?: { sampling_rule_name?: string } } | undefined)?.xray?.sampling_rule_name).toBe(ruleName);
      expect(homeSegment.trace_id).toBe(/Root=([^;]+)/.exec(String(home.headers['x-amzn-trace-id']))![1]);
      expect(homeSegment.in_progress).toBe(false);

      // A fault on that host lands in obs.yaml's X-Ray group: its filter matches the segment.
      const hostFault = '1-5759e988-0000000000000000000000aa';
      expect((await get(port, '/api/error', { Host: `localhost:${port}`, 'X-Amzn-Trace-Id': `Root=${hostFault};Sampled=1` })).status).toBe(500);
      const hostFaultSegment = await daemon.waitFor((s) => s.trace_id === hostFault);
      expect(hostFaultSegment).toMatchObject({ name: 'backend-flask', fault: true });
      expect(matchesFilter(groupFilter, hostFaultSegment)).toBe(true);
      expect(matchesFilter(groupFilter, homeSegment)).toBe(false); // no fault: not in the errors group

      // Any other host: the segment carries the service name; an upstream sampling decision is kept.
      const traceId = '1-5759e988-bd862e3fe1be46a994272793';
      const health = await get(port, '/api/health-check', { 'X-Amzn-Trace-Id': `Root=${traceId};Sampled=1` });
      expect(health.status).toBe(200);
      const healthSegment = await daemon.waitFor((s) => s.trace_id === traceId);
      expect(healthSegment).toMatchObject({ name: 'backend-flask', http: { response: { status: 200 } } });

      // A failing route is recorded as a fault and the app keeps serving.
      const failTrace = '1-5759e988-00000000000000000000000f';
      const failed = await get(port, '/api/error', { 'X-Amzn-Trace-Id': `Root=${failTrace};Sampled=1` });
      expect(failed.status).toBe(500);
      expect(await daemon.waitFor((s) => s.trace_id === failTrace)).toMatchObject({ name: 'backend-flask', fault: true });
      expect((await get(port, '/api/health-check')).status).toBe(200);
      expect(daemon.malformed).toEqual([]);

      const warnings = stderr.split('\n').filter((l) => l.includes('observability:'));
      expect(warnings).toEqual([`observability: missing packages ${OTEL_PACKAGES.join(', ')}; run pip install -r requirements.txt`]);
      // Only the deliberate /api/error calls raised: no traceback from the SDKs (sampling polls included).
      expect(stderr.match(/Traceback/g) ?? []).toHaveLength(2);
      expect(stderr).toContain('RuntimeError: Test error from /api/error');
    } finally {
      app.kill('SIGTERM');
      await Promise.race([app, new Promise((r) => setTimeout(r, 5_000))]);
      if (app.exitCode === null) app.kill('SIGKILL');
    }
  });

  it('imports and serves with only Flask installed: one warning naming every missing package', async () => {
    // Hides every optional package (aws-xray-sdk included) from the import system.
    const script = [
      'import importlib.abc, json, sys',
      'BLOCKED = {"opentelemetry", "aws_xray_sdk", "watchtower", "rollbar"}',
      'class Hide(importlib.abc.MetaPathFinder):',
      '    def find_spec(self, name, path, target=None):',
      '        if name.split(".")[0] in BLOCKED:',
      '            raise ModuleNotFoundError("No module named %r" % name, name=name)',
      '        return None',
      'sys.meta_path.insert(0, Hide())',
      'sys.path.insert(0, ".")',
      'import app as service',
      'client = service.app.test_client()',
      'print(json.dumps({"running": service.app.extensions["observability"], "status": client.get("/api/activities/home").status_code}))',
    ].join('\n');
    const run = await execa(python, ['-c', script], {
      cwd: join(dir, 'backend-flask'),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
        AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:9',
        AWS_DEFAULT_REGION: 'us-east-1',
        ROLLBAR_ACCESS_TOKEN: '0123456789abcdef0123456789abcdef',
      },
      extendEnv: false,
      reject: false,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ running: [], status: 200 });
    expect(run.stderr.split('\n').filter((l) => l.trim() !== '')).toEqual([
      `observability: missing packages ${[...OTEL_PACKAGES, 'aws-xray-sdk', 'watchtower', 'rollbar'].join(', ')}; run pip install -r requirements.txt`,
    ]);
  });

  it('calls the OpenTelemetry, watchtower and Rollbar APIs as documented (stand-in packages that record calls)', async () => {
    // The real packages cannot be installed here: these stand-ins have the same module paths and
    // signatures and record each call, so every line of the module's other parts runs once.
    const fakes = join(dir, 'fakes');
    const modules: Record<string, string> = {
      'fake_calls.py': 'CALLS = []\n',
      'opentelemetry/__init__.py': '',
      'opentelemetry/trace/__init__.py': 'from fake_calls import CALLS\ndef set_tracer_provider(provider):\n    CALLS.append(["set_tracer_provider", type(provider).__name__])\n',
      'opentelemetry/sdk/__init__.py': '',
      'opentelemetry/sdk/resources/__init__.py':
        'class Resource:\n    def __init__(self, attributes):\n        self.attributes = attributes\n    @staticmethod\n    def create(attributes=None):\n        return Resource(dict(attributes or {}))\n',
      'opentelemetry/sdk/trace/__init__.py': [
        'from fake_calls import CALLS',
        'class TracerProvider:',
        '    def __init__(self, resource=None):',
        '        CALLS.append(["TracerProvider", resource.attributes])',
        '    def add_span_processor(self, processor):',
        '        CALLS.append(["add_span_processor", type(processor).__name__, type(processor.exporter).__name__, processor.max_export_batch_size])',
        '',
      ].join('\n'),
      // The SDK's signature (1.x): None means OTEL_BSP_* or the SDK's default.
      'opentelemetry/sdk/trace/export/__init__.py':
        'class BatchSpanProcessor:\n    def __init__(self, span_exporter, max_queue_size=None, schedule_delay_millis=None, max_export_batch_size=None, export_timeout_millis=None):\n        self.exporter = span_exporter\n        self.max_export_batch_size = max_export_batch_size\n',
      'opentelemetry/exporter/__init__.py': '',
      'opentelemetry/exporter/otlp/__init__.py': '',
      'opentelemetry/exporter/otlp/proto/__init__.py': '',
      'opentelemetry/exporter/otlp/proto/http/__init__.py': '',
      'opentelemetry/exporter/otlp/proto/http/trace_exporter/__init__.py': 'class OTLPSpanExporter:\n    def __init__(self, endpoint=None, headers=None):\n        pass\n',
      'opentelemetry/instrumentation/__init__.py': '',
      'opentelemetry/instrumentation/flask/__init__.py':
        'from fake_calls import CALLS\nclass FlaskInstrumentor:\n    def instrument_app(self, app):\n        CALLS.append(["instrument_app", app.name])\n',
      'opentelemetry/instrumentation/requests/__init__.py':
        'from fake_calls import CALLS\nclass RequestsInstrumentor:\n    def instrument(self, **kwargs):\n        CALLS.append(["requests.instrument"])\n',
      'watchtower/__init__.py': [
        'import logging',
        'from fake_calls import CALLS',
        'class CloudWatchLogHandler(logging.Handler):',
        '    def __init__(self, log_group_name="x", log_stream_name="y", use_queues=True, create_log_group=True, **kwargs):',
        '        super().__init__()',
        '        CALLS.append(["CloudWatchLogHandler", log_group_name, log_stream_name, create_log_group])',
        '    def emit(self, record):',
        '        CALLS.append(["cloudwatch", record.getMessage()])',
        '',
      ].join('\n'),
      'rollbar/__init__.py':
        'from fake_calls import CALLS\ndef init(access_token, environment="production", **kw):\n    CALLS.append(["rollbar.init", access_token, environment, kw.get("allow_logging_basic_config")])\n',
      'rollbar/contrib/__init__.py': '',
      'rollbar/contrib/flask/__init__.py': 'from fake_calls import CALLS\ndef report_exception(app, exception):\n    CALLS.append(["report_exception", type(exception).__name__, str(exception)])\n',
    };
    for (const [path, text] of Object.entries(modules)) {
      await mkdir(dirname(join(fakes, path)), { recursive: true });
      await writeFile(join(fakes, path), text);
    }
    const script = [
      'import json, logging, sys',
      'sys.path.insert(0, ".")',
      'import app as service',
      'from fake_calls import CALLS',
      'client = service.app.test_client()',
      'CALLS.append(["status", client.get("/api/activities/home").status_code])',
      'CALLS.append(["status", client.get("/api/error").status_code])',
      'logging.getLogger("cruddur").warning("to cloudwatch")',
      'print(json.dumps({"running": service.app.extensions["observability"], "calls": CALLS}))',
    ].join('\n');
    const run = await execa(python, ['-c', script], {
      cwd: join(dir, 'backend-flask'),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        PYTHONPATH: fakes,
        OTEL_SERVICE_NAME: 'cruddur-api',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
        AWS_DEFAULT_REGION: 'us-east-1',
        ROLLBAR_ACCESS_TOKEN: 'tok',
        ROLLBAR_ENV: 'staging',
      },
      extendEnv: false,
      reject: false,
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).not.toContain('observability:');
    const result = JSON.parse(run.stdout) as { running: string[]; calls: unknown[][] };
    expect(result.running).toEqual(['opentelemetry', 'cloudwatch', 'rollbar']);
    expect(result.calls.filter((c) => c[0] !== 'cloudwatch')).toEqual([
      ['TracerProvider', { 'service.name': 'cruddur-api' }],
      // Batches of 64 spans: the encoding of a batch holds the GIL (bench/RESULTS.md, Flask p99).
      ['add_span_processor', 'BatchSpanProcessor', 'OTLPSpanExporter', 64],
      ['set_tracer_provider', 'TracerProvider'],
      ['instrument_app', 'app'],
      ['requests.instrument'],
      ['CloudWatchLogHandler', '/cruddur/backend-flask', 'cruddur-api/{machine_name}/{process_id}', false],
      ['rollbar.init', 'tok', 'staging', false],
      ['status', 200],
      ['report_exception', 'RuntimeError', 'Test error from /api/error'],
      ['status', 500],
    ]);
    // The root logger's records reach the CloudWatch handler.
    expect(result.calls).toContainEqual(['cloudwatch', 'to cloudwatch']);
  });
});

/**
 * The OpenTelemetry part, with the real Python SDK from PyPI:
 * a venv (cached) with Flask, requests and exactly the opentelemetry-* lines obs added to requirements.txt.
 * Direct pipeline (obs init --pipeline direct): a Flask SERVER span and a requests CLIENT span reach
 * a local OTLP/HTTP receiver with the service name and the key header. Collector pipeline: the same
 * spans, and the root logger's records as OTLP logs, with neither the X-Ray SDK nor watchtower loaded.
 */
describe('generated Flask instrumentation with the real OpenTelemetry SDK', () => {
  let otelPython: string;
  beforeAll(async () => {
    const added = (await readFile(join(dir, 'backend-flask', 'requirements.txt'), 'utf8')).split('\n').filter((l) => l.startsWith('opentelemetry-'));
    // At obs's tested release: stable packages at one version, the instrumentations at its contrib release.
    const { stable, contrib } = PYTHON_OTEL_RELEASE;
    expect(added).toEqual(OTEL_PACKAGES.map((p) => `${p}==${p.startsWith('opentelemetry-instrumentation-') ? contrib : stable}`));
    // A venv of exactly these packages, cached under ~/.cache/obs-e2e-venv by the requirement list.
    const venv = await pythonVenv(['flask', 'requests', 'python-dotenv', ...added]);
    otelPython = venv.python;
  }, 300_000);

  const script = (extra: string[] = []) =>
    [
      'import json, logging, sys',
      'sys.path.insert(0, ".")',
      'import app as service',
      'import requests',
      'from opentelemetry import trace',
      'client = service.app.test_client()',
      'status = client.get("/api/activities/home").status_code',
      'requests.get(sys.argv[1] + "/not-a-route")',
      ...extra,
      'trace.get_tracer_provider().force_flush()',
      'print(json.dumps({"running": service.app.extensions["observability"], "status": status, "xray": "aws_xray_sdk" in sys.modules, "watchtower": "watchtower" in sys.modules}))',
    ].join('\n');

  async function runScript(cwd: string, receiverUrl: string, extra: string[] = [], extraEnv: Record<string, string> = {}) {
    return execa(otelPython, ['-c', script(extra), receiverUrl], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '/tmp',
        OTEL_SERVICE_NAME: 'backend-flask',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
        OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=test-key',
        // Chosen backends that would need AWS or Rollbar stay off without their variables.
        ...extraEnv,
      },
      extendEnv: false,
      reject: false,
    });
  }

  it('direct: a Flask SERVER span and a requests CLIENT span, named after the service, with the key header', async () => {
    const receiver = await startOtlpReceiver();
    try {
      const run = await runScript(join(dir, 'backend-flask'), receiver.url);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ running: ['opentelemetry'], status: 200, xray: false, watchtower: false });
      const server = await receiver.waitForSpan((s) => s.kind === SpanKind.SERVER, 10_000);
      expect(server).toMatchObject({ serviceName: 'backend-flask', contentType: 'application/x-protobuf', scope: { name: 'opentelemetry.instrumentation.flask' } });
      expect(server.attributes['http.route']).toBe('/api/activities/home');
      expect(server.headers['x-honeycomb-team']).toBe('test-key');
      const clientSpan = await receiver.waitForSpan((s) => s.kind === SpanKind.CLIENT, 10_000);
      expect(clientSpan.scope.name).toBe('opentelemetry.instrumentation.requests');
    } finally {
      await receiver.close();
    }
  }, 60_000);

  it('a batch larger than the encoding chunk (8 spans) leaves in one request with every span once', async () => {
    const receiver = await startOtlpReceiver();
    try {
      // 20 Flask requests and the requests CLIENT span: 21 spans, one batch (no timed export before force_flush).
      const run = await runScript(join(dir, 'backend-flask'), receiver.url, ['for _ in range(19):\n    client.get("/api/activities/home")'], { OTEL_BSP_SCHEDULE_DELAY: '600000' });
      expect(run.exitCode, run.stderr).toBe(0);
      const traces = receiver.requests.filter((r) => r.path === '/v1/traces');
      expect(traces).toHaveLength(1);
      const spans = receiver.spans();
      expect(spans.filter((s) => s.kind === SpanKind.SERVER && s.name === 'GET /api/activities/home')).toHaveLength(20);
      expect(spans.filter((s) => s.kind === SpanKind.CLIENT)).toHaveLength(1);
      expect(new Set(spans.map((s) => s.spanId)).size).toBe(21);
      // Encoded in chunks of 8 (observability.py's _encode_in_chunks, which keeps the export from
      // holding the GIL for a whole batch): the serialized chunks append, one ResourceSpans each.
      expect(traces[0]!.traces!.resourceSpans).toHaveLength(3);
      expect(spans.every((s) => s.serviceName === 'backend-flask')).toBe(true);
    } finally {
      await receiver.close();
    }
  }, 60_000);

  it('collector: OpenTelemetry only (no X-Ray SDK, no watchtower), spans and the logs over OTLP', async () => {
    const files = await readService('backend-flask');
    const plan = planFlask({ ...input(files), pipeline: 'collector' });
    const module = plan.changes.find((c) => c.path === 'backend-flask/observability.py')!.after;
    const copy = join(dir, 'backend-flask-collector');
    await cp(join(dir, 'backend-flask'), copy, { recursive: true });
    await writeFile(join(copy, 'observability.py'), module);
    const receiver = await startOtlpReceiver();
    try {
      const run = await runScript(copy, receiver.url, [
        'logging.getLogger("cruddur").warning("sent through the collector")',
        'from opentelemetry import _logs',
        '_logs.get_logger_provider().force_flush()',
      ]);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ running: ['opentelemetry', 'otlp-logs'], status: 200, xray: false, watchtower: false });
      expect((await receiver.waitForSpan((s) => s.kind === SpanKind.SERVER, 10_000)).scope.name).toBe('opentelemetry.instrumentation.flask');
      const logs = receiver.requests.filter((r) => r.path === '/v1/logs');
      expect(logs.length).toBeGreaterThan(0);
      expect(logs[0]!.contentType).toBe('application/x-protobuf');
      expect(Buffer.concat(logs.map((r) => r.body)).toString('latin1')).toContain('sent through the collector');
    } finally {
      await receiver.close();
    }
  }, 60_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Waits until the port accepts connections (no HTTP request, so no request is traced first). */
async function waitForPort(port: number, app: ResultPromise, stderr: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (app.exitCode !== null) throw new Error(`the app exited with ${app.exitCode}:\n${stderr()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the app did not listen on ${port} within ${timeoutMs} ms:\n${stderr()}`);
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${path} timed out`)));
  });
}
