/**
 * Pure planning of a React (browser) service's instrumentation: src/tracing.js (or .ts) from
 * templates/react/, imported first by the entry file, and the browser OpenTelemetry packages in
 * package.json. The browser never gets a Honeycomb key: spans go to <PREFIX>OTEL_COLLECTOR_URL,
 * an endpoint the app controls (a collector or a backend route), and tracing stays off until
 * it is set. Vite (import.meta.env.VITE_*) and Create React App (process.env.REACT_APP_*) builds.
 */
import { installSteps, nodePackageManager } from '../stacks/package-manager.js';
import type { FileChange } from '../plan/file-change.js';
import { COLLECTOR_PORTS } from '../collector/image.js';
import { detectEol } from '../text/edits.js';
import { otherLinePins } from './node-instrumentations.js';
import { addDependencies } from './package-json.js';
import { changeOf, MANAGED_MARKER, otelOnlyTargets, renderTemplate, servicePath, type InstrumentInput, type InstrumentPlan } from './template.js';

export type { InstrumentInput, InstrumentPlan } from './template.js';

export interface ReactInstrumentInput extends InstrumentInput {
  /**
   * The backend URL the browser calls (e.g. http://localhost:4567): its requests carry the
   * trace headers. Build variables naming a backend URL (VITE_BACKEND_URL, REACT_APP_API_URL,
   * ...) in the service's environment or in the files read are used as well.
   */
  apiUrl?: string;
  /** The collector's URL as the browser reaches it, when obs runs one (collector pipeline). */
  collectorUrl?: string;
}

/**
 * The browser packages, on the same 2.x line as the Node ones (api below 1.10): the SDK and
 * exporter, then the instrumentations. Page loads and fetch() are always traced (document-load,
 * fetch); XMLHttpRequest only when the code uses it (axios, superagent, jQuery or XMLHttpRequest
 * itself). No user-interaction spans: they need zone.js for async work and mostly add noise.
 */
export const REACT_SDK_PACKAGES: Readonly<Record<string, string>> = {
  '@opentelemetry/api': '~1.9.0',
  '@opentelemetry/exporter-trace-otlp-http': '^0.223.1',
  '@opentelemetry/instrumentation': '^0.223.0',
  '@opentelemetry/resources': '^2.12.1',
  '@opentelemetry/sdk-trace-web': '^2.12.0',
};

interface WebInstrumentation {
  pkg: string;
  range: string;
  exportName: string;
  /** Constructor arguments, as JS source. */
  args: string;
  /** What it turns into spans, for the module's header. */
  what: string;
}

const DOCUMENT_LOAD: WebInstrumentation = { pkg: '@opentelemetry/instrumentation-document-load', range: '^0.68.0', exportName: 'DocumentLoadInstrumentation', args: '', what: 'page loads' };
const FETCH: WebInstrumentation = {
  pkg: '@opentelemetry/instrumentation-fetch',
  range: '^0.223.0',
  exportName: 'FetchInstrumentation',
  args: '{ propagateTraceHeaderCorsUrls, ignoreUrls }',
  what: 'fetch calls',
};
const XHR: WebInstrumentation = {
  pkg: '@opentelemetry/instrumentation-xml-http-request',
  range: '^0.223.0',
  exportName: 'XMLHttpRequestInstrumentation',
  args: '{ propagateTraceHeaderCorsUrls, ignoreUrls }',
  what: 'XMLHttpRequest calls',
};

/** Every package obs may add for a browser app. */
export const REACT_PACKAGES: Readonly<Record<string, string>> = { ...REACT_SDK_PACKAGES, ...Object.fromEntries([DOCUMENT_LOAD, FETCH, XHR].map((i) => [i.pkg, i.range])) };

