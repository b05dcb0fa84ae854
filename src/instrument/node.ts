/**
 * Pure planning of a Node service's instrumentation: tracing.cjs from templates/node/ (the
 * OpenTelemetry Node SDK with auto-instrumentations and the OTLP/HTTP exporter), the packages
 * in package.json, and NODE_OPTIONS="--require ./tracing.cjs" for the compose file so the SDK
 * starts before the app. CommonJS loads through --require in CommonJS and ES module apps alike.
 * A package.json obs cannot edit turns into a note saying what to paste; then only the module
 * is written.
 */
import { imageFacts, parseDockerfile, resolvePosix, wordsOf } from '../stacks/dockerfile.js';
import type { FileChange } from '../plan/file-change.js';
import { addDependencies, removeDependencies } from './package-json.js';
import { chooseInstrumentations, NODE_SDK_PACKAGES, NODE_SHARED_PINS, otherLinePins, readNodeRuntime, runtimeSupported, type NodeInstrumentation } from './node-instrumentations.js';
import { installSteps, LOCK_FILES, nodePackageManager } from '../stacks/package-manager.js';
import { changeOf, MANAGED_MARKER, otelOnlyTargets, renderTemplate, servicePath, type InstrumentInput, type InstrumentPlan } from './template.js';

export type { InstrumentInput, InstrumentPlan } from './template.js';

export const NODE_MODULE = 'tracing.cjs';

/**
 * Every package obs may add for a Node service (the SDK, then the instrumentations), for the
 * docs and the bench: a service gets the SDK and only the instrumentations it needs.
 */
export const NODE_PACKAGES: Readonly<Record<string, string>> = NODE_SDK_PACKAGES;

/** The packages for a service with these instrumentations, name -> range. */
export function nodePackagesFor(instrumentations: readonly NodeInstrumentation[]): Record<string, string> {
  return { ...NODE_SDK_PACKAGES, ...NODE_SHARED_PINS, ...Object.fromEntries(instrumentations.map((i) => [i.pkg, i.range])) };
}

/** What tracing.cjs of obs loaded before it chose instrumentations per dependency. */
const RETIRED_PACKAGES = ['@opentelemetry/auto-instrumentations-node', '@opentelemetry/sdk-node'];

/** Installed OpenTelemetry packages whose major line obs compares with the one it writes for. */
const INSTALLED_CHECKED = ['@opentelemetry/sdk-trace-node', '@opentelemetry/sdk-trace-base', '@opentelemetry/sdk-node', '@opentelemetry/resources', '@opentelemetry/instrumentation'] as const;

/** The files planNode reads from the build context (the others only to spot a hand-made setup). */
export const NODE_INPUT_FILES = [
  'package.json',
  'Dockerfile',
  '.nvmrc',
  '.node-version',
  NODE_MODULE,
  'tracing.js',
  'tracing.mjs',
  'instrumentation.js',
  'otel.js',
  'index.js',
  'server.js',
  'app.js',
  'src/index.js',
  'src/server.js',
  'src/app.js',
  'src/index.ts',
  'src/server.ts',
  'src/app.ts',
  // What is installed wins over what is declared when obs checks the OpenTelemetry line.
  ...INSTALLED_CHECKED.map((pkg) => `node_modules/${pkg}/package.json`),
] as const;

export interface EnvironmentSetting {
  key: string;
  value: string;
}

export interface NodeInstrumentPlan extends InstrumentPlan {
  /**
   * Variables to set on the service in the compose file: NODE_OPTIONS with the --require flag,
   * after the value the service already has (compose, else the Dockerfile's ENV). Empty when
   * the flag is there already or obs changes nothing but the module.
   */
  environment: EnvironmentSetting[];
}

/** SDK setup written by hand: obs leaves such an app alone rather than start a second SDK. */
export const NODE_HAND_WIRED = /@opentelemetry\/(?:sdk-node|sdk-trace-node|sdk-trace-base|auto-instrumentations-node\/register)\b|\bNodeSDK\b|\bNodeTracerProvider\b/;

