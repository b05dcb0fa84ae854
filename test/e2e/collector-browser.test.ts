import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { dirname, extname, join, normalize } from 'node:path';
import { execa } from 'execa';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corsOrigins } from '../../src/collector/cors.js';
import { FLASK_INPUT_FILES, planFlask } from '../../src/instrument/flask.js';
import { planReact, REACT_INPUT_FILES } from '../../src/instrument/react.js';
import { templateLoader } from '../../src/instrument/template.js';
import { startApp, type AppProcess } from '../support/app-process.js';
import { appEnvironment, backendSecretsIn, COLLECTOR_USER_AGENT, STACK_HONEYCOMB_KEY, STACK_LOG_GROUP, startCollectorStack, type CollectorStack } from '../support/collector-stack.js';
import { readServices } from '../support/compose-read.js';
import { freePort } from '../support/moto.js';
import { npmInstall } from '../support/npm-install.js';
import { SpanKind } from '../support/otlp-receiver.js';
import { pythonVenv } from '../support/python-venv.js';
import { REPO_ROOT, tempProject } from '../support/run-obs.js';

/**
 * Browser traces that arrive (issue 11): a real Chromium (Debian's, driven by playwright-core)
 * loads the example's React page, built by Vite with obs's tracing module for the collector
 * (VITE_OTEL_COLLECTOR_URL), served from a localhost port whose origin is in the collector's
 * CORS allowed_origins as corsOrigins computes them from the frontend's published port. The
 * page calls the example's Flask backend, instrumented by obs for the collector, with the
 * traceparent header: the browser's fetch span and the backend's SERVER span are one trace at
 * the Honeycomb stand-in, both sent through the real collector. The browser holds no key.
 */
const CHROMIUM = '/usr/bin/chromium';
const BACKENDS = { honeycomb: true, xray: true, cloudwatch: true, rollbar: false };

let dir: string;
let stack: CollectorStack;
let backend: AppProcess;
let site: http.Server;
let browser: Browser;
let pageOrigin: string;
let notes: string[];
let collectorVariable: { key: string; value: string }[];

async function readInto(files: Map<string, string>, from: string, names: Iterable<string>) {
  for (const name of names) if (existsSync(join(from, name))) files.set(name, await readFile(join(from, name), 'utf8'));
}

async function apply(changes: { path: string; after: string }[]) {
  for (const change of changes) {
    await mkdir(dirname(join(dir, change.path)), { recursive: true });
    await writeFile(join(dir, change.path), change.after);
  }
}

