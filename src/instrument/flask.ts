/**
 * Pure planning of a Flask service's instrumentation: the observability.py module from
 * templates/flask/, the packages in requirements.txt (or pyproject.toml), and two lines in the
 * app file right after `app = Flask(__name__)`. Anything obs cannot edit with confidence turns
 * into a note saying what to paste; the module is written only when the app calls it (obs's edit,
 * or the call already there), never left behind unused.
 */
import type { FileChange } from '../plan/file-change.js';
import { detectEol } from '../text/edits.js';
import { addRequirements, declaredPythonPackages, normalizePackageName, pythonDeclarations, removeAddedLines, splitRequirement, type ManifestResult } from './requirements.js';
import { addPyprojectDependencies, removePyprojectDependencies } from './pyproject-dependencies.js';
import { changeOf, MANAGED_MARKER, pythonString, renderTemplate, servicePath, type InstrumentInput, type InstrumentPlan, type Pipeline } from './template.js';
import { DEFAULT_APP_FILES, findFlaskEntry, type FlaskEntry } from './flask-entry.js';
import { imageFacts, type ImageFacts } from '../stacks/dockerfile.js';
import { installSteps, pythonManifest, pythonPackageManager, type PythonPackageManager } from '../stacks/package-manager.js';
import { hasLogsApi, instrumentationAt, OLDEST_OTEL_PYTHON, olderPython, otelRelease, pythonFloor, releaseForPython, type OtelRelease, type PythonVersion } from './python-otel-release.js';
import { readPyproject } from '../stacks/pyproject.js';

export { PYTHON_OTEL_RELEASE } from './python-otel-release.js';

export type { InstrumentInput, InstrumentPlan } from './template.js';

export const FLASK_MODULE = 'observability.py';
export const FLASK_IMPORT_LINE = 'from observability import init_observability';
export const flaskCallLine = (appVariable = 'app'): string => `init_observability(${appVariable})`;

/** The files planFlask reads from the build context (besides any file a `-r` line names). */
export const FLASK_INPUT_FILES = ['requirements.txt', 'pyproject.toml', 'Pipfile', ...DEFAULT_APP_FILES, 'Dockerfile', FLASK_MODULE] as const;

/** A Python library the service may declare, and the OpenTelemetry instrumentation for it. */
interface PythonInstrumentation {
  /** Distribution names (normalised) that call for it. */
  when: readonly string[];
  pkg: string;
  module: string;
  className: string;
}

/**
 * The libraries obs traces besides Flask: each instrumentation only when requirements.txt or
 * pyproject.toml declares the library (urllib3 is left out: requests spans already cover it).
 */
export const PYTHON_INSTRUMENTATIONS: readonly PythonInstrumentation[] = [
  { when: ['requests'], pkg: 'opentelemetry-instrumentation-requests', module: 'opentelemetry.instrumentation.requests', className: 'RequestsInstrumentor' },
  { when: ['httpx'], pkg: 'opentelemetry-instrumentation-httpx', module: 'opentelemetry.instrumentation.httpx', className: 'HTTPXClientInstrumentor' },
  { when: ['psycopg2', 'psycopg2-binary'], pkg: 'opentelemetry-instrumentation-psycopg2', module: 'opentelemetry.instrumentation.psycopg2', className: 'Psycopg2Instrumentor' },
  { when: ['psycopg', 'psycopg-binary'], pkg: 'opentelemetry-instrumentation-psycopg', module: 'opentelemetry.instrumentation.psycopg', className: 'PsycopgInstrumentor' },
  { when: ['sqlalchemy', 'flask-sqlalchemy'], pkg: 'opentelemetry-instrumentation-sqlalchemy', module: 'opentelemetry.instrumentation.sqlalchemy', className: 'SQLAlchemyInstrumentor' },
  { when: ['pymysql'], pkg: 'opentelemetry-instrumentation-pymysql', module: 'opentelemetry.instrumentation.pymysql', className: 'PyMySQLInstrumentor' },
  { when: ['mysql-connector-python'], pkg: 'opentelemetry-instrumentation-mysql', module: 'opentelemetry.instrumentation.mysql', className: 'MySQLInstrumentor' },
  { when: ['pymongo', 'flask-pymongo'], pkg: 'opentelemetry-instrumentation-pymongo', module: 'opentelemetry.instrumentation.pymongo', className: 'PymongoInstrumentor' },
  { when: ['redis'], pkg: 'opentelemetry-instrumentation-redis', module: 'opentelemetry.instrumentation.redis', className: 'RedisInstrumentor' },
  { when: ['boto3', 'botocore'], pkg: 'opentelemetry-instrumentation-botocore', module: 'opentelemetry.instrumentation.botocore', className: 'BotocoreInstrumentor' },
  { when: ['celery'], pkg: 'opentelemetry-instrumentation-celery', module: 'opentelemetry.instrumentation.celery', className: 'CeleryInstrumentor' },
];

