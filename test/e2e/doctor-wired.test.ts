import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, removeScratchDirs, runObs, tempProject } from '../support/run-obs.js';

/**
 * Issue 12 item 15: doctor's instrumentation-wired check fails when the code obs wrote is no
 * longer loaded or installed -- the call, the packages, the NODE_OPTIONS preload and its file,
 * the Rails initializer, the browser module imported first -- on the bundled example and on
 * real projects (test/fixtures/instrument/<name>/SOURCE.txt).
 */
afterAll(() => removeScratchDirs());

interface CheckJson {
  id: string;
  status: string;
  detail: string;
  fix?: string;
  findings?: { file?: string; message: string; fix?: string }[];
}

async function wired(dir: string): Promise<CheckJson> {
  const run = await runObs(['doctor', '--dir', dir, '--json', '--check', 'instrumentation-wired'], { env: { CI: 'true' } });
  return (JSON.parse(run.stdout) as { checks: CheckJson[] }).checks.find((c) => c.id === 'instrumentation-wired')!;
}

async function initialized(from: string, services: string): Promise<string> {
  const dir = await tempProject(from);
  const run = await runObs(['init', '--dir', dir, '--yes', '--services', services, '--no-xray'], { env: { CI: 'true' } });
  expect(run.exitCode, run.stderr).toBe(0);
  return dir;
}

async function edit(path: string, change: (text: string) => string): Promise<void> {
  const before = await readFile(path, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  await writeFile(path, after);
}

const EXAMPLE = join(REPO_ROOT, 'examples', 'cruddur');
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'instrument');

