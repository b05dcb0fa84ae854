import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NODE_INPUT_FILES, planNode } from '../../src/instrument/node.js';
import { templateLoader } from '../../src/instrument/template.js';
import { readServices } from '../support/compose-read.js';
import { freePort } from '../support/moto.js';
import { npmInstall } from '../support/npm-install.js';
import { startOtlpReceiver, SpanKind, type OtlpReceiver } from '../support/otlp-receiver.js';
import { REPO_ROOT, runObs, tempProject } from '../support/run-obs.js';

/**
 * The full OpenTelemetry proof for Node: obs init wires an Express app's compose service, planNode
 * writes tracing.cjs and the packages, npm installs them from the registry, and the app runs with
 * exactly the environment obs put in the compose file (the Honeycomb endpoint swapped for a local
 * OTLP receiver, the key taken from .env the way compose interpolates it). The receiver must see
 * a SERVER span for the request, named after the compose service, carrying the key.
 */
const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'instrument', 'express-app');
const SERVICE = 'api';
const KEY = `hcaik_01${'0123456789abcdefghijklmnopqrstuvwxyz'.repeat(2).slice(0, 56)}`;

let dir: string;
let receiver: OtlpReceiver;
let env: Record<string, string>;
let composeEnv: Record<string, string | null>;
let install: { seconds: number; cached: boolean };
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await tempProject(FIXTURE);
  const init = await runObs(['init', '--dir', dir, '--yes', '--pipeline', 'direct', '--services', SERVICE, '--no-xray', '--no-cloudwatch', '--no-rollbar'], { env: { CI: 'true' } });
  expect(init.exitCode, init.stderr).toBe(0);
  // What a user does next: the key goes into .env, which compose reads for ${HONEYCOMB_API_KEY}.
  await writeFile(join(dir, '.env'), `HONEYCOMB_API_KEY=${KEY}\n`);

  // planNode over the files as init left them (a no-op for whatever init already wrote).
  const files = new Map<string, string>();
  for (const name of NODE_INPUT_FILES) if (existsSync(join(dir, name))) files.set(name, await readFile(join(dir, name), 'utf8'));
  const service = readServices([await readFile(join(dir, 'docker-compose.yml'), 'utf8')])[SERVICE]!;
  const plan = planNode({
    serviceDir: '.',
    serviceName: SERVICE,
    backends: { honeycomb: true, xray: false, cloudwatch: false, rollbar: false },
    files,
    template: templateLoader('node'),
    environment: new Map(Object.entries(service.environment)),
  });
  for (const change of plan.changes) {
    await mkdir(dirname(join(dir, change.path)), { recursive: true });
    await writeFile(join(dir, change.path), change.after);
  }
  // NODE_OPTIONS from the compose file once obs init writes it there, else from the plan.
  composeEnv = { ...Object.fromEntries(plan.environment.map((e) => [e.key, e.value])), ...service.environment };
  expect(composeEnv).toMatchObject({
    OTEL_SERVICE_NAME: SERVICE,
    OTEL_EXPORTER_OTLP_ENDPOINT: 'https://api.honeycomb.io',
    OTEL_EXPORTER_OTLP_HEADERS: 'x-honeycomb-team=${HONEYCOMB_API_KEY}',
    NODE_OPTIONS: '--require ./tracing.cjs',
  });

  receiver = await startOtlpReceiver();
  const dotenv = Object.fromEntries(
    (await readFile(join(dir, '.env'), 'utf8'))
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  env = {};
  for (const [key, value] of Object.entries(composeEnv)) if (value !== null) env[key] = interpolate(value, dotenv);
  env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
  env.PORT = String(await freePort());

  install = await npmInstall(dir);
  console.log(`node-otel: npm install ${install.cached ? 'reused from cache' : `took ${install.seconds.toFixed(1)} s`}`);
}, 300_000);

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  receiver.reset();
});