/** The instrumentations for what the service declares (names normalised as PEP 503 does), each only where `release` has it. */
export function chooseFlaskInstrumentations(declared: ReadonlyMap<string, string>, release?: OtelRelease): PythonInstrumentation[] {
  return declaredInstrumentations(declared).filter((inst) => release === undefined || instrumentationAt(inst.pkg, release.contrib));
}

function declaredInstrumentations(declared: ReadonlyMap<string, string>): PythonInstrumentation[] {
  return PYTHON_INSTRUMENTATIONS.filter((inst) => inst.when.some((name) => declared.has(name)));
}

/** What runs in the module for a pipeline and the chosen backends (with `release`, the OpenTelemetry release obs pins). */
export function flaskParts(backends: InstrumentInput['backends'], pipeline: Pipeline = 'direct', release?: OtelRelease) {
  const collector = pipeline === 'collector';
  return {
    // Through a collector, OpenTelemetry carries the traces for Honeycomb and X-Ray alike.
    otelTraces: backends.honeycomb || (collector && backends.xray),
    // Python 3.6's last release (1.12) has no logs API: its logs cannot go over OTLP.
    otelLogs: collector && backends.cloudwatch && (release === undefined || hasLogsApi(release.stable)),
    xraySdk: !collector && backends.xray,
    watchtower: !collector && backends.cloudwatch,
    rollbar: backends.rollbar,
  };
}

/**
 * Python packages for the pipeline and backends, in the order obs adds them. The OpenTelemetry
 * ones at the release for the image's Python (PYTHON_OTEL_LINES; the newest when the Python is
 * unknown); when the service pins the SDK or API (`==1.Y.Z`), at that release instead: the
 * exporter at the same version, the instrumentations at the contrib release made with it
 * (0.(Y+21)bZ, which pins the same semantic conventions), so pip never pulls a second SDK line
 * (likewise from a contrib pin). Left to pip's resolver when the service bounds an OpenTelemetry
 * package otherwise (otelRelease). An instrumentation with no release at that line is left out.
 */
export function flaskPackages(backends: InstrumentInput['backends'], pipeline: Pipeline = 'direct', declared: ReadonlyMap<string, string> = new Map(), python?: PythonVersion): string[] {
  const release = otelRelease(declared, python);
  const parts = flaskParts(backends, pipeline, release);
  const out: string[] = [];
  if (parts.otelTraces || parts.otelLogs) {
    const stable = release ? `==${release.stable}` : '';
    const contrib = release ? `==${release.contrib}` : '';
    // A pin the service has on the api or sdk stays its own; obs adds them bare then.
    const own = release?.fromService ? '' : stable;
    out.push(`opentelemetry-api${own}`, `opentelemetry-sdk${own}`, `opentelemetry-exporter-otlp-proto-http${stable}`);
    if (parts.otelTraces) {
      out.push(`opentelemetry-instrumentation-flask${contrib}`, ...chooseFlaskInstrumentations(declared, release).map((i) => `${i.pkg}${contrib}`));
    }
  }
  if (parts.xraySdk) out.push('aws-xray-sdk');
  if (parts.watchtower) out.push('watchtower');
  if (parts.rollbar) out.push('rollbar', 'blinker');
  return out;
}

/** The Python of the image compose builds (the last `FROM python:X.Y` of its stages), when the Dockerfile names one. */
export function readPythonRuntime(files: ReadonlyMap<string, string>, buildTarget?: string): PythonVersion | undefined {
  const docker = files.get('Dockerfile');
  if (docker === undefined) return undefined;
  const image = imageFacts(docker, buildTarget)
    .chain.map((s) => s.base)
    .reverse()
    .find((f) => /(?:^|\/)python:/.test(f));
  const tag = image ? /(?:^|\/)python:(\d+)\.(\d+)/.exec(image) : null;
  return tag ? { major: Number(tag[1]), minor: Number(tag[2]) } : undefined;
}