describe('doctor instrumentation-wired', () => {
  it('Flask (examples/cruddur): passes after init; fails without the init_observability(app) call, and without the OpenTelemetry requirements', async () => {
    const dir = await initialized(EXAMPLE, 'backend-flask');
    expect(await wired(dir)).toMatchObject({ status: 'pass', detail: 'backend-flask: the SDK is loaded and its packages are declared' });

    const app = join(dir, 'backend-flask', 'app.py');
    const original = await readFile(app, 'utf8');
    await edit(app, (t) => t.replace(/^init_observability\(app\)\n/m, ''));
    expect(await wired(dir)).toMatchObject({
      status: 'fail',
      detail: 'backend-flask: backend-flask/app.py never calls init_observability(app), so backend-flask/observability.py never runs and nothing is sent',
      fix: 'add right after `app = Flask(__name__)` in backend-flask/app.py: from observability import init_observability, then init_observability(app)',
    });
    // A call left in a comment is no call.
    await writeFile(app, original.replace(/^init_observability\(app\)$/m, '# init_observability(app)'));
    expect((await wired(dir)).status).toBe('fail');
    await writeFile(app, original);

    await edit(join(dir, 'backend-flask', 'requirements.txt'), (t) => t.replace(/^opentelemetry-.*\n/gm, ''));
    const failed = await wired(dir);
    expect(failed.status).toBe('fail');
    expect(failed.detail).toBe(
      'backend-flask: backend-flask/requirements.txt does not declare opentelemetry-api, opentelemetry-sdk, opentelemetry-exporter-otlp-proto-http, opentelemetry-instrumentation-flask, which backend-flask/observability.py loads: without them it sends nothing',
    );
    expect(failed.fix).toBe(
      'add opentelemetry-api, opentelemetry-sdk, opentelemetry-exporter-otlp-proto-http, opentelemetry-instrumentation-flask to backend-flask/requirements.txt (obs init adds them), then run docker compose build backend-flask',
    );
  }, 120_000);

  it('Flask on a Python no OpenTelemetry release supports (2.7): init leaves it, and doctor says why instead of "run obs init"', async () => {
    const dir = await tempProject(EXAMPLE);
    await edit(join(dir, 'backend-flask', 'Dockerfile'), (t) => t.replace(/^FROM python:\S+/m, 'FROM python:2.7-slim'));
    const run = await runObs(['init', '--dir', dir, '--yes', '--services', 'backend-flask', '--no-xray'], { env: { CI: 'true' } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain('backend-flask: backend-flask/Dockerfile builds on Python 2.7, older than any OpenTelemetry release supports (3.6 and later)');
    const check = await wired(dir);
    expect(check.status).toBe('warn');
    expect(check.findings).toEqual([
      {
        file: 'backend-flask/Dockerfile',
        message: 'backend-flask: backend-flask/Dockerfile builds on Python 2.7, which no OpenTelemetry release supports (3.6 and later): the OTEL_* settings alone send nothing',
        fix: 'move the image to Python 3.6 or later (3.10 or later gets the newest OpenTelemetry release), then run obs init',
      },
    ]);
  });

  it('Flask app factory with uv (nickjj/docker-flask-example): the call inside create_app() counts; the packages live in pyproject.toml', async () => {
    const dir = await initialized(join(FIXTURES, 'docker-flask-example'), 'web,worker');
    expect(await wired(dir)).toMatchObject({ status: 'pass', detail: 'web, worker: the SDK is loaded and its packages are declared' });
    await edit(join(dir, 'pyproject.toml'), (t) => t.replace(/^ {2}"opentelemetry-sdk==1\.45\.1",\n/m, ''));
    expect(await wired(dir)).toMatchObject({
      status: 'fail',
      fix: 'add opentelemetry-sdk to pyproject.toml (obs init adds them), then run uv lock (updates uv.lock), then docker compose build web',
    });
  }, 120_000);

  it('Node (express-app): fails without the NODE_OPTIONS preload, when the preloaded file is gone, and without the SDK packages', async () => {
    const dir = await initialized(join(FIXTURES, 'express-app'), 'api');
    expect((await wired(dir)).status).toBe('pass');
    const compose = join(dir, 'docker-compose.yml');
    const original = await readFile(compose, 'utf8');
    await edit(compose, (t) => t.replace(/^\s*NODE_OPTIONS:.*\n/m, '\n'));
    expect(await wired(dir)).toMatchObject({
      status: 'fail',
      detail: 'api: nothing preloads tracing.cjs (NODE_OPTIONS has no --require ./tracing.cjs), so the SDK never starts and nothing is sent',
      fix: 'set on the service in the compose file: NODE_OPTIONS: "--require ./tracing.cjs"',
    });
    // The preload set in an env_file counts.
    await writeFile(compose, original.replace(/^(\s*)NODE_OPTIONS:.*\n/m, '').replace(/^( {4})environment:/m, '$1env_file: [api.env]\n$1environment:'));
    await writeFile(join(dir, 'api.env'), 'NODE_OPTIONS=--require ./tracing.cjs\n');
    expect((await wired(dir)).status).toBe('pass');
    await writeFile(compose, original);
    await rm(join(dir, 'tracing.cjs'));
    expect(await wired(dir)).toMatchObject({ status: 'fail', detail: 'api: NODE_OPTIONS preloads ./tracing.cjs, which is not in the build context: node stops at startup ("Cannot find module")' });
  }, 120_000);

  it('Node on Sentry 8 (tigredonorte/queuenode): init leaves it to Sentry, and doctor says why nothing reaches the collector', async () => {
    const dir = await initialized(join(REPO_ROOT, 'test', 'fixtures', 'corpus', 'tigredonorte__queuenode'), 'app');
    const check = await wired(dir);
    expect(check.status).toBe('warn');
    expect(check.findings?.map((f) => [f.file, f.message])).toEqual([
      ['package.json', "app: @sentry/node ^8.30.0 runs OpenTelemetry in this app and sends its spans to Sentry: the OTEL_* settings alone send nothing (obs leaves a Sentry app's tracing to Sentry)"],
    ]);
    expect(check.findings?.[0]?.fix).toMatch(/skipOpenTelemetrySetup/);
  });

  it('Node: a package.json without the SDK packages fails', async () => {
    const dir = await initialized(join(FIXTURES, 'express-app'), 'api');
    await edit(join(dir, 'package.json'), (t) => t.replace(/^\s*"@opentelemetry\/sdk-trace-node": .*\n/m, ''));
    const result = await wired(dir);
    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(/^api: package\.json does not declare @opentelemetry\/sdk-trace-node, which tracing\.cjs loads/);
  }, 120_000);

  it('Rails (nickjj/docker-rails-example): fails without the initializer, and without the OpenTelemetry gems', async () => {
    const dir = await initialized(join(FIXTURES, 'docker-rails-example'), 'web');
    expect((await wired(dir)).status).toBe('pass');
    const gemfile = join(dir, 'Gemfile');
    const original = await readFile(gemfile, 'utf8');
    await edit(gemfile, (t) => t.replace(/^gem "opentelemetry-exporter-otlp"\n/m, ''));
    expect(await wired(dir)).toMatchObject({
      status: 'fail',
      detail: 'web: Gemfile does not declare opentelemetry-exporter-otlp, which config/initializers/opentelemetry.rb loads: without them it sends nothing',
    });
    await writeFile(gemfile, original);
    await rm(join(dir, 'config', 'initializers', 'opentelemetry.rb'));
    expect(await wired(dir)).toMatchObject({
      status: 'fail',
      detail: 'web: the Gemfile has opentelemetry-sdk but no initializer configures it (config/initializers/opentelemetry.rb is missing), so nothing is sent',
    });
  }, 120_000);

  it('React (examples/cruddur): the tracing module must be the first import of the entry', async () => {
    const dir = await initialized(EXAMPLE, 'frontend-react-js');
    expect((await wired(dir)).status).toBe('pass');
    const main = join(dir, 'frontend-react-js', 'src', 'main.jsx');
    await edit(main, (t) => {
      const [first, ...rest] = t.split('\n');
      return [...rest.slice(0, 1), first, ...rest.slice(1)].join('\n');
    });
    expect(await wired(dir)).toMatchObject({
      status: 'fail',
      detail: 'frontend-react-js: frontend-react-js/src/main.jsx imports ./tracing after other modules: code they run first (fetch calls at load) is not traced',
      fix: "make `import './tracing.js';` the first import of frontend-react-js/src/main.jsx",
    });
  }, 120_000);
});