afterAll(async () => {
  await receiver?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a Node/Express service instrumented by obs', () => {
  it('exports a SERVER span for GET /hello with service.name = the compose service and the key header (CommonJS app)', async () => {
    const app = await startApp('server.js');
    const res = await fetch(`http://127.0.0.1:${env.PORT}/hello`);
    expect(await res.json()).toEqual({ hello: 'world' });

    // No flush tricks: the batch span processor's own schedule (5 s) sends it.
    const span = await receiver.waitForSpan((s) => s.kind === SpanKind.SERVER && s.name === 'GET /hello', 20_000);
    expect(span.serviceName).toBe(SERVICE);
    expect(span.headers['x-honeycomb-team']).toBe(KEY);
    expect(span.contentType).toBe('application/x-protobuf');
    expect(span.attributes['http.route']).toBe('/hello');
    expect(span.attributes['http.response.status_code']).toBe(200);
    expect(span.resource['telemetry.sdk.language']).toBe('nodejs');
    expect(span.scope.name).toBe('@opentelemetry/instrumentation-http');
    expect(receiver.spans().some((s) => s.traceId === span.traceId && s.scope.name === '@opentelemetry/instrumentation-express')).toBe(true);
    // Traces only: no metrics or logs go to Honeycomb.
    expect(receiver.requests.map((r) => r.path).filter((p) => p !== '/v1/traces')).toEqual([]);
    expect(app.output()).not.toMatch(/tracing\.cjs|Error:/);
  }, 60_000);

  it('traces an outgoing fetch() as a CLIENT span of the same trace, and the callee joins it (traceparent)', async () => {
    // obs chose @opentelemetry/instrumentation-undici because server.js calls fetch().
    expect(await readFile(join(dir, 'tracing.cjs'), 'utf8')).toContain('"@opentelemetry/instrumentation-undici"');
    await startApp('server.js');
    const res = await fetch(`http://127.0.0.1:${env.PORT}/relay`);
    expect(await res.json()).toEqual({ relayed: { hello: 'world' } });
    const relay = await receiver.waitForSpan((s) => s.kind === SpanKind.SERVER && s.name === 'GET /relay', 20_000);
    const client = await receiver.waitForSpan((s) => s.kind === SpanKind.CLIENT && s.traceId === relay.traceId, 20_000);
    expect(client.scope.name).toBe('@opentelemetry/instrumentation-undici');
    const callee = await receiver.waitForSpan((s) => s.kind === SpanKind.SERVER && s.name === 'GET /hello' && s.traceId === relay.traceId, 20_000);
    expect(callee.parentSpanId).toBe(client.spanId);
  }, 60_000);

  it('instruments an ES module app too, and sends the last spans when compose stops it (SIGTERM)', async () => {
    const app = await startApp('server.mjs');
    await fetch(`http://127.0.0.1:${env.PORT}/hello`);
    app.child.kill('SIGTERM');
    const exit = await app.exited;
    expect(exit).toEqual({ code: 143, signal: null });
    const span = receiver.spans().find((s) => s.kind === SpanKind.SERVER && s.name === 'GET /hello');
    expect(
      span,
      `spans: ${receiver
        .spans()
        .map((s) => s.name)
        .join(', ')}`,
    ).toBeDefined();
    expect(span!.serviceName).toBe(SERVICE);
    expect(span!.headers['x-honeycomb-team']).toBe(KEY);
    // express itself is instrumented through the ES module loader hook.
    expect(receiver.spans().some((s) => s.traceId === span!.traceId && s.scope.name === '@opentelemetry/instrumentation-express')).toBe(true);
  }, 60_000);

  it("leaves SIGTERM to an app that handles it: the app's graceful exit wins and the spans still go out", async () => {
    await writeFile(
      join(dir, 'graceful.js'),
      [
        "const server = require('http').createServer((req, res) => res.end('ok'));",
        "server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`listening on ${server.address().port}`));",
        "process.once('SIGTERM', () => server.close(() => setTimeout(() => process.exit(0), 300)));",
        '',
      ].join('\n'),
    );
    const app = await startApp('graceful.js');
    await fetch(`http://127.0.0.1:${env.PORT}/hello`);
    app.child.kill('SIGTERM');
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(
      receiver
        .spans()
        .filter((s) => s.kind === SpanKind.SERVER)
        .map((s) => s.name),
    ).toEqual(['GET']);
  }, 60_000);

  it('stays off, and the app runs, without an OTLP endpoint', async () => {
    const { OTEL_EXPORTER_OTLP_ENDPOINT: _endpoint, ...withoutEndpoint } = env;
    const app = await startApp('server.js', withoutEndpoint);
    expect((await fetch(`http://127.0.0.1:${env.PORT}/hello`)).status).toBe(200);
    app.child.kill('SIGTERM');
    await app.exited;
    expect(receiver.requests).toEqual([]);
  }, 60_000);
});

/** Starts `node <script>` in the project with only `appEnv` (no variables inherited from the test). */
async function startApp(script: string, appEnv: Record<string, string> = env) {
  const child = spawn(process.execPath, [script], { cwd: dir, env: appEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 30_000;
  while (!/listening on \d+/.test(output)) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) throw new Error(`${script} did not start within 30 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, exited, output: () => output.replace(/^listening on \d+\n/m, '') };
}

/** `${VAR}`, `${VAR:-default}`, `${VAR-default}` and `$VAR` from `vars`, as compose interpolates. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name?: string, colon?: string, fallback?: string, bare?: string) => {
    if (whole === '$$') return '$';
    const key = (name ?? bare)!;
    const v = vars[key];
    if (fallback !== undefined && (v === undefined || (colon === ':' && v === ''))) return fallback;
    return v ?? '';
  });
}