export function planFlask(input: InstrumentInput): InstrumentPlan {
  const { backends, files, serviceName: name } = input;
  const notes: string[] = [];
  if (!backends.honeycomb && !backends.xray && !backends.cloudwatch && !backends.rollbar) return { changes: [], notes };
  const path = (file: string) => servicePath(input.serviceDir, file);
  const entry = findFlaskEntry(input);
  // The module sits where `from observability import ...` finds it: next to a script run as `python dir/app.py`.
  const moduleFile = entry.moduleDir === '' ? FLASK_MODULE : `${entry.moduleDir}/${FLASK_MODULE}`;
  const modulePath = path(moduleFile);

  const existingModule = files.get(moduleFile);
  if (existingModule !== undefined && !existingModule.includes(MANAGED_MARKER)) {
    notes.push(
      `${name}: ${modulePath} exists and was not written by obs; obs leaves it, the app and its requirements alone ` +
        `(rename your module, or start it with the line "# ${MANAGED_MARKER}" to let obs replace it)`,
    );
    return { changes: [], notes };
  }

  const pipeline = input.pipeline ?? 'direct';
  const python = readPythonRuntime(files, input.buildTarget);
  if (python !== undefined && releaseForPython(python) === undefined) {
    notes.push(
      `${name}: ${path('Dockerfile')} builds on Python ${python.major}.${python.minor}, older than any OpenTelemetry release supports ` +
        `(${OLDEST_OTEL_PYTHON.major}.${OLDEST_OTEL_PYTHON.minor} and later): obs writes no code and adds no packages for it (pip would find no release to install, and the image build would fail); ` +
        'move the image to a newer Python, then run obs init again',
    );
    return { changes: [], notes, oldRuntime: true };
  }
  const manager = pythonPackageManager(files);
  // The file the image installs: requirements/docker.txt when the Dockerfile runs `pip install -r requirements/docker.txt`.
  const manifestFile = pythonManifest(files, manager, input.buildTarget);
  const declarations = pythonDeclarations(files, manifestFile);
  const declared = new Map([...declarations].map(([n, { spec }]) => [n, spec]));
  const target = releasePython(files, manager, manifestFile, python);
  if (target?.kind === 'declared' && releaseForPython(target.python) === undefined) notes.push(lockRangeNote(name, path('pyproject.toml'), target.range, manager));
  const release = otelRelease(declared, target?.python);
  const parts = flaskParts(backends, pipeline, release);
  const packages = flaskPackages(backends, pipeline, declared, target?.python);
  if (release) notes.push(...olderReleaseNotes(name, backends, pipeline, declared, release, target));
  const newest = python && releaseForPython(python);
  if (target?.kind === 'declared' && release && !release.fromService && newest && newest.stable !== release.stable) {
    notes.push(
      `${name}: ${path('pyproject.toml')} allows Python ${target.range} and ${manager} locks for all of it, so obs pins OpenTelemetry ${release.stable}, the last release for Python ${target.python.major}.${target.python.minor}; ` +
        `the image runs ${python.major}.${python.minor}, which ${newest.stable} supports: raise the lower bound to ${python.major}.${python.minor} to get it`,
    );
  }
  const manifest = planManifest(files, packages, manager, manifestFile, manifestFile === undefined ? undefined : input.addedPackages?.[path(manifestFile)]);
  const moduleText = renderTemplate(input.template(FLASK_MODULE), {
    SERVICE_NAME: pythonString(name),
    PIPELINE: pipeline,
    OTEL_TRACES: pythonBool(parts.otelTraces),
    OTEL_LOGS: pythonBool(parts.otelLogs),
    XRAY_SDK: pythonBool(parts.xraySdk),
    WATCHTOWER: pythonBool(parts.watchtower),
    ROLLBAR: pythonBool(parts.rollbar),
    LOG_GROUP: parts.watchtower && input.logGroup ? pythonString(input.logGroup) : 'None',
    INSTALL_COMMAND: pythonString(manifest.installCommand),
    INSTRUMENTATIONS: (parts.otelTraces ? chooseFlaskInstrumentations(declared, release) : [])
      .map((i) => `    (${pythonString(i.module)}, ${pythonString(i.className)}, ${pythonString(i.pkg)}),`)
      .join('\n'),
  });
  const moduleChange = changeOf(modulePath, existingModule ?? null, moduleText);
  if (parts.watchtower && !input.logGroup) notes.push(`${name}: no CloudWatch log group was given; ${modulePath} leaves CloudWatch Logs off`);

  const app = planAppEdit(files, entry);
  const problems: string[] = [];
  if (manifest.result.text === undefined) problems.push(manifest.result.reason);
  if (app.kind === 'manual') problems.push(app.reason);

  // The module only where the app calls it, with obs's edit or already: one nothing calls is dead code.
  const called = app.kind === 'present' || (app.kind === 'edit' && problems.length === 0);
  const changes: FileChange[] = called ? [...moduleChange] : [];
  let install: InstrumentPlan['install'];
  if (problems.length === 0) {
    if (manifest.file && manifest.result.text !== undefined) changes.push(...changeOf(path(manifest.file), files.get(manifest.file)!, manifest.result.text));
    if (app.kind === 'edit') changes.push(...changeOf(path(app.file), files.get(app.file)!, app.after));
    // New packages reach the container only through its lock file (uv, poetry) and a rebuilt image.
    if (manifest.file && manifest.result.text !== undefined && (manifest.result.added.length > 0 || manifest.dropped)) {
      install = {
        manager,
        manifest: path(manifest.file),
        packages: manifest.result.added,
        ...(manifest.dropped ? { dropped: manifest.dropped } : {}),
        commands: installSteps(manager, input.serviceDir, name),
      };
    }
    if (manifest.file && manifest.dropped) notes.push(`${name}: obs drops ${manifest.dropped.join(', ')} from ${path(manifest.file)} (obs added it; no choice needs it now)`);
  } else {
    const steps: string[] = [];
    const toAdd = manifest.result.text === undefined ? packages : manifest.result.added;
    if (toAdd.length > 0) {
      steps.push(`add to ${manifest.file ? path(manifest.file) : 'the file pip installs from'}:`, ...toAdd.map((p) => `    ${p}`));
      steps.push(`then run: ${installSteps(manager, input.serviceDir, name).join(', then ')}`);
    }
    if (app.kind !== 'present') {
      steps.push('add right after `app = Flask(__name__)` in the app file:', `    ${FLASK_IMPORT_LINE}`, `    ${flaskCallLine(app.appVariable)}`);
    }
    const written = called ? `obs writes ${modulePath} and changes nothing else` : `obs writes nothing for ${name} yet`;
    const then = called ? '' : `\n    then run obs init again: it writes ${modulePath} once the app calls it`;
    notes.push(`${name}: ${problems.join('; ')}. ${written}` + (steps.length > 0 ? `; to finish by hand:\n${steps.map((s) => `    ${s}`).join('\n')}` : '') + then);
  }

  if (parts.otelTraces) {
    const flask = declarations.get('flask');
    if (flask && olderThanFlask1(flask.spec)) {
      notes.push(
        `${name}: ${path(flask.file)} declares Flask${flask.spec}, older than opentelemetry-instrumentation-flask instruments (Flask 1.0 or newer): ` +
          'it skips the app with a dependency-conflict warning, so requests make no spans until Flask is upgraded',
      );
    }
    const reloader = debugReloader(input, manifestFile);
    if (reloader) {
      notes.push(
        `${name}: ${reloader} runs Flask's debug reloader, which restarts the app in a child process and breaks ` +
          "OpenTelemetry's batch span processor (spans are lost); use `flask run --no-reload` or `app.run(debug=True, use_reloader=False)`",
      );
    }
  }
  return { changes, notes, ...(install ? { install } : {}) };
}