export function planNode(input: InstrumentInput): NodeInstrumentPlan {
  const { files, serviceName: name } = input;
  const notes: string[] = [];
  const targets = otelOnlyTargets(input);
  if (targets.unreached.length > 0) notes.push(`${name}: obs instruments Node with OpenTelemetry only; wire ${targets.unreached.join(', ')} into the app by hand`);
  if (!targets.traces) return { changes: [], notes, environment: [] };

  const path = (file: string) => servicePath(input.serviceDir, file);
  const modulePath = path(NODE_MODULE);
  const existing = files.get(NODE_MODULE);
  if (existing !== undefined && !existing.includes(MANAGED_MARKER)) {
    notes.push(`${name}: ${modulePath} exists and was not written by obs; obs leaves it and package.json alone and adds no NODE_OPTIONS`);
    return { changes: [], notes, environment: [] };
  }
  const dockerfile = files.has('Dockerfile') ? readDockerfile(files.get('Dockerfile')!, input.buildTarget) : undefined;
  const handMade = [...files].find(
    ([file, text]) => file !== NODE_MODULE && file !== 'package.json' && file !== 'Dockerfile' && !file.startsWith('node_modules/') && !text.includes(MANAGED_MARKER) && NODE_HAND_WIRED.test(text),
  );
  const preload = [input.environment?.get('NODE_OPTIONS'), input.command, dockerfile?.env.get('NODE_OPTIONS'), dockerfile?.command, scriptsOf(files.get('package.json'))];
  const handPreload = preload.find(
    (text) =>
      text &&
      /@opentelemetry\/auto-instrumentations-node\/register|(?:^|\s)(?:-r|--require|--import)[=\s]*\S*(?:tracing|instrumentation|otel)\.(?:js|mjs|cjs|ts)\b/.test(text) &&
      !text.includes(NODE_MODULE),
  );
  if (handMade || handPreload) {
    const where = handMade ? path(handMade[0]) : 'the service command or NODE_OPTIONS';
    notes.push(`${name}: ${where} already sets up OpenTelemetry; obs leaves the app and package.json alone and adds no NODE_OPTIONS`);
    return { changes: [], notes, environment: [] };
  }

  const pkgText = files.get('package.json');
  const manifest = pkgText === undefined ? undefined : readManifest(pkgText);
  const sentry = sentryOnOpenTelemetry(manifest?.declared);
  if (sentry) {
    notes.push(
      `${name}: ${path('package.json')} has ${sentry.pkg} ${sentry.range}, which sets up OpenTelemetry itself when Sentry.init runs; ` +
        `a second setup from obs would take Sentry's tracing away (only one tracer provider can be global), so obs leaves the app and package.json alone and adds no NODE_OPTIONS. ` +
        `To send its spans to the collector as well, give Sentry's OpenTelemetry an OTLP exporter (Sentry's guide "Using Your Existing OpenTelemetry Setup": skipOpenTelemetrySetup)`,
    );
    return { changes: [], notes, environment: [] };
  }
  const runtime = readNodeRuntime(files, input.buildTarget);
  if (runtime.version && !runtimeSupported(runtime.version)) {
    notes.push(
      `${name}: ${runtime.source} is older than the OpenTelemetry JS SDK obs writes supports (Node ^18.19.0 || >=20.6.0); ` +
        'obs leaves the app and package.json alone and adds no NODE_OPTIONS: move the app to Node 20 or newer and run obs init again',
    );
    return { changes: [], notes, environment: [], oldRuntime: true };
  }
  // The project's own OpenTelemetry packages on another major line: never write code for a line it does not install.
  const pins = otherLinePins(otelVersions(files, manifest?.declared));
  if (pins.length > 0) {
    notes.push(
      `${name}: ${path('package.json')} already uses OpenTelemetry ${pins.map((p) => `${p.pkg}@${p.version}`).join(', ')} (the ${pins[0]!.line} line); ` +
        `${NODE_MODULE} is written for the 2.x line (sdk-trace-node ^2.12, instrumentation ^0.223), so obs leaves the app and package.json alone and adds no NODE_OPTIONS. ` +
        `Move those packages to the 2.x line and run obs init again, or keep your own setup`,
    );
    return { changes: [], notes, environment: [] };
  }

  const instrumentations = chooseInstrumentations(
    manifest?.names ?? [],
    [...files].filter(([f]) => /\.[cm]?[jt]s$/.test(f) && !f.startsWith('node_modules/') && f !== NODE_MODULE).map(([, t]) => t),
  );
  const packages = nodePackagesFor(instrumentations);
  const requirePath = `./${NODE_MODULE}`;
  const target = dockerfile ? imagePathOf(dockerfile, input.appMountedAt ?? []) : { path: requirePath };
  const flag = `--require ${target.path}`;
  const moduleText = renderTemplate(input.template(NODE_MODULE), { SERVICE_NAME: JSON.stringify(name), INSTRUMENTATIONS: instrumentationLines(instrumentations) });
  const changes: FileChange[] = [...changeOf(modulePath, existing ?? null, moduleText)];

  const result = pkgText === undefined ? { text: undefined, reason: 'the service has no package.json' } : addDependencies(pkgText, packages);
  const environment = nodeOptions(input, dockerfile, flag);
  if (result.text === undefined) {
    const steps = [
      `add to "dependencies" in ${path('package.json')}, then run ${installSteps(nodePackageManager(files), input.serviceDir, name).join(', then ')}:`,
      ...Object.entries(packages).map(([pkg, range]) => `    ${JSON.stringify(pkg)}: ${JSON.stringify(range)},`),
      ...environment.map((e) => `set on the service in the compose file: ${e.key}: ${JSON.stringify(e.value)}`),
    ];
    notes.push(`${name}: ${result.reason}. obs writes ${modulePath} and changes nothing else; to finish by hand:\n${steps.map((s) => `    ${s}`).join('\n')}`);
    return { changes, notes, environment: [] };
  }
  // Packages an earlier tracing.cjs of obs loaded and this one does not (every auto-instrumentation, every exporter).
  const retired = existing === undefined ? [] : RETIRED_PACKAGES.filter((pkg) => existing.includes(`'${pkg}'`));
  const trimmed = removeDependencies(result.text, retired);
  let install: NodeInstrumentPlan['install'];
  if (trimmed.text !== pkgText) {
    changes.push(...changeOf(path('package.json'), pkgText!, trimmed.text));
    const manager = nodePackageManager(files);
    install = { manager, manifest: path('package.json'), packages: result.added, commands: installSteps(manager, input.serviceDir, name) };
    if (trimmed.removed.length > 0) {
      notes.push(
        `${name}: obs drops ${trimmed.removed.join(', ')} from ${path('package.json')} (the earlier ${NODE_MODULE} of obs loaded them; this one does not); the install step removes them from ${LOCK_FILES[manager]}`,
      );
    }
  }
  if (target.missing) notes.push(`${name}: ${target.missing.why}: ${target.missing.fix} (NODE_OPTIONS loads ./${NODE_MODULE} and node stops at startup when it is missing)`);
  return { changes, notes, environment, ...(install ? { install } : {}) };
}