/** Libraries that send through XMLHttpRequest in the browser. */
const XHR_LIBRARIES = ['axios', 'superagent', 'jquery', 'xhr', 'request-promise'];
const XHR_USE = /\bXMLHttpRequest\b|from\s+['"](?:axios|superagent|jquery)['"]|require\(\s*['"](?:axios|superagent|jquery)['"]\s*\)/;

function chooseWebInstrumentations(dependencies: readonly string[], sources: readonly string[]): WebInstrumentation[] {
  const xhr = dependencies.some((d) => XHR_LIBRARIES.includes(d)) || sources.some((t) => XHR_USE.test(t));
  return [DOCUMENT_LOAD, FETCH, ...(xhr ? [XHR] : [])];
}

export const REACT_TEMPLATE = 'tracing.js';

export const VITE_ENTRIES = ['src/main.tsx', 'src/main.jsx', 'src/main.ts', 'src/main.js'] as const;
export const CRA_ENTRIES = ['src/index.tsx', 'src/index.jsx', 'src/index.js', 'src/index.ts'] as const;

/** Installed browser SDK packages whose major line obs compares with the one it writes for. */
const INSTALLED_CHECKED = ['@opentelemetry/sdk-trace-web', '@opentelemetry/resources', '@opentelemetry/instrumentation'] as const;

/**
 * The files planReact reads from the build context by name; readServiceSources adds every
 * source file under src/ (a setup of the app's own can live in any of them).
 */
export const REACT_INPUT_FILES = [
  'package.json',
  ...VITE_ENTRIES,
  ...CRA_ENTRIES,
  'src/App.jsx',
  'src/App.tsx',
  'src/App.js',
  'src/tracing.js',
  'src/tracing.ts',
  ...INSTALLED_CHECKED.map((pkg) => `node_modules/${pkg}/package.json`),
] as const;

/** Source files under src/ that planReact scans (with the extensions bundlers compile). */
export const REACT_SOURCE = /^src\/.+\.(?:[cm]?[jt]sx?)$/;

type Toolchain = 'vite' | 'cra';

const TOOLCHAINS: Record<Toolchain, { env: string; prefix: string; entries: readonly string[] }> = {
  vite: { env: 'import.meta.env', prefix: 'VITE_', entries: VITE_ENTRIES },
  cra: { env: 'process.env', prefix: 'REACT_APP_', entries: CRA_ENTRIES },
};

/** Browser OpenTelemetry set up by hand: obs leaves such an app alone. */
export const REACT_HAND_WIRED = /@opentelemetry\/sdk-trace-(?:web|base)\b|\bWebTracerProvider\b|@honeycombio\/opentelemetry-web\b|\bHoneycombWebSDK\b|\bsetGlobalTracerProvider\s*\(/;
export const TRACING_IMPORT = /^[ \t]*import[ \t]+['"]\.\/tracing(?:\.[cm]?[jt]sx?)?['"]/m;

export function planReact(input: ReactInstrumentInput): InstrumentPlan & { environment?: { key: string; value: string }[] } {
  const { files, serviceName: name } = input;
  const notes: string[] = [];
  const targets = otelOnlyTargets(input);
  if (targets.unreached.length > 0) notes.push(`${name}: obs instruments the browser app with OpenTelemetry only; wire ${targets.unreached.join(', ')} into it by hand`);
  if (!targets.traces) return { changes: [], notes };
  const path = (file: string) => servicePath(input.serviceDir, file);

  const pkgText = files.get('package.json');
  const pkg = pkgText === undefined ? undefined : readPackage(pkgText);
  let toolchain: Toolchain | undefined;
  if (pkg) {
    const deps = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
    if (deps.has('vite') || deps.has('@vitejs/plugin-react') || deps.has('@vitejs/plugin-react-swc')) toolchain = 'vite';
    else if (deps.has('react-scripts')) toolchain = 'cra';
    else {
      notes.push(`${name}: obs wires browser tracing into Vite and Create React App builds; ${path('package.json')} names neither, so obs leaves the app alone`);
      return { changes: [], notes };
    }
  } else {
    // package.json unreadable: the entry file's name tells the toolchain (src/main.* is Vite's).
    toolchain = VITE_ENTRIES.some((f) => files.has(f)) ? 'vite' : CRA_ENTRIES.some((f) => files.has(f)) ? 'cra' : undefined;
  }
  const chain = toolchain ? TOOLCHAINS[toolchain] : undefined;
  const entry = chain?.entries.find((f) => files.has(f));
  if (!chain || !entry) {
    notes.push(`${name}: no entry file (${[...VITE_ENTRIES, ...CRA_ENTRIES].join(', ')}) to import the tracing module from; obs leaves the app alone`);
    return { changes: [], notes };
  }

  const typescript = /\.tsx?$/.test(entry);
  const moduleFile = `src/tracing.${typescript ? 'ts' : 'js'}`;
  const modulePath = path(moduleFile);
  const existing = files.get(moduleFile);
  if (existing !== undefined && !existing.includes(MANAGED_MARKER)) {
    notes.push(`${name}: ${modulePath} exists and was not written by obs; obs leaves it, ${path(entry)} and package.json alone`);
    return { changes: [], notes };
  }
  const handMade = [...files].find(([file, text]) => REACT_SOURCE.test(file) && file !== moduleFile && !text.includes(MANAGED_MARKER) && REACT_HAND_WIRED.test(text));
  if (handMade) {
    notes.push(`${name}: ${path(handMade[0])} already sets up OpenTelemetry in the browser; obs leaves the app and package.json alone. ${pasteHint(chain.env, chain.prefix)}`);
    return { changes: [], notes };
  }
  // Browser OpenTelemetry packages in package.json without obs's module: the app's own setup
  // (maybe in a file obs did not read), on a line obs may not write for. Never a second SDK.
  const declared = otelDeclared(pkg);
  if (existing === undefined && declared.size > 0) {
    const listed = [...declared]
      .slice(0, 3)
      .map(([p, v]) => `${p}@${v}`)
      .join(', ');
    notes.push(
      `${name}: ${path('package.json')} already lists browser OpenTelemetry (${listed}${declared.size > 3 ? ', ...' : ''}), so the app sets up tracing itself; ` +
        `obs leaves the app and package.json alone. ${pasteHint(chain.env, chain.prefix)}`,
    );
    return { changes: [], notes };
  }
  // obs's own module on a re-run: the packages installed or declared must still be the 2.x line it is written for.
  const versions = new Map([...declared]);
  for (const pkgName of INSTALLED_CHECKED) {
    const installed = installedVersion(files.get(`node_modules/${pkgName}/package.json`));
    if (installed && versions.has(pkgName)) versions.set(pkgName, installed);
  }
  const pins = otherLinePins(versions);
  if (pins.length > 0) {
    notes.push(
      `${name}: ${pins.map((p) => `${p.pkg}@${p.version}`).join(', ')} in ${path('package.json')} is the ${pins[0]!.line} line; ${modulePath} is written for the 2.x line ` +
        `(sdk-trace-web ^2.12, resourceFromAttributes), so obs leaves it, ${path(entry)} and package.json as they are: move those packages to ` +
        `${
          Object.entries(REACT_SDK_PACKAGES)
            .filter(([p]) => declared.has(p))
            .map(([p, r]) => `${p}@${r}`)
            .join(', ') || 'the 2.x line'
        }, or delete ${modulePath} and keep your own setup`,
    );
    return { changes: [], notes };
  }
  const sources = [...files].filter(([file]) => REACT_SOURCE.test(file) && file !== moduleFile).map(([, text]) => text);
  const instrumentations = chooseWebInstrumentations(Object.keys({ ...pkg?.dependencies, ...pkg?.devDependencies }), sources);
  const packages = { ...REACT_SDK_PACKAGES, ...Object.fromEntries(instrumentations.map((i) => [i.pkg, i.range])) };

  const api = apiUrlExpressions(input, chain);
  const header = typescript && toolchain === 'vite' ? '/// <reference types="vite/client" />\n' : '';
  const moduleText =
    header +
    renderTemplate(input.template(REACT_TEMPLATE), {
      ENTRY: entry,
      ENV: chain.env,
      PREFIX: chain.prefix,
      SERVICE_NAME: JSON.stringify(name),
      API_URLS: api.expressions.join(', '),
      WHAT: instrumentations
        .map((i) => i.what)
        .join(', ')
        .replace(/, ([^,]*)$/, ' and $1'),
      IMPORTS: instrumentations.map((i) => `import { ${i.exportName} } from '${i.pkg}';`).join('\n'),
      INSTRUMENTATIONS: instrumentations.map((i) => `      new ${i.exportName}(${i.args}),`).join('\n'),
    });
  const changes: FileChange[] = [...changeOf(modulePath, existing ?? null, moduleText)];
  let install: InstrumentPlan['install'];

  const specifier = typescript ? './tracing' : './tracing.js';
  const entryText = files.get(entry)!;
  const entryAfter = TRACING_IMPORT.test(entryText) ? entryText : addImport(entryText, specifier);
  const result = pkgText === undefined ? { text: undefined, reason: 'the service has no package.json' } : addDependencies(pkgText, packages);
  if (result.text === undefined) {
    const steps = [
      `add to "dependencies" in ${path('package.json')}, then run ${installSteps(nodePackageManager(files), input.serviceDir, name).join(', then ')}:`,
      ...Object.entries(packages).map(([p, range]) => `    ${JSON.stringify(p)}: ${JSON.stringify(range)},`),
      ...(entryAfter === entryText ? [] : [`add as the first import of ${path(entry)}:`, `    import '${specifier}';`]),
    ];
    notes.push(`${name}: ${result.reason}. obs writes ${modulePath} and changes nothing else; to finish by hand:\n${steps.map((s) => `    ${s}`).join('\n')}`);
  } else {
    changes.push(...changeOf(path(entry), entryText, entryAfter));
    if (result.added.length > 0) {
      changes.push(...changeOf(path('package.json'), pkgText!, result.text));
      const manager = nodePackageManager(files);
      install = { manager, manifest: path('package.json'), packages: result.added, commands: installSteps(manager, input.serviceDir, name) };
    }
  }

  const collectorVar = `${chain.prefix}OTEL_COLLECTOR_URL`;
  const environment: { key: string; value: string }[] = [];
  const port = COLLECTOR_PORTS.otlpHttp;
  if (input.collectorUrl) {
    // The dev server reads it from the container's environment (Vite and react-scripts both take
    // prefixed variables from process.env); a production image built elsewhere needs it at build time.
    environment.push({ key: collectorVar, value: input.collectorUrl });
    notes.push(
      `${name}: the browser sends spans to the collector at ${input.collectorUrl} (${collectorVar}, set in the compose file; ` +
        `a production build needs it at build time). The collector allows this app's pages in its CORS settings and adds the keys`,
    );
  } else if (input.pipeline === 'collector') {
    notes.push(
      `${name}: the browser sends spans to ${collectorVar}, the project's OpenTelemetry Collector, which forwards them with the keys it holds: ` +
        `never a key in browser code. Set ${collectorVar} where the build reads it to the URL the browser reaches the collector on ` +
        `(its OTLP/HTTP port ${port}, published, with CORS allowing this site's origins). Tracing stays off until it is set`,
    );
  } else {
    notes.push(
      `${name}: the browser sends spans to ${collectorVar}, never straight to Honeycomb: a key in browser code ships to every visitor. ` +
        `Point ${collectorVar} at an endpoint the app controls that adds the key: obs init --pipeline collector runs an OpenTelemetry Collector ` +
        `for it, or a backend route can forward /v1/traces. Tracing stays off until ${collectorVar} is set`,
    );
  }
  if (api.described.length > 0) {
    notes.push(
      `${name}: requests to ${api.described.join(', ')} carry the traceparent header once tracing is on: allow the traceparent and tracestate ` +
        `headers in the backend's CORS (Access-Control-Allow-Headers), or the browser blocks those requests`,
    );
  } else if (devProxy(input.files.get('package.json')) !== undefined) {
    // Create React App's dev server forwards unknown paths to package.json's "proxy": same origin.
    notes.push(
      `${name}: the browser reaches the backend through the dev server's proxy (package.json "proxy": ${devProxy(input.files.get('package.json'))}), ` +
        `the page's own origin, so those requests carry the trace headers and backend spans join the browser's traces`,
    );
  } else {
    notes.push(`${name}: obs found no backend URL for the browser app; add it to apiUrls in ${modulePath} so backend spans join the browser's traces`);
  }
  return { changes, notes, environment, ...(install ? { install } : {}) };
}

/** What to change in a setup of the app's own so its spans reach the collector obs points it at. */
function pasteHint(env: string, prefix: string): string {
  return (
    `To send its spans where obs sends the others, give its OTLPTraceExporter \`url: \`\${${env}.${prefix}OTEL_COLLECTOR_URL}/v1/traces\`\` and no headers ` + '(never a Honeycomb key in browser code)'
  );
}

/** @opentelemetry/* and @honeycombio/opentelemetry-web packages package.json declares, with their ranges. */
function otelDeclared(pkg: { dependencies?: Record<string, string>; devDependencies?: Record<string, string> } | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const deps of [pkg?.dependencies, pkg?.devDependencies]) {
    for (const [name, range] of Object.entries(deps ?? {})) if (/^@opentelemetry\/|^@honeycombio\/opentelemetry-web$/.test(name)) out.set(name, String(range));
  }
  return out;
}

function installedVersion(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

function readPackage(text: string): { dependencies?: Record<string, string>; devDependencies?: Record<string, string> } | undefined {
  try {
    const pkg: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
    return pkg && typeof pkg === 'object' && !Array.isArray(pkg) ? pkg : undefined;
  } catch {
    return undefined;
  }
}

/** Create React App's `"proxy"` in package.json: where its dev server forwards API calls. */
function devProxy(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    const proxy = (JSON.parse(text.replace(/^\uFEFF/, '')) as { proxy?: unknown }).proxy;
    return typeof proxy === 'string' && /^https?:\/\//.test(proxy) ? proxy : undefined;
  } catch {
    return undefined;
  }
}

/** The JS expressions for apiUrls (build variables first), and how to name them in a note. */
function apiUrlExpressions(input: ReactInstrumentInput, chain: { env: string; prefix: string }): { expressions: string[]; described: string[] } {
  const pattern = new RegExp(`^${chain.prefix}(?!OTEL_)[A-Z0-9_]*(?:BACKEND|API)[A-Z0-9_]*URL$`);
  const names = new Set<string>();
  for (const key of input.environment?.keys() ?? []) if (pattern.test(key)) names.add(key);
  const escapedEnv = chain.env.replace(/\./g, '\\.');
  const used = new RegExp(`${escapedEnv}\\.(${chain.prefix}[A-Z0-9_]+)`, 'g');
  for (const [file, text] of input.files) {
    if (file === 'package.json') continue;
    for (const m of text.matchAll(used)) if (pattern.test(m[1]!)) names.add(m[1]!);
  }
  const sorted = [...names].sort();
  const expressions = sorted.map((n) => `${chain.env}.${n}`);
  const described = [...sorted];
  const literal = input.apiUrl?.trim();
  const known = sorted.map((n) => input.environment?.get(n) ?? undefined);
  if (literal && !known.includes(literal)) {
    expressions.push(JSON.stringify(literal));
    described.push(literal);
  }
  if (expressions.length === 0) return { expressions: ['window.location.origin'], described: [] };
  return { expressions, described };
}

/** `import '<specifier>';` before the first import, in the file's quote and semicolon style. */
function addImport(text: string, specifier: string): string {
  const eol = detectEol(text);
  const first = /^import\b[^'"]*(['"])/m.exec(text);
  const quote = first?.[1] ?? "'";
  const semi = !first || /['"][ \t]*;[ \t]*$/m.test(text) ? ';' : '';
  const line = `import ${quote}${specifier}${quote}${semi}${eol}`;
  const at = first ? first.index : 0;
  return text.slice(0, at) + line + text.slice(at);
}