const pythonBool = (value: boolean) => (value ? 'True' : 'False');

/** What the release obs pins for the image's Python (or the service's own pin) cannot do: instrumentations it lacks, logs before the logs API. */
/** The Python the release must support, and where obs read it. */
type ReleasePython = { kind: 'image'; python: PythonVersion } | { kind: 'declared'; python: PythonVersion; range: string };

/**
 * The image's Python; for uv and poetry, which lock for every Python the project declares
 * (`requires-python`, Poetry's `python`), the lowest of that range when it is older: a release
 * pinned for the image alone fails `poetry lock` ("requires Python >=3.10 ... version solving failed").
 */
function releasePython(files: ReadonlyMap<string, string>, manager: PythonPackageManager, manifest: string | undefined, image: PythonVersion | undefined): ReleasePython | undefined {
  const range = manifest === 'pyproject.toml' && (manager === 'uv' || manager === 'poetry') ? readPyproject(files.get('pyproject.toml') ?? '')?.requiresPython : undefined;
  const floor = pythonFloor(range);
  if (floor && range !== undefined && olderPython(floor, image) === floor && (image === undefined || floor.major !== image.major || floor.minor !== image.minor)) {
    return { kind: 'declared', python: floor, range };
  }
  return image && { kind: 'image', python: image };
}