/** The INSTRUMENTATIONS array body of tracing.cjs: [package, export, options] per line. */
function instrumentationLines(list: readonly NodeInstrumentation[]): string {
  return list.map((i) => `  [${JSON.stringify(i.pkg)}, ${JSON.stringify(i.exportName)}, ${JSON.stringify(i.options ?? {})}],`).join('\n');
}

/** Dependency names of every section, and the declared range of each. */
/** Sentry's server SDKs from version 8 on run on OpenTelemetry and register its global tracer provider in Sentry.init. */
const SENTRY_ON_OPENTELEMETRY = /^@sentry\/(?:node|nestjs|nextjs|remix|sveltekit|astro|nuxt|solidstart|aws-serverless|google-cloud-serverless|bun)$/;

/** The app's Sentry SDK that sets up OpenTelemetry (major 8 or later; a range without a number is read as current), if any. */
export function sentryOnOpenTelemetry(declared: ReadonlyMap<string, string> | undefined): { pkg: string; range: string } | undefined {
  for (const [pkg, range] of declared ?? []) {
    if (!SENTRY_ON_OPENTELEMETRY.test(pkg)) continue;
    const major = /(\d+)/.exec(range.replace(/^npm:@sentry\/[\w-]+@/, ''))?.[1];
    if (major === undefined || Number(major) >= 8) return { pkg, range };
  }
  return undefined;
}