beforeAll(async () => {
  dir = await tempProject(join(REPO_ROOT, 'examples', 'cruddur'));
  const compose = readServices([await readFile(join(dir, 'docker-compose.yml'), 'utf8')]);
  const [pagePort, backendPort] = [await freePort(), await freePort()];
  pageOrigin = `http://localhost:${pagePort}`;
  const backendUrl = `http://127.0.0.1:${backendPort}`;

  // The collector, with the CORS origins obs computes for the frontend published on pagePort.
  const { origins } = corsOrigins([{ service: 'frontend-react-js', ports: [{ published: String(pagePort), target: '3000' }] }], { gitpod: false, codespaces: false });
  expect(origins).toContain(pageOrigin);
  stack = await startCollectorStack({ xraySdkReceiver: false, browserOrigins: origins });

  // The frontend, instrumented by obs and built by Vite with the variables obs's module reads.
  const frontend = join(dir, 'frontend-react-js');
  const frontendFiles = new Map<string, string>();
  await readInto(frontendFiles, frontend, REACT_INPUT_FILES);
  const reactPlan = planReact({
    serviceDir: 'frontend-react-js',
    serviceName: 'frontend-react-js',
    backends: BACKENDS,
    files: frontendFiles,
    template: templateLoader('react'),
    environment: new Map(Object.entries(compose['frontend-react-js']!.environment)),
    pipeline: 'collector',
    // What init passes in collector mode: the URL the browser reaches the collector at.
    collectorUrl: stack.url,
  });
  notes = reactPlan.notes;
  collectorVariable = reactPlan.environment ?? [];
  await apply(reactPlan.changes);
  const install = await npmInstall(frontend);
  console.log(`collector-browser: npm install ${install.cached ? 'reused from cache' : `took ${install.seconds.toFixed(1)} s`}`);
  const build = await execa('npx', ['--no-install', 'vite', 'build'], {
    cwd: frontend,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', VITE_OTEL_COLLECTOR_URL: stack.url, VITE_BACKEND_URL: backendUrl },
    extendEnv: false,
    reject: false,
    timeout: 120_000,
  });
  expect(build.exitCode, `${build.stdout}\n${build.stderr}`).toBe(0);
  site = await serveStatic(join(frontend, 'dist'), pagePort);

  // The backend, instrumented by obs for the collector. Its CORS allows traceparent and
  // tracestate, as obs's note for the frontend tells the user to do.
  const service = join(dir, 'backend-flask');
  const flaskFiles = new Map<string, string>();
  await readInto(flaskFiles, service, FLASK_INPUT_FILES);
  await apply(
    planFlask({ serviceDir: 'backend-flask', serviceName: 'backend-flask', backends: BACKENDS, logGroup: STACK_LOG_GROUP, files: flaskFiles, template: templateLoader('flask'), pipeline: 'collector' })
      .changes,
  );
  const app = await readFile(join(service, 'app.py'), 'utf8');
  await writeFile(join(service, 'app.py'), app.replace('"Content-Type, Authorization"', '"Content-Type, Authorization, traceparent, tracestate"'));
  const requirements = (await readFile(join(service, 'requirements.txt'), 'utf8')).split('\n').filter((l) => l.trim() && !l.startsWith('#'));
  const venv = await pythonVenv(requirements);
  console.log(`collector-browser: venv ${venv.cached ? 'reused from cache' : `took ${venv.seconds.toFixed(1)} s`}`);
  const env = appEnvironment(stack, 'backend-flask', { PORT: String(backendPort), FRONTEND_URL: pageOrigin, PYTHONUNBUFFERED: '1' });
  expect(backendSecretsIn(env)).toEqual([]);
  backend = await startApp(venv.python, ['app.py'], { cwd: service, env, port: backendPort });

  // Running as root needs Chromium's sandbox off (playwright passes --no-sandbox then).
  if (!existsSync(CHROMIUM)) throw new Error(`no ${CHROMIUM}: install Debian's chromium (apt-get install chromium; .ci/run does it)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, chromiumSandbox: false });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await backend?.stop();
  await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a React page in a real browser, through the collector', () => {
  it("puts the browser's fetch span and the backend's span in one trace at Honeycomb", async () => {
    expect(notes.join('\n')).toContain(`the browser sends spans to the collector at ${stack.url} (VITE_OTEL_COLLECTOR_URL, set in the compose file`);
    expect(collectorVariable).toEqual([{ key: 'VITE_OTEL_COLLECTOR_URL', value: stack.url }]);
    expect(notes.join('\n')).toMatch(/allow the traceparent and tracestate headers in the backend's CORS/);
    const page = await browser.newPage();
    // Every failed request and script error (the page has no favicon: that 404 is expected).
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('requestfailed', (r) => problems.push(`${r.url()}: ${r.failure()?.errorText}`));
    page.on('response', (r) => r.status() >= 400 && !r.url().endsWith('/favicon.ico') && problems.push(`${r.url()}: HTTP ${r.status()}`));
    await page.goto(`${pageOrigin}/`);
    // The activities came from the backend: the traced fetch (with traceparent) passed its CORS.
    await page.waitForSelector('li >> nth=2', { timeout: 15_000 });
    expect(await page.locator('li').count()).toBe(3);

    const fetchSpan = await stack.honeycomb.waitForSpan(
      (s) => s.serviceName === 'frontend-react-js' && s.kind === SpanKind.CLIENT && String(s.attributes['http.url'] ?? s.attributes['url.full']).endsWith('/api/activities/home'),
      30_000,
    );
    expect(fetchSpan).toMatchObject({ key: STACK_HONEYCOMB_KEY, scope: '@opentelemetry/instrumentation-fetch' });
    expect(fetchSpan.userAgent).toMatch(COLLECTOR_USER_AGENT);
    const server = await stack.honeycomb.waitForSpan((s) => s.traceId === fetchSpan.traceId && s.serviceName === 'backend-flask' && s.kind === SpanKind.SERVER, 30_000);
    expect(server.name).toBe('GET /api/activities/home');
    expect(server.parentSpanId).toBe(fetchSpan.spanId);
    // The page load is traced too.
    await stack.honeycomb.waitForSpan((s) => s.serviceName === 'frontend-react-js' && s.scope === '@opentelemetry/instrumentation-document-load', 30_000);
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);
});

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };

/** Serves the built site on 127.0.0.1:port (what `vite preview` does, without another process). */
async function serveStatic(root: string, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
    readFile(file).then(
      (body) => {
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(body);
      },
      () => {
        res.writeHead(404);
        res.end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  return server;
}