/** A declared range that reaches below every OpenTelemetry release: the lock cannot succeed with any. */
function lockRangeNote(name: string, file: string, range: string, manager: PythonPackageManager): string {
  const oldest = `${OLDEST_OTEL_PYTHON.major}.${OLDEST_OTEL_PYTHON.minor}`;
  return (
    `${name}: ${file} allows Python ${range}, and ${manager} locks for every Python in that range, older ones than any OpenTelemetry release supports (${oldest} and later) included: ` +
    `the lock fails until the lower bound is ${oldest} or later (e.g. ">=3.9")`
  );
}

function olderReleaseNotes(
  name: string,
  backends: InstrumentInput['backends'],
  pipeline: Pipeline,
  declared: ReadonlyMap<string, string>,
  release: OtelRelease,
  target: ReleasePython | undefined,
): string[] {
  const notes: string[] = [];
  const python = target?.python;
  const forPython = python !== undefined && releaseForPython(python)?.stable === release.stable;
  const whose = target?.kind === 'declared' ? 'the lowest pyproject.toml allows' : "the image's";
  const on = forPython ? `Python ${python.major}.${python.minor} (${whose})` : `OpenTelemetry ${release.stable} (the service's pin)`;
  // What the choices want, before the release turns anything off.
  const wanted = flaskParts(backends, pipeline);
  const lacking = wanted.otelTraces ? declaredInstrumentations(declared).filter((inst) => !instrumentationAt(inst.pkg, release.contrib)) : [];
  for (const inst of lacking) {
    notes.push(`${name}: ${inst.pkg} has no release for ${on} (contrib ${release.contrib}): obs leaves it out, so ${inst.when[0]} calls make no spans`);
  }
  if (wanted.otelLogs && !hasLogsApi(release.stable)) {
    notes.push(
      `${name}: OpenTelemetry ${release.stable}${forPython ? `, the last release for ${on},` : ''} has no logs API: the app's logs do not reach CloudWatch Logs through the collector (its traces do); ` +
        (forPython ? 'a Python of 3.7 or later gets them' : 'OpenTelemetry 1.15 or later gets them'),
    );
  }
  return notes;
}

/** A package obs adds to a Python manifest (any pin): the lines its marked blocks hold. */
export function isObsPythonPackage(line: string): boolean {
  const name = normalizePackageName(splitRequirement(line).name);
  return name.startsWith('opentelemetry-') || ['aws-xray-sdk', 'watchtower', 'rollbar', 'blinker'].includes(name);
}

/** A Flask requirement that allows only releases before 1.0 (`==0.12.2`, `<1.0`, `~=0.12`). */
function olderThanFlask1(spec: string): boolean {
  const clauses = spec.split(';')[0]!.split(',');
  return clauses.some((clause) => {
    const m = /^\s*(===?|~=|<=|<)\s*v?(\d+)(?:\.(\d+))?/.exec(clause);
    if (!m) return false;
    const major = Number(m[2]);
    if (m[1] === '<') return major < 1 || (major === 1 && Number(m[3] ?? 0) === 0);
    return major < 1;
  });
}

interface ManifestPlan {
  file?: string;
  result: ManifestResult;
  /** Packages taken out of obs's blocks: obs added them and no choice wants them now. */
  dropped?: string[];
  installCommand: string;
}

