import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flaskPackages, planFlask, scanPython, type InstrumentInput } from '../../src/instrument/flask.js';
import { addRequirements, includedRequirementFiles } from '../../src/instrument/requirements.js';
import { addPyprojectDependencies } from '../../src/instrument/pyproject-dependencies.js';
import { MANAGED_MARKER, renderTemplate, templateLoader, templatePath } from '../../src/instrument/template.js';

const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');
const crlf = (...lines: string[]) => lines.map((l) => `${l}\r\n`).join('');

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'cruddur', 'backend-flask');
const exampleFile = (name: string) => readFileSync(join(EXAMPLE, name), 'utf8');

const ALL = { honeycomb: true, xray: true, cloudwatch: true, rollbar: true };
const OTEL = [
  'opentelemetry-api==1.45.1',
  'opentelemetry-sdk==1.45.1',
  'opentelemetry-exporter-otlp-proto-http==1.45.1',
  'opentelemetry-instrumentation-flask==0.66b1',
  'opentelemetry-instrumentation-requests==0.66b1',
];
/** The same packages without versions (requirements.txt handling does not depend on them). */
const OTEL_NAMES = OTEL.map((p) => p.split('==')[0]!);

function input(files: Record<string, string>, over: Partial<InstrumentInput> = {}): InstrumentInput {
  return {
    serviceDir: 'backend-flask',
    serviceName: 'backend-flask',
    backends: ALL,
    logGroup: '/cruddur',
    files: new Map(Object.entries(files)),
    template: templateLoader('flask'),
    ...over,
  };
}

