/**
 * Pure: whether a service's instrumentation is installed and loaded, for doctor's
 * instrumentation-wired check. Environment variables alone send nothing: the module must be
 * there, the app must run it (Flask's init_observability(app), Node's NODE_OPTIONS preload,
 * Rails' initializer, the browser module imported first), and the manifest must declare the
 * packages it loads (a missing package turns the SDK off). A setup of the app's own, without
 * obs's module, is the user's to judge: not judged here.
 */
import { FLASK_HAND_WIRED, FLASK_MODULE, readPythonRuntime, scanPython } from './flask.js';
import { OLDEST_OTEL_PYTHON, PYTHON_OTEL_RELEASE, releaseForPython } from './python-otel-release.js';
import { findFlaskEntry } from './flask-entry.js';
import { moduleInImage, NODE_HAND_WIRED, NODE_MODULE, readManifest, sentryOnOpenTelemetry } from './node.js';
import { NODE_SDK_PACKAGES } from './node-instrumentations.js';
import { RAILS_INITIALIZER, RAILS_SDK_GEMS, RUBY_INSTRUMENTATIONS } from './rails.js';
import { CRA_ENTRIES, REACT_HAND_WIRED, REACT_SDK_PACKAGES, TRACING_IMPORT, VITE_ENTRIES } from './react.js';
import { declaredPythonPackages } from './requirements.js';
import { MANAGED_MARKER, servicePath } from './template.js';
import { imageFacts, resolvePosix } from '../stacks/dockerfile.js';
import { installSteps, nodePackageManager, pythonManifest, pythonPackageManager, type PackageManager } from '../stacks/package-manager.js';

export interface WiringProblem {
  level: 'fail' | 'warn';
  /** Path relative to where obs runs. */
  file: string;
  message: string;
  fix: string;
}

export interface WiringInput {
  stack: string;
  serviceName: string;
  /** The app's folder, relative to where obs runs ('' for the same folder). */
  serviceDir: string;
  /** The app's files as read (paths relative to serviceDir); lock files with empty text. */
  files: ReadonlyMap<string, string>;
  command?: string;
  environment?: ReadonlyMap<string, string | null>;
  /** compose `build.target`: the Dockerfile stage the image is. */
  buildTarget?: string;
  /** Where bind mounts show the app's folder in the container (appMountTargets). */
  appMountedAt?: readonly string[];
  /** The Dockerfile compose builds with, relative to serviceDir (files holds it as `Dockerfile`); default Dockerfile. */
  dockerfileName?: string;
}

/** Problems found, or undefined when the service has no module of obs's and a setup of its own (or a stack obs does not instrument). */
export function wiringProblems(input: WiringInput): WiringProblem[] | undefined {
  if (input.stack === 'flask') return flaskWiring(input);
  if (input.stack === 'node') return nodeWiring(input);
  if (input.stack === 'rails') return railsWiring(input);
  if (input.stack === 'react') return reactWiring(input);
  return undefined;
}

const noSdk = (input: WiringInput, file: string, what: string): WiringProblem => ({
  level: 'warn',
  file: servicePath(input.serviceDir, file),
  message: `${input.serviceName}: ${what}: the OTEL_* settings alone send nothing`,
  fix: 'run obs init (without --no-instrument): it writes the module, the call and the packages; or start an OpenTelemetry SDK in the app yourself',
});

function missingPackages(input: WiringInput, manifest: string, missing: string[], manager: PackageManager, what: string): WiringProblem {
  return {
    level: 'fail',
    file: servicePath(input.serviceDir, manifest),
    message: `${input.serviceName}: ${servicePath(input.serviceDir, manifest)} does not declare ${missing.join(', ')}, which ${what} loads: without them it sends nothing`,
    fix: `add ${missing.join(', ')} to ${servicePath(input.serviceDir, manifest)} (obs init adds them), then run ${installSteps(manager, input.serviceDir, input.serviceName).join(', then ')}`,
  };
}