/** `recorded`: what obs.yaml says obs added to `file` earlier (pyproject.toml, which has no place for obs's marker). */
function planManifest(files: ReadonlyMap<string, string>, packages: string[], manager: PythonPackageManager, file: string | undefined, recorded: readonly string[] = []): ManifestPlan {
  const wanted = new Set(packages.map((p) => normalizePackageName(splitRequirement(p).name)));
  // uv and poetry install from pyproject.toml (a requirements.txt beside it is usually exported from the lock).
  if (file !== undefined && file !== 'pyproject.toml') {
    const added = addRequirements(files.get(file)!, packages, { file, include: (p) => files.get(p) });
    // Packages in obs's own blocks that no choice wants now (aws-xray-sdk after --no-xray or a
    // switch to the collector) go; a package the user listed is outside those blocks and stays.
    const trimmed = added.text === undefined ? undefined : removeAddedLines(added.text, isObsPythonPackage, (line) => wanted.has(normalizePackageName(splitRequirement(line).name)));
    return {
      file,
      result: added.text === undefined || !trimmed ? added : { text: trimmed.text, added: added.added },
      ...(trimmed && trimmed.removed.length > 0 ? { dropped: trimmed.removed } : {}),
      installCommand: `pip install -r ${file}`,
    };
  }
  if (file === 'pyproject.toml') {
    const installCommand = manager === 'uv' ? 'uv sync' : manager === 'poetry' ? 'poetry install' : 'pip install .';
    const added = addPyprojectDependencies(files.get(file)!, packages);
    // The same for pyproject.toml, by obs.yaml's record: what obs added there that no choice wants now.
    const retired = recorded.filter((entry) => !wanted.has(normalizePackageName(splitRequirement(entry).name)));
    const trimmed = added.text === undefined || retired.length === 0 ? undefined : removePyprojectDependencies(added.text, retired);
    return {
      file,
      result: added.text === undefined || !trimmed ? added : { text: trimmed.text, added: added.added },
      ...(trimmed && trimmed.removed.length > 0 ? { dropped: trimmed.removed } : {}),
      installCommand,
    };
  }
  const reason = files.has('Pipfile') ? 'the service uses a Pipfile, which obs does not edit' : 'the service has no requirements.txt or pyproject.toml';
  return { result: { text: undefined, reason }, installCommand: files.has('Pipfile') ? 'pipenv install' : 'pip install' };
}

// ---------------------------------------------------------------------------
// The app file
// ---------------------------------------------------------------------------

type AppEdit = { kind: 'edit'; file: string; after: string; appVariable: string } | { kind: 'present' } | { kind: 'manual'; reason: string; appVariable: string };

