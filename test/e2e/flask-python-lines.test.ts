import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { PYTHON_OTEL_LINES } from '../../src/instrument/python-otel-release.js';
import { SpanKind, startOtlpReceiver } from '../support/otlp-receiver.js';
import { pythonVenv } from '../support/python-venv.js';
import { gitProject, removeScratchDirs, runObs } from '../support/run-obs.js';

/**
 * The code obs writes targets the image's Python (issue 12 item 1): for each Python line, a Flask
 * app built `FROM python:3.X` is wired by the built obs (collector pipeline, CloudWatch Logs on:
 * traces and logs over OTLP). Then, for real:
 * - pip resolves the requirements obs wrote as it would on Python 3.X (`--python-version 3.X`,
 *   wheels only), so every pin has a release there: the image build would not fail;
 * - the resolved packages (the same versions; compiled ones as the machine's Python 3.11 needs
 *   them) run the module obs wrote, which parses as Python 3.X source, and its spans and logs
 *   reach an OTLP receiver.
 * Resolutions are cached beside the venvs (~/.cache/obs-e2e-venv), keyed by the requirements.
 */
afterAll(() => removeScratchDirs());

const APP = [
  'import logging, os',
  'import requests',
  'from flask import Flask',
  '',
  'app = Flask(__name__)',
  '',
  '',
  '@app.route("/hello/<name>")',
  'def hello(name):',
  '    logging.getLogger("web").warning("said hello to %s", name)',
  '    return "hello " + name',
  '',
].join('\n');

/** Requests through the app, then the providers flushed; prints what init_observability started. */
const SCRIPT = [
  'import json, logging, sys',
  'sys.path.insert(0, ".")',
  'logging.basicConfig(level=logging.INFO)',
  'import app as service',
  'import requests',
  'from opentelemetry import trace',
  'status = service.app.test_client().get("/hello/world").status_code',
  'requests.get(sys.argv[1] + "/not-a-route")',
  'trace.get_tracer_provider().force_flush()',
  'if "otlp-logs" in service.app.extensions["observability"]:',
  '    from opentelemetry import _logs',
  '    _logs.get_logger_provider().force_flush()',
  'print(json.dumps({"running": service.app.extensions["observability"], "status": status}))',
].join('\n');

async function wiredProject(python: string): Promise<string> {
  const dir = await gitProject();
  await mkdir(join(dir, 'web'));
  await writeFile(join(dir, 'compose.yaml'), 'services:\n  web:\n    build: ./web\n    ports:\n      - "5000:5000"\n');
  await writeFile(
    join(dir, 'web', 'Dockerfile'),
    `FROM python:${python}-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\nCMD ["flask", "run", "--host=0.0.0.0"]\n`,
  );
  await writeFile(join(dir, 'web', 'requirements.txt'), 'flask\nrequests\nredis\n');
  await writeFile(join(dir, 'web', 'app.py'), APP);
  const init = await runObs(['init', '--dir', dir, '--yes', '--pipeline', 'collector', '--cloudwatch', '--log-group', '/lines/web'], { env: { CI: 'true' } });
  expect(init.exitCode, init.stderr).toBe(0);
  return dir;
}

/** What pip installs for `requirements` on Python `python` (name==version each), from PyPI or the cache. */
async function resolveFor(python: string, requirements: string): Promise<string[]> {
  const key = createHash('sha256').update(`${python}\n${requirements}`).digest('hex').slice(0, 16);
  const cache = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'obs-e2e-venv', `resolved-${key}.json`);
  if (existsSync(cache)) return JSON.parse(await readFile(cache, 'utf8')) as string[];
  const work = join(cache, '..', `resolving-${key}-${process.pid}`);
  await mkdir(work, { recursive: true });
  try {
    await writeFile(join(work, 'requirements.txt'), requirements);
    const report = join(work, 'report.json');
    const target = join(work, 'target');
    await execa(
      'python3',
      [
        '-m',
        'pip',
        'install',
        '--disable-pip-version-check',
        '-q',
        '--dry-run',
        '--ignore-installed',
        '--report',
        report,
        '--python-version',
        python,
        '--only-binary=:all:',
        '--target',
        target,
        '-r',
        join(work, 'requirements.txt'),
      ],
      { timeout: 240_000 },
    );
    const installed = (JSON.parse(await readFile(report, 'utf8')) as { install: { metadata: { name: string; version: string } }[] }).install;
    const resolved = installed.map((i) => `${i.metadata.name}==${i.metadata.version}`).sort();
    await writeFile(cache, JSON.stringify(resolved));
    return resolved;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

describe.each(PYTHON_OTEL_LINES.map((line) => ({ ...line, python: `${line.python.major}.${line.python.minor}` })))('a Flask app built FROM python:$python', ({ python, stable, contrib }) => {
  it(`gets OpenTelemetry ${stable} (contrib ${contrib}), which pip installs there, and its traces${stable === '1.12.0' ? '' : ' and logs'} arrive`, async () => {
    const dir = await wiredProject(python);
    const requirements = await readFile(join(dir, 'web', 'requirements.txt'), 'utf8');
    const module = await readFile(join(dir, 'web', 'observability.py'), 'utf8');

    // What obs pinned has a release for this Python: pip resolves exactly those versions there.
    const resolved = await resolveFor(python, requirements);
    for (const pkg of ['opentelemetry-api', 'opentelemetry-sdk', 'opentelemetry-exporter-otlp-proto-http']) expect(resolved).toContain(`${pkg}==${stable}`);
    for (const pkg of ['flask', 'requests', 'redis']) expect(resolved).toContain(`opentelemetry-instrumentation-${pkg}==${contrib}`);

    // The module parses as source of that Python (no syntax newer than it).
    const parse = await execa('python3', ['-c', `import ast, sys; ast.parse(sys.stdin.read(), feature_version=(${python.replace('.', ', ')}))`], { input: module, reject: false });
    expect(parse.exitCode, parse.stderr).toBe(0);

    const venv = await pythonVenv(resolved);
    const receiver = await startOtlpReceiver();
    try {
      const run = await execa(venv.python, ['-c', SCRIPT, receiver.url], {
        cwd: join(dir, 'web'),
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', OTEL_SERVICE_NAME: 'web', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url },
        extendEnv: false,
        reject: false,
      });
      expect(run.exitCode, run.stderr).toBe(0);
      // Python 3.6's last release has no logs API: obs turned OTLP logs off there (and said so at init).
      const logs = stable !== '1.12.0';
      expect(JSON.parse(run.stdout)).toEqual({ running: logs ? ['opentelemetry', 'otlp-logs'] : ['opentelemetry'], status: 200 });
      expect(run.stderr).not.toMatch(/observability: .*(missing packages|is off)/);
      const server = await receiver.waitForSpan((s) => s.kind === SpanKind.SERVER, 10_000);
      expect(server).toMatchObject({ serviceName: 'web', scope: { name: 'opentelemetry.instrumentation.flask' } });
      expect(server.attributes['http.route']).toBe('/hello/<name>');
      expect((await receiver.waitForSpan((s) => s.kind === SpanKind.CLIENT, 10_000)).scope.name).toBe('opentelemetry.instrumentation.requests');
      if (logs) expect((await receiver.waitForLogRecord((r) => JSON.stringify(r.body).includes('said hello to world'), 10_000)).serviceName).toBe('web');
      else expect(receiver.requests.filter((r) => r.path === '/v1/logs')).toEqual([]);
    } finally {
      await receiver.close();
    }
  }, 600_000);
});