const DEPENDENCY_SECTIONS = ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies'] as const;

/** A package.json's declared packages in `sections` (default: every dependency section; the first wins); undefined when it is not JSON. */
export function readManifest(text: string, sections: readonly (typeof DEPENDENCY_SECTIONS)[number][] = DEPENDENCY_SECTIONS): { names: string[]; declared: Map<string, string> } | undefined {
  try {
    const pkg = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
    const declared = new Map<string, string>();
    for (const section of sections) {
      const deps = pkg[section];
      if (deps && typeof deps === 'object' && !Array.isArray(deps)) for (const [k, v] of Object.entries(deps)) if (!declared.has(k)) declared.set(k, String(v));
    }
    return { names: [...declared.keys()], declared };
  } catch {
    return undefined;
  }
}

/** OpenTelemetry package -> installed version (node_modules), else declared range. */
function otelVersions(files: ReadonlyMap<string, string>, declared: ReadonlyMap<string, string> | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const [pkg, range] of declared ?? []) if (pkg.startsWith('@opentelemetry/')) out.set(pkg, range);
  for (const pkg of INSTALLED_CHECKED) {
    // Only what the app declares: a library's own copy deep in node_modules is not the app's line.
    if (!out.has(pkg)) continue;
    const text = files.get(`node_modules/${pkg}/package.json`);
    if (text === undefined) continue;
    try {
      const version = (JSON.parse(text) as { version?: unknown }).version;
      if (typeof version === 'string') out.set(pkg, version);
    } catch {
      // an unreadable installed manifest says nothing
    }
  }
  return out;
}

/** NODE_OPTIONS with `flag` after what the service sets already; nothing when it is there. */
function nodeOptions(input: InstrumentInput, dockerfile: DockerfileInfo | undefined, flag: string): EnvironmentSetting[] {
  const fromCompose = input.environment?.get('NODE_OPTIONS');
  const current = (input.environment?.has('NODE_OPTIONS') ? (fromCompose ?? '') : (dockerfile?.env.get('NODE_OPTIONS') ?? '')).trim();
  if (current.includes(NODE_MODULE) || input.command?.includes(NODE_MODULE) || dockerfile?.command?.includes(NODE_MODULE)) return [];
  return [{ key: 'NODE_OPTIONS', value: current === '' ? flag : `${current} ${flag}` }];
}