/** The import at module level: one inside another function would leave the name undefined at the call. */
const FLASK_IMPORT = /^from[ \t]+observability[ \t]+import[ \t]+init_observability[ \t]*$/;
/** `app = Flask(__name__)`, with arguments (`static_folder=...`), on one line or more. */
const FLASK_APP_LINE = /^([ \t]*)([A-Za-z_][A-Za-z0-9_]*)[ \t]*(?::[^=]+)?=[ \t]*(?:flask\.)?Flask\(/;
/** Code that shows telemetry already set up by hand (the bootcamp's lib/*.py helpers included). */
export const FLASK_HAND_WIRED =
  /\b(FlaskInstrumentor|RequestsInstrumentor|XRayMiddleware|xray_recorder|CloudWatchLogHandler|got_request_exception|init_honeycomb|init_xray|init_rollbar|init_cloudwatch|opentelemetry|aws_xray_sdk|watchtower|rollbar)\b/g;

function planAppEdit(files: ReadonlyMap<string, string>, entry: FlaskEntry): AppEdit {
  const present = entry.candidates.filter((f) => files.has(f));
  if (present.length === 0) {
    const named = entry.from ? `${entry.from} names ${entry.candidates[0]}, which obs cannot read` : 'the service has no app.py or wsgi.py';
    return { kind: 'manual', reason: named, appVariable: 'app' };
  }
  const scans = present.map((file) => ({ file, text: files.get(file)!, scan: scanPython(files.get(file)!) }));
  for (const { scan } of scans) if ('code' in scan && /\binit_observability\s*\(/.test(scan.code)) return { kind: 'present' };
  for (const { file, scan } of scans) {
    if (!('code' in scan)) continue;
    const found = [...new Set([...scan.code.matchAll(FLASK_HAND_WIRED)].map((m) => m[1]!))];
    if (found.length > 0) {
      return { kind: 'manual', reason: `${file} already sets up telemetry by hand (${found.slice(0, 3).join(', ')}): replace that setup with the call below`, appVariable: 'app' };
    }
  }
  for (const { file, text, scan } of scans) {
    if (!('code' in scan)) return { kind: 'manual', reason: `obs cannot parse ${file} (${scan.error})`, appVariable: 'app' };
    const lines = text.split('\n');
    const matches: { line: number; indent: string; variable: string }[] = [];
    lines.forEach((raw, i) => {
      const m = scan.cleanLineStarts[i] ? FLASK_APP_LINE.exec(raw.replace(/\r$/, '')) : null;
      if (m) matches.push({ line: i, indent: m[1]!, variable: m[2]! });
    });
    if (matches.length > 1) return { kind: 'manual', reason: `${file} creates Flask(__name__) ${matches.length} times`, appVariable: matches[0]!.variable };
    if (matches.length === 0) continue;
    const { indent, variable } = matches[0]!;
    // The call goes after the whole statement: `Flask(` may close lines later.
    let line = matches[0]!.line;
    while (line + 1 < lines.length && !scan.cleanLineStarts[line + 1]) line++;
    const eol = detectEol(text);
    // An import already written above the app line (often pasted from obs's note) is not repeated.
    const codeLines = scan.code.split('\n');
    const imported = codeLines.slice(0, line).some((code, i) => scan.cleanLineStarts[i] && FLASK_IMPORT.test(code.replace(/\r$/, '')));
    const insert = [...(imported ? [] : [`${indent}${FLASK_IMPORT_LINE}`]), `${indent}${flaskCallLine(variable)}`];
    const before = lines.slice(0, line + 1).join('\n');
    const rest = lines.slice(line + 1).join('\n');
    const after = line + 1 < lines.length ? `${before}\n${insert.join(eol)}${eol}${rest}` : `${before}${eol}${insert.join(eol)}`;
    return { kind: 'edit', file, after, appVariable: variable };
  }
  return { kind: 'manual', reason: `no \`app = Flask(__name__)\` line in ${present.slice(0, 4).join(', ')}`, appVariable: 'app' };
}

interface PythonScan {
  /** The text with comments and string contents blanked (same length, newlines kept). */
  code: string;
  /** Per line: it starts a new statement (not inside brackets, a string or a `\` continuation). */
  cleanLineStarts: boolean[];
}

/**
 * Just enough of Python's tokenizer to find statements safely: strings (with prefixes,
 * triple quotes, escapes), comments, brackets and backslash continuations. A file it cannot
 * follow (an unterminated string, unbalanced brackets) is one obs will not edit.
 */
export function scanPython(text: string): PythonScan | { error: string } {
  let code = '';
  let depth = 0;
  let line = 1;
  const clean: boolean[] = [true];
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '#') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : text[end - 1] === '\r' ? end - 1 : end;
      code += blank(text.slice(i, stop));
      i = stop;
      continue;
    }
    if (ch === '"' || ch === "'") {
      const quote = text.startsWith(ch.repeat(3), i) ? ch.repeat(3) : ch;
      const startLine = line;
      let j = i + quote.length;
      for (;;) {
        if (j >= text.length) return { error: `string opened on line ${startLine} is never closed` };
        const c = text[j]!;
        if (c === '\\') {
          if (text[j + 1] === '\n') {
            line++;
            clean.push(false);
          }
          j += 2;
          continue;
        }
        if (text.startsWith(quote, j)) {
          j += quote.length;
          break;
        }
        if (c === '\n') {
          if (quote.length === 1) return { error: `string on line ${startLine} is not closed on its line` };
          line++;
          clean.push(false);
        }
        j++;
      }
      code += quote + blank(text.slice(i + quote.length, j - quote.length)) + quote;
      i = j;
      continue;
    }
    if (ch === '(' || ch === '[' || ch === '{') depth++;
    if (ch === ')' || ch === ']' || ch === '}') {
      depth--;
      if (depth < 0) return { error: `unbalanced \`${ch}\` on line ${line}` };
    }
    if (ch === '\n') {
      const continued = code.replace(/\r$/, '').endsWith('\\');
      line++;
      clean.push(depth === 0 && !continued);
    }
    code += ch;
    i++;
  }
  if (depth !== 0) return { error: 'a bracket is never closed' };
  return { code, cleanLineStarts: clean };
}

// ---------------------------------------------------------------------------
// Flask's debug reloader
// ---------------------------------------------------------------------------