/** The plan's files after applying it, keyed by path relative to the service folder. */
function applied(plan: ReturnType<typeof planFlask>, files: Record<string, string>): Record<string, string> {
  const out = { ...files };
  for (const change of plan.changes) out[change.path.replace(/^backend-flask\//, '')] = change.after;
  return out;
}

const APP = lf('import os', 'from flask import Flask', '', 'app = Flask(__name__)', '', '@app.route("/")', 'def index():', '    return "ok"');
const APP_AFTER = lf(
  'import os',
  'from flask import Flask',
  '',
  'app = Flask(__name__)',
  'from observability import init_observability',
  'init_observability(app)',
  '',
  '@app.route("/")',
  'def index():',
  '    return "ok"',
);
const PASTE = ['    add right after `app = Flask(__name__)` in the app file:', '        from observability import init_observability', '        init_observability(app)'];

describe('renderTemplate and templatePath', () => {
  it('fills every {{NAME}} and refuses a placeholder without a value', () => {
    expect(renderTemplate('a={{A}} b={{B_2}} a={{A}}', { A: '1', B_2: '"x"' })).toBe('a=1 b="x" a=1');
    expect(() => renderTemplate('x={{MISSING}}', { A: '1' })).toThrow('template placeholder {{MISSING}} has no value');
    // Values are inserted as they are, never rendered again.
    expect(renderTemplate('{{A}}', { A: '{{B}}' })).toBe('{{B}}');
  });

  it('finds templates/ from the package root', () => {
    expect(templatePath('flask', 'observability.py')).toBe(join(import.meta.dirname, '..', '..', 'templates', 'flask', 'observability.py'));
    expect(templateLoader('flask')('observability.py')).toContain(MANAGED_MARKER);
  });
});

describe('addRequirements', () => {
  it('appends what is missing under one comment, keeping the file as it was', () => {
    const before = lf('flask>=2.2', '# HTTP client', 'requests>=2.28');
    expect(addRequirements(before, ['opentelemetry-api', 'requests', 'aws-xray-sdk'])).toEqual({
      text: lf('flask>=2.2', '# HTTP client', 'requests>=2.28', '', '# Observability (added by obs init)', 'opentelemetry-api', 'aws-xray-sdk'),
      added: ['opentelemetry-api', 'aws-xray-sdk'],
    });
  });

  it('recognises a package in any spelling: case, _ and ., extras, specifiers, markers, URLs, #egg=', () => {
    const before = lf(
      'OpenTelemetry_API[extra]>=1.16 ; python_version >= "3.8"',
      'opentelemetry.sdk==1.16.0  # pinned',
      'opentelemetry-exporter-otlp-proto-http (>=1.0)',
      'aws-xray-sdk @ https://example.com/aws_xray_sdk-2.12.0-py2.py3-none-any.whl',
      '-e git+https://github.com/kislyuk/watchtower.git#egg=watchtower',
      'Rollbar~=1.0',
      '--extra-index-url https://example.com/simple \\',
      '  --pre',
      '-i https://pypi.org/simple',
    );
    expect(addRequirements(before, [...OTEL_NAMES, 'aws-xray-sdk', 'watchtower', 'rollbar', 'blinker'])).toEqual({
      text: `${before}\n# Observability (added by obs init)\nopentelemetry-instrumentation-flask\nopentelemetry-instrumentation-requests\nblinker\n`,
      added: ['opentelemetry-instrumentation-flask', 'opentelemetry-instrumentation-requests', 'blinker'],
    });
  });

  it('a commented-out package is absent; a misspelt one is left alone', () => {
    const before = lf('flask', '#opentelemetry-api', 'pentelemetry-instrumentation-flask');
    const result = addRequirements(before, ['opentelemetry-api', 'opentelemetry-instrumentation-flask']);
    expect(result.text).toBe(`${before}\n# Observability (added by obs init)\nopentelemetry-api\nopentelemetry-instrumentation-flask\n`);
  });

  it('reads the files -r lines name, when given; without them it adds to the file itself', () => {
    const before = lf('-r requirements/base.txt', 'flask');
    const base = lf('aws-xray-sdk==2.12.0', '-r ../shared.txt');
    const shared = lf('rollbar');
    const files = new Map([
      ['requirements/base.txt', base],
      ['shared.txt', shared],
    ]);
    expect(addRequirements(before, ['aws-xray-sdk', 'rollbar', 'blinker'], { include: (p) => files.get(p) })).toEqual({
      text: `${before}\n# Observability (added by obs init)\nblinker\n`,
      added: ['blinker'],
    });
    expect(addRequirements(before, ['aws-xray-sdk'])).toEqual({ text: `${before}\n# Observability (added by obs init)\naws-xray-sdk\n`, added: ['aws-xray-sdk'] });
    expect(includedRequirementFiles(before)).toEqual(['requirements/base.txt']);
    expect(includedRequirementFiles(base, 'requirements/base.txt')).toEqual(['shared.txt']);
  });

  it('keeps CRLF line endings and a missing final newline', () => {
    expect(addRequirements(crlf('flask', 'requests'), ['rollbar']).text).toBe(crlf('flask', 'requests', '', '# Observability (added by obs init)', 'rollbar'));
    expect(addRequirements('flask', ['rollbar']).text).toBe(lf('flask', '', '# Observability (added by obs init)', 'rollbar'));
    expect(addRequirements('flask\n\n', ['rollbar']).text).toBe(lf('flask', '', '# Observability (added by obs init)', 'rollbar'));
    expect(addRequirements('', ['rollbar']).text).toBe(lf('# Observability (added by obs init)', 'rollbar'));
  });

  it('changes nothing when every package is there (idempotent)', () => {
    const once = addRequirements(lf('flask'), OTEL_NAMES).text!;
    expect(addRequirements(once, OTEL_NAMES)).toEqual({ text: once, added: [] });
  });

  it('refuses a file that only installs the project itself, or a line it cannot read', () => {
    expect(addRequirements(lf('-e .'), ['rollbar'])).toEqual({
      text: undefined,
      reason: 'requirements.txt only installs `-e .`: the packages are declared elsewhere (setup.py or pyproject.toml)',
    });
    expect(addRequirements(lf('-e git+https://github.com/org/app.git'), ['rollbar']).text).toBeUndefined();
    expect(addRequirements(lf('flask', 'requests 2.28'), ['rollbar'])).toEqual({
      text: undefined,
      reason: 'requirements.txt:2: obs cannot read `requests 2.28` as a requirement',
    });
    expect(addRequirements(lf('flask', '<<<<<<< HEAD', 'rollbar', '=======', '>>>>>>> main'), ['rollbar']).text).toBeUndefined();
  });

  it("refuses a file in pip's hash-checking mode: a line without --hash would stop pip install", () => {
    const reason =
      'requirements.txt:2: pip checks hashes for every package of this file (--hash), so a package added without its hash stops pip install; ' +
      'add the packages to the file it is generated from (e.g. requirements.in) and regenerate it with hashes';
    const hashed = lf('# generated by pip-compile --generate-hashes', 'flask==3.0.0 \\', '    --hash=sha256:21128f47e4e3b9d597a3e8521a329bf56909b690fcc3fa3e477725aa81367638');
    expect(addRequirements(hashed, ['rollbar'])).toEqual({ text: undefined, reason });
    expect(addRequirements(lf('flask', '--require-hashes'), ['rollbar'])).toEqual({ text: undefined, reason });
    // A -r file in hash-checking mode puts the whole install in it.
    const include = (p: string) => (p === 'locked.txt' ? lf('flask==3.0.0 --hash=sha256:abc') : undefined);
    expect(addRequirements(lf('-r locked.txt'), ['rollbar'], { include })).toEqual({ text: undefined, reason: reason.replace('requirements.txt:2', 'locked.txt:1') });
    // Everything present: nothing to add, nothing refused.
    expect(addRequirements(lf('rollbar==1.0 --hash=sha256:abc'), ['rollbar'])).toEqual({ text: lf('rollbar==1.0 --hash=sha256:abc'), added: [] });
  });
});

describe('addPyprojectDependencies', () => {
  it('adds to a multi-line [project] dependencies list in its own style', () => {
    // The last entry has no comma: obs's lines go first, so the user's lines stay as written.
    const before = lf('[project]', 'name = "api"', 'dependencies = [', "    'flask>=2.2',", "    'requests'", ']', '', '[tool.ruff]', 'line-length = 100');
    expect(addPyprojectDependencies(before, ['Flask', 'rollbar', 'blinker'])).toEqual({
      text: lf('[project]', 'name = "api"', 'dependencies = [', "    'rollbar',", "    'blinker',", "    'flask>=2.2',", "    'requests'", ']', '', '[tool.ruff]', 'line-length = 100'),
      added: ['rollbar', 'blinker'],
    });
    // With a trailing comma they go last.
    const trailing = before.replace("    'requests'\n", "    'requests',\n");
    expect(addPyprojectDependencies(trailing, ['rollbar']).text).toBe(trailing.replace("    'requests',\n", "    'requests',\n    'rollbar',\n"));
  });

  it('adds to a one-line list and to Poetry dependencies', () => {
    expect(addPyprojectDependencies(lf('[project]', 'dependencies = ["flask"]'), ['rollbar', 'blinker']).text).toBe(lf('[project]', 'dependencies = ["flask", "rollbar", "blinker"]'));
    expect(addPyprojectDependencies(lf('[project]', 'dependencies = []'), ['rollbar']).text).toBe(lf('[project]', 'dependencies = ["rollbar"]'));
    const poetry = lf('[tool.poetry.dependencies]', 'python = "^3.11"', 'Flask = "^3.0"', '', '[build-system]', 'requires = ["poetry-core"]');
    expect(addPyprojectDependencies(poetry, ['flask', 'aws-xray-sdk'])).toEqual({
      text: lf('[tool.poetry.dependencies]', 'python = "^3.11"', 'Flask = "^3.0"', 'aws-xray-sdk = "*"', '', '[build-system]', 'requires = ["poetry-core"]'),
      added: ['aws-xray-sdk'],
    });
  });

  it('refuses dynamic dependencies and a file without a dependency table', () => {
    expect(addPyprojectDependencies(lf('[project]', 'name = "api"', 'dynamic = ["dependencies"]'), ['rollbar']).text).toBeUndefined();
    expect(addPyprojectDependencies(lf('[tool.black]', 'line-length = 88'), ['rollbar'])).toEqual({
      text: undefined,
      reason: 'pyproject.toml has no [project] or [tool.poetry.dependencies] table obs can add packages to',
    });
  });
});

describe('scanPython', () => {
  it('blanks strings and comments and knows which lines start a statement', () => {
    const scan = scanPython(lf('x = """', 'app = Flask(__name__)', '"""', 'y = (1,', '  2)  # init_observability(app)', 'z = 1 \\', '  + 2'));
    expect('code' in scan && scan.cleanLineStarts).toEqual([true, false, false, true, false, true, false, true]);
    expect('code' in scan && scan.code.includes('init_observability')).toBe(false);
  });

  it('reports what it cannot follow', () => {
    expect(scanPython('x = "open\n')).toEqual({ error: 'string on line 1 is not closed on its line' });
    expect(scanPython("x = '''\nnever closed\n")).toEqual({ error: 'string opened on line 1 is never closed' });
    expect(scanPython('x = (1,\n')).toEqual({ error: 'a bracket is never closed' });
  });
});

describe('planFlask', () => {
  it('instruments the example backend: module, requirements and two lines after app = Flask(__name__)', () => {
    const files = { 'requirements.txt': exampleFile('requirements.txt'), 'app.py': exampleFile('app.py'), Dockerfile: exampleFile('Dockerfile') };
    const plan = planFlask(input(files));
    expect(plan.notes).toEqual([]);
    expect(plan.changes.map((c) => [c.path, c.before === null])).toEqual([
      ['backend-flask/observability.py', true],
      ['backend-flask/requirements.txt', false],
      ['backend-flask/app.py', false],
    ]);
    expect(plan.changes[1]!.after).toBe(
      lf('flask>=2.2', 'requests>=2.28', 'python-dotenv>=1.0', '', '# Observability (added by obs init)', ...OTEL, 'aws-xray-sdk', 'watchtower', 'rollbar', 'blinker'),
    );
    expect(plan.changes[2]!.after).toBe(exampleFile('app.py').replace('app = Flask(__name__)\n', 'app = Flask(__name__)\nfrom observability import init_observability\ninit_observability(app)\n'));
    // A second plan over the result changes nothing.
    expect(planFlask(input(applied(plan, files)))).toEqual({ changes: [], notes: [] });
  });

  it('renders the module from the template with the choices as Python literals', () => {
    const module = planFlask(input({ 'requirements.txt': 'flask\n', 'app.py': APP }, { backends: { honeycomb: true, xray: true, cloudwatch: false, rollbar: false } })).changes[0]!.after;
    expect(module).toBe(
      renderTemplate(templateLoader('flask')('observability.py'), {
        SERVICE_NAME: '"backend-flask"',
        PIPELINE: 'direct',
        OTEL_TRACES: 'True',
        OTEL_LOGS: 'False',
        XRAY_SDK: 'True',
        WATCHTOWER: 'False',
        ROLLBAR: 'False',
        LOG_GROUP: 'None',
        INSTALL_COMMAND: '"pip install -r requirements.txt"',
        INSTRUMENTATIONS: '',
      }),
    );
    expect(module).toContain(
      lf(
        'SERVICE_NAME = "backend-flask"',
        'PIPELINE = "direct"',
        'OTEL_TRACES = True',
        'OTEL_LOGS = False',
        'XRAY_SDK = True',
        'WATCHTOWER = False',
        'ROLLBAR = False',
        'LOG_GROUP = None',
        'INSTALL_COMMAND = "pip install -r requirements.txt"',
      ),
    );
    expect(module).not.toContain('{{');
    const withLogs = planFlask(input({ 'pyproject.toml': lf('[project]', 'dependencies = ["flask", "requests>=2"]'), 'app.py': APP }, { serviceName: 'api' })).changes[0]!.after;
    expect(withLogs).toContain(
      lf(
        'SERVICE_NAME = "api"',
        'PIPELINE = "direct"',
        'OTEL_TRACES = True',
        'OTEL_LOGS = False',
        'XRAY_SDK = True',
        'WATCHTOWER = True',
        'ROLLBAR = True',
        'LOG_GROUP = "/cruddur"',
        'INSTALL_COMMAND = "pip install ."',
      ),
    );
    expect(withLogs).toContain(lf('INSTRUMENTATIONS = [', '    ("opentelemetry.instrumentation.requests", "RequestsInstrumentor", "opentelemetry-instrumentation-requests"),', ']'));
  });

  it('collector pipeline: OpenTelemetry only (traces, and logs over OTLP for CloudWatch), no X-Ray SDK, no watchtower', () => {
    const all = { honeycomb: true, xray: true, cloudwatch: true, rollbar: true };
    const files = { 'requirements.txt': exampleFile('requirements.txt'), 'app.py': exampleFile('app.py') };
    const plan = planFlask(input(files, { backends: all, pipeline: 'collector' }));
    const module = plan.changes[0]!.after;
    expect(module).toContain(lf('PIPELINE = "collector"', 'OTEL_TRACES = True', 'OTEL_LOGS = True', 'XRAY_SDK = False', 'WATCHTOWER = False', 'ROLLBAR = True', 'LOG_GROUP = None'));
    expect(plan.changes[1]!.after.split('# Observability (added by obs init)\n')[1]).toBe(lf(...OTEL, 'rollbar', 'blinker'));
    // X-Ray alone through a collector is still OpenTelemetry traces; CloudWatch alone is OTLP logs without any instrumentation.
    expect(flaskPackages({ honeycomb: false, xray: true, cloudwatch: false, rollbar: false }, 'collector', new Map([['requests', '']]))).toEqual(OTEL);
    expect(flaskPackages({ honeycomb: false, xray: false, cloudwatch: true, rollbar: false }, 'collector')).toEqual(OTEL.slice(0, 3));
    // The same backends, direct: today's parts.
    expect(flaskPackages(all, 'direct', new Map([['requests', '']]))).toEqual([...OTEL, 'aws-xray-sdk', 'watchtower', 'rollbar', 'blinker']);
  });

  it('adds an instrumentation only for a library the service declares, and follows an exact OpenTelemetry pin', () => {
    const honeycomb = { honeycomb: true, xray: false, cloudwatch: false, rollbar: false };
    const requirements = lf('Flask==3.0.0', 'psycopg2-binary==2.9.9', 'boto3', 'SQLAlchemy>=2', '-r extra.txt');
    const plan = planFlask(input({ 'requirements.txt': requirements, 'extra.txt': 'redis\n', 'app.py': APP }, { backends: honeycomb }));
    expect(plan.changes[1]!.after.split('# Observability (added by obs init)\n')[1]).toBe(
      lf(
        ...OTEL.slice(0, 4),
        'opentelemetry-instrumentation-psycopg2==0.66b1',
        'opentelemetry-instrumentation-sqlalchemy==0.66b1',
        'opentelemetry-instrumentation-redis==0.66b1',
        'opentelemetry-instrumentation-botocore==0.66b1',
      ),
    );
    expect(plan.changes[0]!.after).toContain('    ("opentelemetry.instrumentation.psycopg2", "Psycopg2Instrumentor", "opentelemetry-instrumentation-psycopg2"),');
    expect(plan.changes[0]!.after).not.toContain('opentelemetry.instrumentation.requests');
    // The project pins the SDK to 1.15.0: the exporter and contrib packages follow that release.
    const pinned = lf('flask', 'requests', 'opentelemetry-api==1.15.0', 'opentelemetry-sdk==1.15.0');
    expect(planFlask(input({ 'requirements.txt': pinned, 'app.py': APP }, { backends: honeycomb })).changes[1]!.after).toBe(
      `${pinned}\n# Observability (added by obs init)\n` +
        lf('opentelemetry-exporter-otlp-proto-http==1.15.0', 'opentelemetry-instrumentation-flask==0.36b0', 'opentelemetry-instrumentation-requests==0.36b0'),
    );
    // A patch release: sdk 1.45.1 needs semantic-conventions 0.66b1, as contrib 0.66b1 does (0.66b0 cannot install with it).
    const patch = lf('flask', 'opentelemetry-sdk==1.45.1');
    expect(planFlask(input({ 'requirements.txt': patch, 'app.py': APP }, { backends: honeycomb })).changes[1]!.after).toBe(
      `${patch}\n# Observability (added by obs init)\n` + lf('opentelemetry-api', 'opentelemetry-exporter-otlp-proto-http==1.45.1', 'opentelemetry-instrumentation-flask==0.66b1'),
    );
    // Poetry gets the pin as a version string.
    const poetry = lf('[tool.poetry.dependencies]', 'python = "^3.11"', 'flask = "^3"', 'opentelemetry-sdk = "==1.27.0"');
    expect(planFlask(input({ 'pyproject.toml': poetry, 'app.py': APP }, { backends: honeycomb })).changes[1]!.after).toContain(
      lf('opentelemetry-api = "*"', 'opentelemetry-exporter-otlp-proto-http = "1.27.0"', 'opentelemetry-instrumentation-flask = "0.48b0"'),
    );
  });

  it("writes the OpenTelemetry release for the image's Python: the newest, or the last one that still supports an older Python", () => {
    const honeycomb = { honeycomb: true, xray: false, cloudwatch: false, rollbar: false };
    const added = (dockerfile?: string) =>
      planFlask(input({ 'requirements.txt': 'flask\nrequests\n', 'app.py': APP, ...(dockerfile ? { Dockerfile: dockerfile } : {}) }, { backends: honeycomb })).changes[1]!.after.split(
        '# Observability (added by obs init)\n',
      )[1];
    expect(added()).toBe(lf(...OTEL));
    expect(added(lf('FROM python:3.11-slim', 'COPY . .'))).toBe(lf(...OTEL));
    expect(added(lf('FROM python:3.10', 'COPY . .'))).toBe(lf(...OTEL));
    // The release needs Python >= 3.10: on 3.9 obs pins the last release that runs there (what pip would pick).
    const at = (stable: string, contrib: string) => OTEL.map((p) => p.replace('1.45.1', stable).replace('0.66b1', contrib));
    expect(added(lf('FROM python:3.9-slim AS build', 'RUN true', 'FROM build', 'COPY . .'))).toBe(lf(...at('1.41.1', '0.62b1')));
    expect(added(lf('FROM python:3.8-alpine'))).toBe(lf(...at('1.33.1', '0.54b1')));
    expect(added(lf('FROM python:3.7'))).toBe(lf(...at('1.22.0', '0.43b0')));
    expect(added(lf('FROM python:3.6-alpine'))).toBe(lf(...at('1.12.0', '0.33b0')));
    const honeycombOnly = (requirements: string[]) => flaskPackages(honeycomb, 'direct', new Map(requirements.map((r) => [r.split(/[=<>~]/)[0]!, r.slice(r.split(/[=<>~]/)[0]!.length)])));
    // A contrib pin names the release too (0.37b0 was made with 1.16.0).
    expect(honeycombOnly(['flask', 'opentelemetry-instrumentation-flask==0.37b0'])).toEqual([
      'opentelemetry-api==1.16.0',
      'opentelemetry-sdk==1.16.0',
      'opentelemetry-exporter-otlp-proto-http==1.16.0',
      'opentelemetry-instrumentation-flask==0.37b0',
    ]);
    // Any other bound on an OpenTelemetry package could contradict a pin: pip decides.
    expect(honeycombOnly(['flask', 'opentelemetry-sdk<1.30'])).toEqual(OTEL_NAMES.slice(0, 4));
    expect(honeycombOnly(['flask', 'opentelemetry-sdk', 'opentelemetry-exporter-otlp-proto-http'])).toEqual(OTEL.slice(0, 4));
  });

  it('uv and poetry lock for every Python the project declares: the lowest one picks the release, or the lock cannot succeed', () => {
    const pyproject = (python: string) => lf('[tool.poetry]', 'name = "app"', '', '[tool.poetry.dependencies]', `python = "${python}"`, 'flask = "^3.0"');
    const plan = (python: string) =>
      planFlask(
        input(
          { 'pyproject.toml': pyproject(python), 'poetry.lock': '', 'app.py': APP, Dockerfile: lf('FROM python:3.12-slim', 'RUN poetry install') },
          { backends: { honeycomb: true, xray: false, cloudwatch: false, rollbar: false } },
        ),
      );
    const pins = (python: string) =>
      plan(python)
        .changes.find((c) => c.path === 'backend-flask/pyproject.toml')!
        .after.match(/^opentelemetry-sdk = .*$/m)?.[0];
    expect(pins('^3.12')).toBe('opentelemetry-sdk = "1.45.1"');
    expect(pins('>=3.9,<4')).toBe('opentelemetry-sdk = "1.41.1"');
    expect(plan('^3.5').notes).toContainEqual(
      expect.stringMatching(
        /^backend-flask: backend-flask\/pyproject\.toml allows Python \^3\.5, and poetry locks for every Python in that range.*the lock fails until the lower bound is 3\.6 or later/,
      ),
    );
  });

  it('a Python older than any OpenTelemetry release (3.5, 2.7): the app is left alone, and why is said', () => {
    for (const image of ['python:2.7-slim', 'python:3.5']) {
      const plan = planFlask(input({ 'requirements.txt': 'flask\n', 'app.py': APP, Dockerfile: lf(`FROM ${image}`, 'COPY . .') }));
      expect(plan.changes).toEqual([]);
      expect(plan.notes).toEqual([
        expect.stringMatching(
          /^backend-flask: backend-flask\/Dockerfile builds on Python (2\.7|3\.5), older than any OpenTelemetry release supports \(3\.6 and later\): obs writes no code and adds no packages/,
        ),
      ]);
    }
  });

  it('an instrumentation with no release at the line for the image (psycopg before contrib 0.45) is left out and said; Python 3.6 sends no OTLP logs', () => {
    const collector = { honeycomb: true, xray: false, cloudwatch: true, rollbar: false };
    const files = { 'requirements.txt': 'flask\npsycopg[binary]\nredis\n', 'app.py': APP, Dockerfile: lf('FROM python:3.6-slim', 'COPY . .') };
    const plan = planFlask(input(files, { backends: collector, pipeline: 'collector' }));
    const requirements = plan.changes.find((c) => c.path === 'backend-flask/requirements.txt')!.after;
    expect(requirements).toContain('opentelemetry-instrumentation-redis==0.33b0');
    expect(requirements).not.toContain('psycopg==');
    const module = plan.changes.find((c) => c.path === 'backend-flask/observability.py')!.after;
    expect(module).toContain('OTEL_LOGS = False');
    expect(module).not.toContain('opentelemetry.instrumentation.psycopg"');
    expect(plan.notes).toEqual([
      "backend-flask: opentelemetry-instrumentation-psycopg has no release for Python 3.6 (the image's) (contrib 0.33b0): obs leaves it out, so psycopg calls make no spans",
      expect.stringMatching(/^backend-flask: OpenTelemetry 1\.12\.0, the last release for Python 3\.6 \(the image's\), has no logs API: the app's logs do not reach CloudWatch Logs/),
    ]);
    // On 3.8 both are there.
    const newer = planFlask(input({ ...files, Dockerfile: lf('FROM python:3.8-slim', 'COPY . .') }, { backends: collector, pipeline: 'collector' }));
    expect(newer.changes.find((c) => c.path === 'backend-flask/requirements.txt')!.after).toContain('opentelemetry-instrumentation-psycopg==0.54b1');
    expect(newer.changes.find((c) => c.path === 'backend-flask/observability.py')!.after).toContain('OTEL_LOGS = True');
    expect(newer.notes).toEqual([]);
  });

  it('edits only what each backend needs, at paths relative to where obs runs', () => {
    const plan = planFlask(input({ 'requirements.txt': 'flask\n', 'app.py': APP }, { serviceDir: '.', backends: { honeycomb: false, xray: true, cloudwatch: false, rollbar: false } }));
    expect(plan.changes.map((c) => c.path)).toEqual(['observability.py', 'requirements.txt', 'app.py']);
    expect(plan.changes[1]!.after).toBe(lf('flask', '', '# Observability (added by obs init)', 'aws-xray-sdk'));
    expect(plan.changes[2]!.after).toBe(APP_AFTER);
    expect(flaskPackages({ honeycomb: false, xray: false, cloudwatch: true, rollbar: true })).toEqual(['watchtower', 'rollbar', 'blinker']);
    expect(planFlask(input({ 'app.py': APP }, { backends: { honeycomb: false, xray: false, cloudwatch: false, rollbar: false } }))).toEqual({ changes: [], notes: [] });
  });

  it('keeps the indentation, the variable name and CRLF of the app line', () => {
    const app = crlf('from flask import Flask', '', 'def create_app():', '    api = Flask(__name__)  # the app', '    return api');
    const plan = planFlask(input({ 'requirements.txt': 'flask\n', 'app.py': app }));
    expect(plan.changes.find((c) => c.path.endsWith('app.py'))!.after).toBe(
      crlf(
        'from flask import Flask',
        '',
        'def create_app():',
        '    api = Flask(__name__)  # the app',
        '    from observability import init_observability',
        '    init_observability(api)',
        '    return api',
      ),
    );
    // The app line as the last line, without a final newline.
    const last = planFlask(input({ 'requirements.txt': 'flask\n', 'app.py': 'from flask import Flask\napp = Flask(__name__)' }));
    expect(last.changes.find((c) => c.path.endsWith('app.py'))!.after).toBe('from flask import Flask\napp = Flask(__name__)\nfrom observability import init_observability\ninit_observability(app)');
  });

  it('adds only the call when the import is already there, before the app line', () => {
    const app = lf('from flask import Flask', 'from observability import init_observability', '', 'app = Flask(__name__)', 'x = 1');
    const plan = planFlask(input({ 'requirements.txt': 'flask\n', 'app.py': app }));
    expect(plan.changes.find((c) => c.path.endsWith('app.py'))!.after).toBe(
      lf('from flask import Flask', 'from observability import init_observability', '', 'app = Flask(__name__)', 'init_observability(app)', 'x = 1'),
    );
    // An import inside another function does not reach the call: both lines are added.
    const scoped = lf('def other():', '    from observability import init_observability', 'app = Flask(__name__)');
    expect(planFlask(input({ 'requirements.txt': 'flask\n', 'app.py': scoped })).changes.find((c) => c.path.endsWith('app.py'))!.after).toBe(
      lf('def other():', '    from observability import init_observability', 'app = Flask(__name__)', 'from observability import init_observability', 'init_observability(app)'),
    );
    // An import after the app line does not run first: both lines are added.
    const late = lf('from flask import Flask', 'app = Flask(__name__)', 'from observability import init_observability');
    expect(planFlask(input({ 'requirements.txt': 'flask\n', 'app.py': late })).changes.find((c) => c.path.endsWith('app.py'))!.after).toBe(
      lf('from flask import Flask', 'app = Flask(__name__)', 'from observability import init_observability', 'init_observability(app)', 'from observability import init_observability'),
    );
  });

  it('uses wsgi.py when app.py does not create the app', () => {
    const files = { 'requirements.txt': 'flask\n', 'app.py': lf('def helper():', '    pass'), 'wsgi.py': APP };
    const plan = planFlask(input(files));
    expect(plan.changes.map((c) => c.path)).toEqual(['backend-flask/observability.py', 'backend-flask/requirements.txt', 'backend-flask/wsgi.py']);
    expect(plan.changes[2]!.after).toBe(APP_AFTER);
  });

  it('never touches an app file that already calls init_observability', () => {
    const app = lf('from flask import Flask', 'from observability import init_observability', 'app = Flask(__name__)', 'init_observability(app)');
    const plan = planFlask(input({ 'requirements.txt': 'flask\n', 'app.py': app }));
    expect(plan.changes.map((c) => c.path)).toEqual(['backend-flask/observability.py', 'backend-flask/requirements.txt']);
    expect(plan.notes).toEqual([]);
  });

  it('a call in a comment or a string does not count', () => {
    const app = lf('from flask import Flask', '# init_observability(app)', 'app = Flask(__name__)', 'DOC = "init_observability(app)"');
    const plan = planFlask(input({ 'requirements.txt': 'flask\n', 'app.py': app }));
    expect(plan.changes.map((c) => c.path)).toContain('backend-flask/app.py');
  });

  it('without an app file: writes nothing (no module nothing calls) and prints what to paste', () => {
    const plan = planFlask(input({ 'requirements.txt': 'flask\n' }, { backends: { honeycomb: false, xray: true, cloudwatch: false, rollbar: false } }));
    expect(plan.changes).toEqual([]);
    expect(plan.notes).toEqual([
      [
        'backend-flask: the service has no app.py or wsgi.py. obs writes nothing for backend-flask yet; to finish by hand:',
        '    add to backend-flask/requirements.txt:',
        '        aws-xray-sdk',
        '    then run: docker compose build backend-flask',
        ...PASTE,
        '    then run obs init again: it writes backend-flask/observability.py once the app calls it',
      ].join('\n'),
    ]);
  });

  it('an app file it cannot parse: nothing written, and the note says why', () => {
    const app = lf('from flask import Flask', 'app = Flask(__name__)', 'x = "unterminated');
    const plan = planFlask(input({ 'requirements.txt': lf('flask', 'aws-xray-sdk'), 'app.py': app }, { backends: { honeycomb: false, xray: true, cloudwatch: false, rollbar: false } }));
    expect(plan.changes).toEqual([]);
    expect(plan.notes).toEqual([
      [
        'backend-flask: obs cannot parse app.py (string on line 3 is not closed on its line). obs writes nothing for backend-flask yet; to finish by hand:',
        ...PASTE,
        '    then run obs init again: it writes backend-flask/observability.py once the app calls it',
      ].join('\n'),
    ]);
  });

  it('no `app = Flask(__name__)` line, or two of them: nothing written', () => {
    const factory = lf('from flask import Flask', 'from web import make_app', 'app = make_app()');
    expect(planFlask(input({ 'requirements.txt': 'flask\n', 'app.py': factory })).notes[0]).toMatch(/^backend-flask: no `app = Flask\(__name__\)` line in app.py\. /);
    const twice = lf('from flask import Flask', 'app = Flask(__name__)', 'admin = Flask(__name__)');
    const plan = planFlask(input({ 'requirements.txt': 'flask\n', 'app.py': twice }));
    expect(plan.changes).toEqual([]);
    expect(plan.notes[0]).toMatch(/^backend-flask: app\.py creates Flask\(__name__\) 2 times\. /);
  });

  it('an app wired by hand (the bootcamp lib/*.py helpers) is left alone', () => {
    const app = lf('from flask import Flask', 'from lib.xray import init_xray', '# from lib.rollbar import init_rollbar', 'app = Flask(__name__)', 'init_xray(app)');
    const plan = planFlask(input({ 'requirements.txt': lf('flask', 'aws-xray-sdk'), 'app.py': app }, { backends: { honeycomb: false, xray: true, cloudwatch: false, rollbar: false } }));
    expect(plan.changes).toEqual([]);
    expect(plan.notes).toEqual([
      [
        'backend-flask: app.py already sets up telemetry by hand (init_xray): replace that setup with the call below. obs writes nothing for backend-flask yet; to finish by hand:',
        ...PASTE,
        '    then run obs init again: it writes backend-flask/observability.py once the app calls it',
      ].join('\n'),
    ]);
  });

  it('a requirements file with unusual syntax: nothing written, and every line to paste', () => {
    const plan = planFlask(input({ 'requirements.txt': lf('-e .'), 'app.py': APP }, { backends: { honeycomb: false, xray: false, cloudwatch: false, rollbar: true } }));
    expect(plan.changes).toEqual([]);
    expect(plan.notes).toEqual([
      [
        'backend-flask: requirements.txt only installs `-e .`: the packages are declared elsewhere (setup.py or pyproject.toml). obs writes nothing for backend-flask yet; to finish by hand:',
        '    add to backend-flask/requirements.txt:',
        '        rollbar',
        '        blinker',
        '    then run: docker compose build backend-flask',
        ...PASTE,
        '    then run obs init again: it writes backend-flask/observability.py once the app calls it',
      ].join('\n'),
    ]);
  });

  it('no dependency file: nothing written until the app calls the module', () => {
    const plan = planFlask(input({ Pipfile: '[packages]\nflask = "*"\n', 'app.py': APP }, { backends: { honeycomb: false, xray: true, cloudwatch: false, rollbar: false } }));
    expect(plan.changes).toEqual([]);
    expect(plan.notes[0]).toMatch(/^backend-flask: the service uses a Pipfile, which obs does not edit\. .*\n {4}add to the file pip installs from:\n {8}aws-xray-sdk\n/);
    // Once the app calls it, the module is written, telling how this project installs packages.
    const called = APP.replace('app = Flask(__name__)\n', 'app = Flask(__name__)\nfrom observability import init_observability\ninit_observability(app)\n');
    const second = planFlask(input({ Pipfile: '[packages]\nflask = "*"\n', 'app.py': called }, { backends: { honeycomb: false, xray: true, cloudwatch: false, rollbar: false } }));
    expect(second.changes.map((c) => c.path)).toEqual(['backend-flask/observability.py']);
    expect(second.changes[0]!.after).toContain('INSTALL_COMMAND = "pipenv install"');
  });

  it('keeps its own module up to date, and leaves a module it did not write alone', () => {
    const files = { 'requirements.txt': 'flask\n', 'app.py': APP };
    const first = applied(planFlask(input(files)), files);
    const stale = first['observability.py']!.replace('OTEL_TRACES = True', 'OTEL_TRACES = False');
    const refreshed = planFlask(input({ ...first, 'observability.py': stale }));
    expect(refreshed.changes).toEqual([{ path: 'backend-flask/observability.py', before: stale, after: first['observability.py'] }]);

    const mine = lf('def init_observability(app):', '    pass');
    expect(planFlask(input({ 'requirements.txt': 'flask\n', 'app.py': APP, 'observability.py': mine }))).toEqual({
      changes: [],
      notes: [
        'backend-flask: backend-flask/observability.py exists and was not written by obs; obs leaves it, the app and its requirements alone ' +
          '(rename your module, or start it with the line "# Written by `obs init`" to let obs replace it)',
      ],
    });
  });

  describe("warns about Flask's debug reloader (with OpenTelemetry only)", () => {
    const warning = (where: string) =>
      `backend-flask: ${where} runs Flask's debug reloader, which restarts the app in a child process and breaks OpenTelemetry's batch span processor (spans are lost); ` +
      'use `flask run --no-reload` or `app.run(debug=True, use_reloader=False)`';
    const base = { 'requirements.txt': 'flask\n', 'app.py': APP };
    const notes = (files: Record<string, string>, over: Partial<InstrumentInput> = {}) => planFlask(input({ ...base, ...files }, over)).notes;

    it('flask run --debug in the Dockerfile, or FLASK_DEBUG / FLASK_ENV turning debug on', () => {
      expect(notes({ Dockerfile: lf('FROM python:3.11', 'CMD ["flask", "run", "--debug", "--host=0.0.0.0"]') })).toEqual([warning('`flask run --debug --host=0.0.0.0` in the Dockerfile')]);
      expect(notes({ Dockerfile: lf('FROM python:3.11', 'ENV FLASK_DEBUG=1', 'CMD python3 -m flask run --host=0.0.0.0') })).toEqual([
        warning('`python3 -m flask run --host=0.0.0.0` in the Dockerfile with FLASK_DEBUG=1'),
      ]);
    });

    it('FLASK_ENV=development only where the Flask the project declares still reads it (before 2.3)', () => {
      const dockerfile = lf('FROM python:3.10', 'ENV FLASK_ENV = development', 'CMD ["python3", "-m", "flask", "run"]');
      const withEnv = warning('`python3 -m flask run` in the Dockerfile with FLASK_ENV=development');
      for (const old of ['flask==2.2.5\n', 'Flask>=2.0,<2.3\n', 'flask~=2.1\n', 'Flask<=2.2.5\n']) {
        expect(notes({ Dockerfile: dockerfile, 'requirements.txt': old }), old).toEqual([withEnv]);
      }
      // Flask 2.3 removed FLASK_ENV; an unpinned Flask installs 3.x.
      for (const current of ['flask\n', 'flask==3.0.3\n', 'Flask>=2.3\n', 'flask<4\n']) {
        expect(notes({ Dockerfile: dockerfile, 'requirements.txt': current }), current).toEqual([]);
      }
    });

    it('reads the stage compose builds (build.target) and the stages it is built FROM', () => {
      // docker/awesome-compose nginx-flask-mysql: the `builder` target sets FLASK_ENV; a later stage builds on it.
      const stages = lf(
        'FROM python:3.10-alpine AS builder',
        'ENV FLASK_APP hello.py',
        'ENV FLASK_ENV development',
        'CMD ["flask", "run"]',
        'FROM builder AS dev-envs',
        'CMD ["flask", "run"]',
        'FROM python:3.10 AS prod',
        'CMD ["gunicorn", "app:app"]',
      );
      const old = { 'requirements.txt': 'Flask==2.0.1\n' };
      const withEnv = warning('`flask run` in the Dockerfile with FLASK_ENV=development');
      expect(notes({ ...old, Dockerfile: stages }, { buildTarget: 'builder' })).toEqual([withEnv]);
      expect(notes({ ...old, Dockerfile: stages }, { buildTarget: 'dev-envs' })).toEqual([withEnv]);
      // The last stage (no target) runs gunicorn: no reloader, whatever earlier stages say.
      expect(notes({ ...old, Dockerfile: stages })).toEqual([]);
    });

    it('flask must be the command that runs: a script path holding "flask" and "run" is not it', () => {
      const env = { environment: new Map([['FLASK_DEBUG', '1']]) };
      expect(notes({}, { ...env, command: 'bash /backend-flask/run.sh' })).toEqual([]);
      expect(notes({}, { ...env, command: './flask-app/bin/run' })).toEqual([]);
      expect(notes({}, { ...env, command: 'sh -c "pip install -r requirements.txt && /usr/local/bin/flask --app app run"' })).toEqual([
        warning('`sh -c "pip install -r requirements.txt && /usr/local/bin/flask --app app run"` in the compose command with FLASK_DEBUG=1'),
      ]);
    });

    it('the compose command and environment win over the Dockerfile', () => {
      const dockerfile = lf('FROM python:3.11', 'ENV FLASK_DEBUG=0', 'CMD ["flask", "run"]');
      expect(notes({ Dockerfile: dockerfile }, { command: 'flask run --reload --host 0.0.0.0' })).toEqual([warning('`flask run --reload --host 0.0.0.0` in the compose command')]);
      expect(notes({ Dockerfile: dockerfile }, { environment: new Map([['FLASK_DEBUG', 'true']]) })).toEqual([warning('`flask run` in the Dockerfile with FLASK_DEBUG=true')]);
      // The compose command replaces CMD and keeps ENTRYPOINT.
      const entrypoint = lf('FROM python:3.11', 'ENTRYPOINT ["python3", "-m", "flask"]', 'CMD ["run"]');
      expect(notes({ Dockerfile: entrypoint })).toEqual([]);
      expect(notes({ Dockerfile: entrypoint }, { command: 'run --debug' })).toEqual([warning('`python3 -m flask run --debug` in the compose command')]);
    });

    it('app.run(debug=True) when the app is started with python app.py', () => {
      const app = `${APP}\nif __name__ == "__main__":\n    app.run(debug=True)\n`;
      expect(notes({ 'app.py': app })).toEqual([warning('`app.run(debug=True)` in app.py (when started with `python app.py`)')]);
      expect(notes({ 'app.py': app }, { command: 'python3 app.py' })).toEqual([warning('`app.run(debug=True)` in app.py')]);
      expect(notes({ 'app.py': app }, { command: 'gunicorn app:app' })).toEqual([]);
      expect(notes({ 'app.py': app.replace('debug=True', 'debug=True, use_reloader=False') })).toEqual([]);
    });

    it('no warning without the reloader, or without OpenTelemetry', () => {
      expect(notes({ Dockerfile: exampleFile('Dockerfile') })).toEqual([]);
      expect(notes({ Dockerfile: lf('FROM python:3.11', 'CMD ["flask", "run", "--debug", "--no-reload"]') })).toEqual([]);
      expect(notes({ Dockerfile: lf('FROM python:3.11', 'CMD ["flask", "run", "--debug"]') }, { backends: { ...ALL, honeycomb: false } })).toEqual([]);
    });
  });
});