function scriptsOf(pkg: string | undefined): string | undefined {
  if (pkg === undefined) return undefined;
  try {
    const scripts = (JSON.parse(pkg.replace(/^\uFEFF/, '')) as { scripts?: Record<string, unknown> }).scripts;
    return scripts && typeof scripts === 'object'
      ? Object.values(scripts)
          .filter((s) => typeof s === 'string')
          .join('\n')
      : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// The Dockerfile: where tracing.cjs lands in the image
// ---------------------------------------------------------------------------

interface DockerfileInfo {
  /** ENV of the stage compose builds and the stages it builds on. */
  env: Map<string, string>;
  /** ENTRYPOINT and CMD of that stage, as one string. */
  command?: string;
  /** Its final WORKDIR ('/' when none). */
  workdir: string;
  /** Where COPY/ADD of the whole build context (`.`) or of tracing.cjs itself put it, resolved. */
  copiedTo?: string;
  /**
   * A COPY --from of the stage may bring the module along: its source holds the folder
   * an earlier stage copied the build context to (`COPY --from=build /app /app`), or names
   * tracing.cjs. Copying only `dist/` or `node_modules/` does not bring it.
   */
  fromStage: boolean;
}

/**
 * The image compose builds: the `target` stage (else the last) with the stages it is built
 * FROM, so `FROM base AS dev` inherits base's COPY and WORKDIR (src/stacks/dockerfile.ts).
 */
function readDockerfile(text: string, target: string | undefined, seen: ReadonlySet<string> = new Set()): DockerfileInfo {
  const facts = imageFacts(text, target);
  const info: DockerfileInfo = { env: facts.env, workdir: facts.workdir, fromStage: false, ...(facts.command !== undefined ? { command: facts.command } : {}) };
  for (const copy of facts.copies) {
    if (!copy.sources.some((s) => s === '.' || s === '*' || s === '*.cjs' || s === NODE_MODULE)) continue;
    // `COPY tracing.cjs /app/tracing.cjs` names the file; every other form names a folder.
    const namesFile = copy.sources.length === 1 && copy.sources[0] === NODE_MODULE && !copy.dest.endsWith('/') && copy.target.endsWith(`/${NODE_MODULE}`);
    info.copiedTo = namesFile ? copy.target.slice(0, -NODE_MODULE.length - 1) || '/' : copy.target;
  }
  for (const stage of facts.chain) {
    for (const { kind, args } of stage.instructions) {
      if (kind !== 'COPY' && kind !== 'ADD') continue;
      const words = wordsOf(args);
      const from = words
        .find((w) => /^--from=/i.test(w))
        ?.slice('--from='.length)
        .toLowerCase();
      const paths = words.filter((w) => !w.startsWith('--'));
      if (from === undefined || paths.length < 2 || seen.has(from)) continue;
      const source = parseDockerfile(text).some((s) => s.name === from) ? readDockerfile(text, from, new Set([...seen, from])).copiedTo : undefined;
      if (bringsModule(paths.slice(0, -1), source)) info.fromStage = true;
    }
  }
  return info;
}

/** A COPY --from with these sources may carry tracing.cjs: a source names it, or holds the stage's copy of the build context. */
function bringsModule(sources: string[], stageCopiedTo: string | undefined): boolean {
  return sources.some((source) => {
    if (source.endsWith(`/${NODE_MODULE}`) || source === NODE_MODULE) return true;
    if (stageCopiedTo === undefined) return false;
    const folder = resolvePosix('/', source.replace(/\/\*$/, ''));
    return folder === '/' || stageCopiedTo === folder || stageCopiedTo.startsWith(`${folder}/`);
  });
}

/** Where the container has tracing.cjs: the path NODE_OPTIONS should require, or why the image lacks it and what to add. */
export interface ModuleInImage {
  /** ./tracing.cjs when the WORKDIR holds it, else its absolute path. */
  path: string;
  /** The image compose builds does not hold the module. */
  missing?: { why: string; fix: string };
}

/**
 * Where the image compose builds (the Dockerfile's `target` stage and the stages it builds on)
 * has tracing.cjs, for init's NODE_OPTIONS and doctor's instrumentation-wired alike: a COPY of
 * the build context or of the file, a `COPY --from` of a stage that has it, or a bind mount
 * that shows the app's folder (`appMountedAt`: appMountTargets). Undefined without a Dockerfile.
 */
export function moduleInImage(files: ReadonlyMap<string, string>, buildTarget: string | undefined, appMountedAt: readonly string[] = []): ModuleInImage | undefined {
  const dockerfile = files.get('Dockerfile');
  return dockerfile === undefined ? undefined : imagePathOf(readDockerfile(dockerfile, buildTarget), appMountedAt);
}

/** The path NODE_OPTIONS should require: ./tracing.cjs when the image's WORKDIR holds it. */
function imagePathOf(docker: DockerfileInfo, appMountedAt: readonly string[]): ModuleInImage {
  const relative = `./${NODE_MODULE}`;
  const workdir = docker.workdir || '/';
  if (docker.copiedTo === undefined) {
    if (docker.fromStage) return { path: relative };
    // The source folder bind-mounted into the container (`.:/app`, a dev setup) brings the file along.
    if (appMountedAt.includes(workdir)) return { path: relative };
    if (appMountedAt.length > 0) return { path: `${appMountedAt[0]!.replace(/\/$/, '')}/${NODE_MODULE}` };
    return {
      path: relative,
      missing: { why: 'the Dockerfile does not copy the whole build context into the image', fix: `add \`COPY ${NODE_MODULE} ./\` next to the COPY of package.json` },
    };
  }
  if (docker.copiedTo === workdir) return { path: relative };
  return { path: `${docker.copiedTo.replace(/\/$/, '')}/${NODE_MODULE}` };
}