function flaskWiring(input: WiringInput): WiringProblem[] | undefined {
  const { files } = input;
  const entry = findFlaskEntry(input);
  const present = entry.candidates.filter((f) => files.has(f));
  const moduleFile = entry.moduleDir === '' ? FLASK_MODULE : `${entry.moduleDir}/${FLASK_MODULE}`;
  const module = files.get(moduleFile);
  // Code with comments and strings blanked: a commented-out call is no call.
  const code = new Map<string, string>();
  for (const f of present) {
    const scan = scanPython(files.get(f)!);
    if ('code' in scan) code.set(f, scan.code);
  }
  if (module === undefined) {
    if ([...code.values()].some((c) => new RegExp(FLASK_HAND_WIRED.source).test(c))) return undefined;
    // obs init leaves such an app alone (no release to install): running it again would not help.
    const python = readPythonRuntime(files, input.buildTarget);
    if (python !== undefined && releaseForPython(python) === undefined) {
      const dockerfile = servicePath(input.serviceDir, input.dockerfileName ?? 'Dockerfile');
      const oldest = `${OLDEST_OTEL_PYTHON.major}.${OLDEST_OTEL_PYTHON.minor}`;
      const newest = `${PYTHON_OTEL_RELEASE.python.major}.${PYTHON_OTEL_RELEASE.python.minor}`;
      return [
        {
          level: 'warn',
          file: dockerfile,
          message: `${input.serviceName}: ${dockerfile} builds on Python ${python.major}.${python.minor}, which no OpenTelemetry release supports (${oldest} and later): the OTEL_* settings alone send nothing`,
          fix: `move the image to Python ${oldest} or later (${newest} or later gets the newest OpenTelemetry release), then run obs init`,
        },
      ];
    }
    return [noSdk(input, present[0] ?? moduleFile, `no ${moduleFile} and no OpenTelemetry setup in ${present.length > 0 ? present.join(', ') : 'the app'}`)];
  }
  const problems: WiringProblem[] = [];
  const called = [...code.values()].some((c) => /\binit_observability\s*\(/.test(c));
  // An app that sets up telemetry itself (obs then wrote the module and left the app alone) is the user's to judge.
  if (!called && [...code.values()].some((c) => new RegExp(FLASK_HAND_WIRED.source).test(c))) return undefined;
  if (!called && present.length === 0) {
    problems.push({
      level: 'fail',
      file: servicePath(input.serviceDir, moduleFile),
      message: `${input.serviceName}: no app file calls init_observability(app) (obs found none of ${entry.candidates.slice(0, 4).join(', ')}), so ${servicePath(input.serviceDir, moduleFile)} never runs and nothing is sent`,
      fix: 'add right after `app = Flask(__name__)` in the file that creates the app: from observability import init_observability, then init_observability(app)',
    });
  } else if (!called) {
    const appFile = [...code].find(([, c]) => /\bFlask\s*\(/.test(c))?.[0] ?? present[0]!;
    problems.push({
      level: 'fail',
      file: servicePath(input.serviceDir, appFile),
      message: `${input.serviceName}: ${servicePath(input.serviceDir, appFile)} never calls init_observability(app), so ${servicePath(input.serviceDir, moduleFile)} never runs and nothing is sent`,
      fix: `add right after \`app = Flask(__name__)\` in ${servicePath(input.serviceDir, appFile)}: from observability import init_observability, then init_observability(app)`,
    });
  }
  if (module.includes(MANAGED_MARKER)) {
    const on = (flag: string) => new RegExp(`^${flag} = True$`, 'm').test(module);
    const wanted = [
      ...(on('OTEL_TRACES') || on('OTEL_LOGS') ? ['opentelemetry-api', 'opentelemetry-sdk', 'opentelemetry-exporter-otlp-proto-http'] : []),
      ...(on('OTEL_TRACES') ? ['opentelemetry-instrumentation-flask'] : []),
      ...(on('XRAY_SDK') ? ['aws-xray-sdk'] : []),
      ...(on('WATCHTOWER') ? ['watchtower'] : []),
      ...(on('ROLLBAR') ? ['rollbar'] : []),
    ];
    const manager = pythonPackageManager(files);
    // Declared where the image installs from (requirements/docker.txt for `pip install -r requirements/docker.txt`).
    const manifest = pythonManifest(files, manager, input.buildTarget);
    const declared = declaredPythonPackages(files, manifest);
    const missing = wanted.filter((p) => !declared.has(p));
    if (missing.length > 0) problems.push(missingPackages(input, manifest ?? 'requirements.txt', missing, manager, servicePath(input.serviceDir, moduleFile)));
  }
  return problems;
}

/** The files `--require`/`-r`/`--import` preload in NODE_OPTIONS and the command. */
function preloads(text: string | undefined): string[] {
  if (!text) return [];
  return [...text.matchAll(/(?:^|\s)(?:--require|-r|--import)(?:=|\s+)["']?([^\s"']+)/g)].map((m) => m[1]!);
}

function nodeWiring(input: WiringInput): WiringProblem[] | undefined {
  const { files } = input;
  const dockerfile = files.get('Dockerfile');
  const dockerEnv = dockerfile === undefined ? undefined : imageFacts(dockerfile, input.buildTarget).env.get('NODE_OPTIONS');
  const nodeOptions = input.environment?.has('NODE_OPTIONS') ? (input.environment.get('NODE_OPTIONS') ?? '') : dockerEnv;
  const loaded = [...preloads(nodeOptions), ...preloads(input.command)];
  const module = files.get(NODE_MODULE);
  const ours = loaded.filter((p) => p.endsWith(`/${NODE_MODULE}`) || p === NODE_MODULE);
  const problems: WiringProblem[] = [];
  if (module === undefined) {
    const relative = ours.find((p) => !p.startsWith('/'));
    if (relative) {
      return [
        {
          level: 'fail',
          file: servicePath(input.serviceDir, NODE_MODULE),
          message: `${input.serviceName}: NODE_OPTIONS preloads ${relative}, which is not in ${input.serviceDir || 'the build context'}: node stops at startup ("Cannot find module")`,
          fix: `run obs init again to write ${servicePath(input.serviceDir, NODE_MODULE)}, or remove --require ${relative} from NODE_OPTIONS`,
        },
      ];
    }
    const handMade = [...files].some(([f, t]) => f !== 'package.json' && !f.startsWith('node_modules/') && NODE_HAND_WIRED.test(t)) || loaded.length > 0;
    if (handMade) return undefined;
    const sentry = sentryOnOpenTelemetry(readManifest(files.get('package.json') ?? '')?.declared);
    if (sentry) {
      return [
        {
          level: 'warn',
          file: servicePath(input.serviceDir, 'package.json'),
          message: `${input.serviceName}: ${sentry.pkg} ${sentry.range} runs OpenTelemetry in this app and sends its spans to Sentry: the OTEL_* settings alone send nothing (obs leaves a Sentry app's tracing to Sentry)`,
          fix: 'give Sentry\'s OpenTelemetry an OTLP exporter (Sentry\'s guide "Using Your Existing OpenTelemetry Setup", skipOpenTelemetrySetup) to send the spans to the collector too',
        },
      ];
    }
    return [noSdk(input, 'package.json', `no ${NODE_MODULE} and no OpenTelemetry setup in ${input.serviceDir || 'the build context'}`)];
  }
  if (ours.length === 0) {
    problems.push({
      level: 'fail',
      file: servicePath(input.serviceDir, NODE_MODULE),
      message: `${input.serviceName}: nothing preloads ${NODE_MODULE} (NODE_OPTIONS has no --require ./${NODE_MODULE}), so the SDK never starts and nothing is sent`,
      fix: `set on the service in the compose file: NODE_OPTIONS: "--require ./${NODE_MODULE}"`,
    });
  } else {
    const inImage = imageProblem(input, ours);
    if (inImage) problems.push(inImage);
  }
  if (module.includes(MANAGED_MARKER)) {
    const wanted = [...Object.keys(NODE_SDK_PACKAGES), ...[...module.matchAll(/^\s*\[\s*"([^"]+)"/gm)].map((m) => m[1]!)];
    const missing = missingNodePackages(files.get('package.json'), wanted);
    if (missing && missing.length > 0) problems.push(missingPackages(input, 'package.json', missing, nodePackageManager(files), servicePath(input.serviceDir, NODE_MODULE)));
  }
  return problems;
}

/**
 * The module is in the build context, but is it in the container? Read the way init reads it
 * (moduleInImage: the stage chain compose builds, its COPY lines, bind mounts of the source):
 * a final stage that copies only dist/ (NestJS) lacks it, and node stops at startup.
 */
function imageProblem(input: WiringInput, preloaded: readonly string[]): WiringProblem | undefined {
  const inImage = moduleInImage(input.files, input.buildTarget, input.appMountedAt);
  if (!inImage) return undefined;
  const dockerfile = servicePath(input.serviceDir, input.dockerfileName ?? 'Dockerfile');
  const lead = `${input.serviceName}: NODE_OPTIONS preloads ${preloaded[0]}, which the image compose builds (${dockerfile}) does not hold`;
  if (inImage.missing) {
    return {
      level: 'fail',
      file: dockerfile,
      message: `${lead}: ${inImage.missing.why}, so node stops at startup ("Cannot find module")`,
      fix: `${inImage.missing.fix} in ${dockerfile} (the stage compose builds), then run docker compose build ${input.serviceName}`,
    };
  }
  const workdir = imageFacts(input.files.get('Dockerfile')!, input.buildTarget).workdir;
  const at = resolvePosix(workdir, inImage.path);
  if (preloaded.some((p) => resolvePosix(workdir, p) === at)) return undefined;
  return {
    level: 'fail',
    file: dockerfile,
    message: `${lead}: the container has it at ${at}, so node stops at startup ("Cannot find module")`,
    fix: `set on the service in the compose file: NODE_OPTIONS: "--require ${inImage.path}"`,
  };
}

/** The wanted packages package.json does not declare; undefined when it cannot be read. */
function missingNodePackages(text: string | undefined, wanted: readonly string[]): string[] | undefined {
  if (text === undefined) return [...wanted];
  const declared = readManifest(text, ['dependencies', 'devDependencies', 'optionalDependencies'])?.declared;
  return declared && wanted.filter((p) => !declared.has(p));
}

function railsWiring(input: WiringInput): WiringProblem[] | undefined {
  const { files } = input;
  const initializer = files.get(RAILS_INITIALIZER);
  const gemfile = files.get('Gemfile') ?? '';
  const gems = new Set([...gemfile.matchAll(/^\s*gem\s*\(?\s*(["'])([A-Za-z0-9._-]+)\1/gm)].map((m) => m[2]!.toLowerCase()));
  if (initializer === undefined) {
    const own = [...files].some(([f, t]) => f.startsWith('config/initializers/') && /^[^#\n]*OpenTelemetry::SDK\.configure/m.test(t));
    if (own) return undefined;
    if (gems.has('opentelemetry-sdk')) {
      return [
        {
          level: 'fail',
          file: servicePath(input.serviceDir, RAILS_INITIALIZER),
          message: `${input.serviceName}: the Gemfile has opentelemetry-sdk but no initializer configures it (${servicePath(input.serviceDir, RAILS_INITIALIZER)} is missing), so nothing is sent`,
          fix: `run obs init again to write ${servicePath(input.serviceDir, RAILS_INITIALIZER)}, or call OpenTelemetry::SDK.configure in an initializer`,
        },
      ];
    }
    return [noSdk(input, 'Gemfile', `no ${RAILS_INITIALIZER} and no OpenTelemetry gem in the Gemfile`)];
  }
  if (!initializer.includes(MANAGED_MARKER)) return [];
  const required = new Set([...initializer.matchAll(/\[\s*"(opentelemetry\/instrumentation\/[^"]+)"/g)].map((m) => m[1]!));
  const wanted = [...RAILS_SDK_GEMS, ...RUBY_INSTRUMENTATIONS.filter((i) => required.has(i.require)).map((i) => i.gem)];
  if (/^\s*require "opentelemetry\/instrumentation\/all"/m.test(initializer)) wanted.push('opentelemetry-instrumentation-all');
  const missing = wanted.filter((g) => !gems.has(g));
  return missing.length > 0 ? [missingPackages(input, 'Gemfile', missing, 'bundler', servicePath(input.serviceDir, RAILS_INITIALIZER))] : [];
}

function reactWiring(input: WiringInput): WiringProblem[] | undefined {
  const { files } = input;
  const moduleFile = ['src/tracing.js', 'src/tracing.ts'].find((f) => files.has(f));
  const entry = [...VITE_ENTRIES, ...CRA_ENTRIES].find((f) => files.has(f));
  if (moduleFile === undefined) {
    const own = [...files].some(([f, t]) => f.startsWith('src/') && REACT_HAND_WIRED.test(t));
    if (own || /"@opentelemetry\/sdk-trace-web"/.test(files.get('package.json') ?? '')) return undefined;
    return [noSdk(input, entry ?? 'package.json', 'no src/tracing.js and no browser OpenTelemetry setup')];
  }
  const problems: WiringProblem[] = [];
  const specifier = moduleFile.endsWith('.ts') ? './tracing' : './tracing.js';
  if (entry !== undefined) {
    const text = files.get(entry)!;
    const firstImport = text.split(/\r?\n/).find((l) => /^\s*import\b/.test(l));
    if (!firstImport || !TRACING_IMPORT.test(firstImport)) {
      const imported = TRACING_IMPORT.test(text);
      problems.push({
        level: 'fail',
        file: servicePath(input.serviceDir, entry),
        message: imported
          ? `${input.serviceName}: ${servicePath(input.serviceDir, entry)} imports ./tracing after other modules: code they run first (fetch calls at load) is not traced`
          : `${input.serviceName}: ${servicePath(input.serviceDir, entry)} does not import ./tracing, so ${servicePath(input.serviceDir, moduleFile)} never runs and nothing is sent`,
        fix: `make \`import '${specifier}';\` the first import of ${servicePath(input.serviceDir, entry)}`,
      });
    }
  }
  if (files.get(moduleFile)!.includes(MANAGED_MARKER)) {
    const module = files.get(moduleFile)!;
    const wanted = [...Object.keys(REACT_SDK_PACKAGES), ...[...module.matchAll(/from '(@opentelemetry\/instrumentation-[^']+)'/g)].map((m) => m[1]!)];
    const missing = missingNodePackages(files.get('package.json'), [...new Set(wanted)]);
    if (missing && missing.length > 0) problems.push(missingPackages(input, 'package.json', missing, nodePackageManager(files), servicePath(input.serviceDir, moduleFile)));
  }
  return problems;
}