/** Where the service starts Flask's reloader, described for a note; undefined when it does not. */
function debugReloader(input: InstrumentInput, manifest: string | undefined): string | undefined {
  const dockerfile = input.files.get('Dockerfile');
  const fromDocker: Partial<ImageFacts> = dockerfile === undefined ? {} : imageFacts(dockerfile, input.buildTarget);
  // A compose `command` replaces the image's CMD, not its ENTRYPOINT.
  const parts = [fromDocker.entrypoint, input.command ?? fromDocker.cmd].filter((p) => p !== undefined);
  const command = parts.length > 0 ? parts.join(' ') : undefined;
  const where = input.command !== undefined ? 'the compose command' : 'the Dockerfile';
  const debugValue = input.environment?.has('FLASK_DEBUG') ? (input.environment.get('FLASK_DEBUG') ?? '') : fromDocker.env?.get('FLASK_DEBUG');
  const flaskEnv = input.environment?.has('FLASK_ENV') ? (input.environment.get('FLASK_ENV') ?? '') : fromDocker.env?.get('FLASK_ENV');
  // Flask's rule: FLASK_DEBUG set to anything but 0/false/no; before Flask 2.3 also FLASK_ENV=development.
  const debugSource =
    debugValue !== undefined && debugValue.trim() !== '' && !['0', 'false', 'no'].includes(debugValue.trim().toLowerCase())
      ? `FLASK_DEBUG=${debugValue.trim()}`
      : flaskEnv !== undefined && /^\W*development\b/.test(flaskEnv.trim()) && readsFlaskEnv(input.files, manifest)
        ? 'FLASK_ENV=development'
        : undefined;
  if (command !== undefined && runsFlaskRun(command)) {
    if (/--no-reload\b/.test(command)) return undefined;
    if (/--reload\b/.test(command) || (/--debug\b/.test(command) && !/--no-debug\b/.test(command))) return `\`${command.trim()}\` in ${where}`;
    if (debugSource) return `\`${command.trim()}\` in ${where} with ${debugSource}`;
    return undefined;
  }
  // `python app.py`, or no command known: app.run(debug=True) is what runs.
  if (command !== undefined && !/\bapp\.py\b|^\s*python[0-9.]*\s*$/.test(command)) return undefined;
  const app = input.files.get('app.py');
  const scan = app === undefined ? undefined : scanPython(app);
  if (!scan || !('code' in scan)) return undefined;
  for (const call of scan.code.matchAll(/\.run\(([^)]*)\)/g)) {
    const args = call[1]!;
    if (/\bdebug\s*=\s*True\b/.test(args) && !/\buse_reloader\s*=\s*False\b/.test(args))
      return `\`app.run(debug=True)\` in app.py${command === undefined ? ' (when started with `python app.py`)' : ''}`;
  }
  return undefined;
}

/**
 * `flask run` as a command: the `flask` program (or `python -m flask`, or a path to it) followed
 * by `run` in the same shell command; not a script whose path holds both words (`backend-flask/run.sh`).
 */
function runsFlaskRun(command: string): boolean {
  for (const segment of command.split(/&&|\|\||[;|&\n]/)) {
    const words = segment.trim().replace(/["']/g, ' ').split(/\s+/);
    const flask = words.findIndex((w) => /^(?:\S*\/)?flask$/.test(w));
    if (flask !== -1 && words.slice(flask + 1).includes('run')) return true;
  }
  return false;
}

/**
 * Whether the Flask the project declares still reads FLASK_ENV: Flask 2.3 removed it, so only a
 * pin or an upper bound below 2.3 does. Unpinned (or not declared here), pip installs 3.x.
 */
function readsFlaskEnv(files: ReadonlyMap<string, string>, manifest: string | undefined): boolean {
  const spec = declaredPythonPackages(files, manifest).get('flask');
  if (!spec) return false;
  const before23 = (version: string) => {
    const [major = 0, minor = 0] = version.split('.').map((n) => Number.parseInt(n, 10));
    return major < 2 || (major === 2 && minor < 3);
  };
  for (const clause of spec.split(',')) {
    const m = /^\s*(===?|~=|\^|<=|<|)\s*v?(\d+(?:\.\d+)*)/.exec(clause);
    if (!m) continue;
    const [, op, version] = m as unknown as [string, string, string];
    if (op === '<') {
      const [major = 0, minor = 0, patch = 0] = version.split('.').map((n) => Number.parseInt(n, 10));
      if (major < 2 || (major === 2 && (minor < 3 || (minor === 3 && patch === 0)))) return true;
    } else if (['==', '===', '~=', '^', '<=', ''].includes(op) && before23(version)) return true;
  }
  return false;
}
