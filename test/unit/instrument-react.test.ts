import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planReact, REACT_PACKAGES, REACT_TEMPLATE, type ReactInstrumentInput } from '../../src/instrument/react.js';
import { MANAGED_MARKER, renderTemplate, templateLoader } from '../../src/instrument/template.js';

const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');
const crlf = (...lines: string[]) => lines.map((l) => `${l}\r\n`).join('');

const EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'cruddur', 'frontend-react-js');
const exampleFile = (name: string) => readFileSync(join(EXAMPLE, name), 'utf8');

const HONEYCOMB = { honeycomb: true, xray: false, cloudwatch: false, rollbar: false };
const load = templateLoader('react');

function input(files: Record<string, string>, over: Partial<ReactInstrumentInput> = {}): ReactInstrumentInput {
  return { serviceDir: 'frontend-react-js', serviceName: 'frontend-react-js', backends: HONEYCOMB, files: new Map(Object.entries(files)), template: load, ...over };
}

function applied(plan: ReturnType<typeof planReact>, files: Record<string, string>): Record<string, string> {
  const out = { ...files };
  for (const change of plan.changes) out[change.path.replace(/^frontend-react-js\//, '')] = change.after;
  return out;
}

/** Page loads and fetch(): what a page that sends no XMLHttpRequest gets. */
const FETCH_ONLY = {
  WHAT: 'page loads and fetch calls',
  IMPORTS: lf("import { DocumentLoadInstrumentation } from '@opentelemetry/instrumentation-document-load';", "import { FetchInstrumentation } from '@opentelemetry/instrumentation-fetch';").trimEnd(),
  INSTRUMENTATIONS: lf('      new DocumentLoadInstrumentation(),', '      new FetchInstrumentation({ propagateTraceHeaderCorsUrls, ignoreUrls }),').trimEnd(),
};
const FETCH_ONLY_PACKAGES = Object.keys(REACT_PACKAGES).filter((p) => !p.endsWith('xml-http-request'));
const VITE_VALUES = { ENTRY: 'src/main.jsx', ENV: 'import.meta.env', PREFIX: 'VITE_', SERVICE_NAME: '"frontend-react-js"', ...FETCH_ONLY };
const EXAMPLE_FILES = { 'package.json': exampleFile('package.json'), 'src/main.jsx': exampleFile('src/main.jsx'), 'src/App.jsx': exampleFile('src/App.jsx') };
const EXAMPLE_ENV = new Map([['VITE_BACKEND_URL', 'http://localhost:4567']]);

const EXAMPLE_PKG_AFTER = lf(
  '{',
  '  "name": "frontend-react-js",',
  '  "version": "0.1.0",',
  '  "private": true,',
  '  "type": "module",',
  '  "scripts": {',
  '    "dev": "vite",',
  '    "build": "vite build"',
  '  },',
  '  "dependencies": {',
  '    "@opentelemetry/api": "~1.9.0",',
  '    "@opentelemetry/exporter-trace-otlp-http": "^0.223.1",',
  '    "@opentelemetry/instrumentation": "^0.223.0",',
  '    "@opentelemetry/instrumentation-document-load": "^0.68.0",',
  '    "@opentelemetry/instrumentation-fetch": "^0.223.0",',
  '    "@opentelemetry/resources": "^2.12.1",',
  '    "@opentelemetry/sdk-trace-web": "^2.12.0",',
  '    "react": "^18.3.1",',
  '    "react-dom": "^18.3.1"',
  '  },',
  '  "devDependencies": {',
  '    "@vitejs/plugin-react": "^4.3.4",',
  '    "vite": "^5.4.11"',
  '  }',
  '}',
);
const EXAMPLE_MAIN_AFTER = lf(
  'import "./tracing.js";',
  'import React from "react";',
  'import ReactDOM from "react-dom/client";',
  'import App from "./App.jsx";',
  '',
  'ReactDOM.createRoot(document.getElementById("root")).render(',
  '  <React.StrictMode>',
  '    <App />',
  '  </React.StrictMode>',
  ');',
);
const COLLECTOR_NOTE =
  'frontend-react-js: the browser sends spans to VITE_OTEL_COLLECTOR_URL, never straight to Honeycomb: a key in browser code ships to every visitor. ' +
  'Point VITE_OTEL_COLLECTOR_URL at an endpoint the app controls that adds the key: obs init --pipeline collector runs an OpenTelemetry Collector ' +
  'for it, or a backend route can forward /v1/traces. Tracing stays off until VITE_OTEL_COLLECTOR_URL is set';
const CORS_NOTE =
  'frontend-react-js: requests to VITE_BACKEND_URL carry the traceparent header once tracing is on: allow the traceparent and tracestate ' +
  "headers in the backend's CORS (Access-Control-Allow-Headers), or the browser blocks those requests";

const PASTE_VITE =
  'To send its spans where obs sends the others, give its OTLPTraceExporter `url: `${import.meta.env.VITE_OTEL_COLLECTOR_URL}/v1/traces`` and no headers (never a Honeycomb key in browser code)';
const PASTE_CRA = PASTE_VITE.replace('import.meta.env.VITE_', 'process.env.REACT_APP_');

/** The real CRA app of issue 12 item 1 (SOURCE.txt): its own 1.x setup in src/TraceProvide.js. */
const CRA_FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'instrument', 'cra-traceprovide', 'frontend-react-js');
const CRA_FILES = Object.fromEntries(['package.json', 'src/index.js', 'src/App.js', 'src/TraceProvide.js'].map((f) => [f, readFileSync(join(CRA_FIXTURE, f), 'utf8')]));

describe('planReact: an app that sets up browser OpenTelemetry itself (issue 12 item 1)', () => {
  it('the CRA app with src/TraceProvide.js and sdk-trace-web ^1.9: no change, found from the file', () => {
    expect(planReact(input(CRA_FILES))).toEqual({
      changes: [],
      notes: [`frontend-react-js: frontend-react-js/src/TraceProvide.js already sets up OpenTelemetry in the browser; obs leaves the app and package.json alone. ${PASTE_CRA}`],
    });
  });

  it('found from the dependencies alone when obs did not read the file that does it', () => {
    const { 'src/TraceProvide.js': _file, ...withoutFile } = CRA_FILES;
    expect(planReact(input(withoutFile))).toEqual({
      changes: [],
      notes: [
        'frontend-react-js: frontend-react-js/package.json already lists browser OpenTelemetry (@opentelemetry/api@^1.4.0, @opentelemetry/context-zone@^1.9.1, ' +
          '@opentelemetry/exporter-trace-otlp-http@^0.35.1, ...), so the app sets up tracing itself; obs leaves the app and package.json alone. ' +
          PASTE_CRA,
      ],
    });
  });

  it('a setup in any source file counts, not only the entry, App or tracing files', () => {
    const nested = { ...EXAMPLE_FILES, 'src/lib/telemetry/provider.js': 'const p = new WebTracerProvider({});\np.register();\n' };
    expect(planReact(input(nested)).notes[0]).toMatch(/^frontend-react-js: frontend-react-js\/src\/lib\/telemetry\/provider\.js already sets up OpenTelemetry/);
  });

  it("obs's own module on a re-run, with the SDK pinned to 1.x (declared or installed): refuses to update, says what to change", () => {
    const first = planReact(input(EXAMPLE_FILES, { environment: EXAMPLE_ENV }));
    const files = applied(first, EXAMPLE_FILES);
    const pinned = { ...files, 'package.json': files['package.json']!.replace('"@opentelemetry/sdk-trace-web": "^2.12.0"', '"@opentelemetry/sdk-trace-web": "^1.9.1"') };
    const plan = planReact(input(pinned, { environment: EXAMPLE_ENV }));
    expect(plan.changes).toEqual([]);
    expect(plan.notes[0]).toBe(
      'frontend-react-js: @opentelemetry/sdk-trace-web@^1.9.1 in frontend-react-js/package.json is the 1.x line; frontend-react-js/src/tracing.js is written for the 2.x line ' +
        '(sdk-trace-web ^2.12, resourceFromAttributes), so obs leaves it, frontend-react-js/src/main.jsx and package.json as they are: move those packages to ' +
        '@opentelemetry/api@~1.9.0, @opentelemetry/exporter-trace-otlp-http@^0.223.1, @opentelemetry/instrumentation@^0.223.0, @opentelemetry/resources@^2.12.1, @opentelemetry/sdk-trace-web@^2.12.0, ' +
        'or delete frontend-react-js/src/tracing.js and keep your own setup',
    );
    // Declared ^2 but installed 1.x (an old lock file): what is installed decides.
    const installed = planReact(input({ ...files, 'node_modules/@opentelemetry/sdk-trace-web/package.json': '{"version":"1.30.1"}' }, { environment: EXAMPLE_ENV }));
    expect(installed.changes).toEqual([]);
    expect(installed.notes[0]).toMatch(/^frontend-react-js: @opentelemetry\/sdk-trace-web@1\.30\.1 in /);
  });
});

describe('planReact: only the instrumentations the page needs', () => {
  it('XMLHttpRequest only when the code uses it (axios, or XMLHttpRequest itself); never user-interaction', () => {
    const plain = planReact(input(EXAMPLE_FILES, { environment: EXAMPLE_ENV })).changes[0]!.after;
    expect(plain).not.toMatch(/xml-http-request|user-interaction/);
    const withAxios = { ...EXAMPLE_FILES, 'package.json': EXAMPLE_FILES['package.json'].replace('"react": ', '"axios": "^1.7.0",\n    "react": ') };
    const plan = planReact(input(withAxios, { environment: EXAMPLE_ENV }));
    expect(plan.changes[0]!.after).toContain('      new XMLHttpRequestInstrumentation({ propagateTraceHeaderCorsUrls, ignoreUrls }),');
    expect(plan.changes[0]!.after).toContain('page loads, fetch calls and XMLHttpRequest calls become spans');
    expect(plan.changes.find((c) => c.path.endsWith('package.json'))!.after).toContain('"@opentelemetry/instrumentation-xml-http-request": "^0.223.0"');
    const xhrCode = planReact(input({ ...EXAMPLE_FILES, 'src/lib/api.js': 'const x = new XMLHttpRequest();\n' }, { environment: EXAMPLE_ENV }));
    expect(xhrCode.changes[0]!.after).toContain('XMLHttpRequestInstrumentation');
  });
});

describe('planReact', () => {
  it('wires the Vite example: src/tracing.js, the entry import and the packages', () => {
    const plan = planReact(input(EXAMPLE_FILES, { environment: EXAMPLE_ENV }));
    expect(plan.changes).toEqual([
      { path: 'frontend-react-js/src/tracing.js', before: null, after: renderTemplate(load(REACT_TEMPLATE), { ...VITE_VALUES, API_URLS: 'import.meta.env.VITE_BACKEND_URL' }) },
      { path: 'frontend-react-js/src/main.jsx', before: EXAMPLE_FILES['src/main.jsx'], after: EXAMPLE_MAIN_AFTER },
      { path: 'frontend-react-js/package.json', before: EXAMPLE_FILES['package.json'], after: EXAMPLE_PKG_AFTER },
    ]);
    expect(plan.notes).toEqual([COLLECTOR_NOTE, CORS_NOTE]);
    expect(plan.install).toEqual({
      manager: 'npm',
      manifest: 'frontend-react-js/package.json',
      packages: FETCH_ONLY_PACKAGES,
      commands: ['(cd frontend-react-js && npm install) (updates frontend-react-js/package-lock.json)', 'docker compose build frontend-react-js'],
    });
  });

  it('the module reads the collector URL from a build variable and holds no key', () => {
    const text = planReact(input(EXAMPLE_FILES, { environment: EXAMPLE_ENV })).changes[0]!.after;
    expect(text.split('\n')[0]).toContain(MANAGED_MARKER);
    expect(text).toContain('const collectorUrl = import.meta.env.VITE_OTEL_COLLECTOR_URL;\n');
    expect(text).toContain('const serviceName = import.meta.env.VITE_OTEL_SERVICE_NAME || "frontend-react-js";\n');
    expect(text).toContain('const apiUrls = [import.meta.env.VITE_BACKEND_URL];\n');
    expect(text).toContain('new FetchInstrumentation({ propagateTraceHeaderCorsUrls, ignoreUrls })');
    expect(text).not.toMatch(/x-honeycomb-team|HONEYCOMB_API_KEY|api\.honeycomb\.io|\{\{/);
  });

  it('collector pipeline: the same module and packages; with the collector URL obs sets it for the build, without it the note says where to set it', () => {
    const direct = planReact(input(EXAMPLE_FILES, { environment: EXAMPLE_ENV }));
    const wired = planReact({ ...input(EXAMPLE_FILES, { environment: EXAMPLE_ENV, pipeline: 'collector' }), collectorUrl: 'http://localhost:4318' });
    expect(wired.changes).toEqual(direct.changes);
    expect(wired.environment).toEqual([{ key: 'VITE_OTEL_COLLECTOR_URL', value: 'http://localhost:4318' }]);
    expect(wired.notes).toEqual([
      'frontend-react-js: the browser sends spans to the collector at http://localhost:4318 (VITE_OTEL_COLLECTOR_URL, set in the compose file; ' +
        "a production build needs it at build time). The collector allows this app's pages in its CORS settings and adds the keys",
      CORS_NOTE,
    ]);
    const unwired = planReact(input(EXAMPLE_FILES, { environment: EXAMPLE_ENV, pipeline: 'collector' }));
    expect(unwired.environment).toEqual([]);
    expect(unwired.notes[0]).toBe(
      "frontend-react-js: the browser sends spans to VITE_OTEL_COLLECTOR_URL, the project's OpenTelemetry Collector, which forwards them with the keys it holds: " +
        'never a key in browser code. Set VITE_OTEL_COLLECTOR_URL where the build reads it to the URL the browser reaches the collector on ' +
        "(its OTLP/HTTP port 4318, published, with CORS allowing this site's origins). Tracing stays off until it is set",
    );
  });

  it('adds the import once: a second plan over its own output changes nothing', () => {
    const first = planReact(input(EXAMPLE_FILES, { environment: EXAMPLE_ENV }));
    const again = planReact(input(applied(first, EXAMPLE_FILES), { environment: EXAMPLE_ENV }));
    expect(again.changes).toEqual([]);
    expect(again.notes).toEqual([COLLECTOR_NOTE, CORS_NOTE]);
  });

  it('finds the backend variable in the source when compose does not set it, and adds a literal apiUrl', () => {
    const plan = planReact(input(EXAMPLE_FILES, { apiUrl: 'https://api.example.com' }));
    expect(plan.changes[0]!.after).toContain('const apiUrls = [import.meta.env.VITE_BACKEND_URL, "https://api.example.com"];\n');
    expect(plan.notes.at(-1)).toMatch(/^frontend-react-js: requests to VITE_BACKEND_URL, https:\/\/api\.example\.com carry the traceparent header/);
    // The literal is the variable's value in compose: said once.
    const same = planReact(input(EXAMPLE_FILES, { environment: EXAMPLE_ENV, apiUrl: 'http://localhost:4567' }));
    expect(same.changes[0]!.after).toContain('const apiUrls = [import.meta.env.VITE_BACKEND_URL];\n');
  });

  it('without a known backend, propagates to its own origin and says where to add the backend', () => {
    const files = { 'package.json': EXAMPLE_FILES['package.json'], 'src/main.jsx': EXAMPLE_FILES['src/main.jsx'] };
    const plan = planReact(input(files));
    expect(plan.changes[0]!.after).toContain('const apiUrls = [window.location.origin];\n');
    expect(plan.notes.at(-1)).toBe("frontend-react-js: obs found no backend URL for the browser app; add it to apiUrls in frontend-react-js/src/tracing.js so backend spans join the browser's traces");
  });

  it('Create React App: process.env.REACT_APP_*, src/index.js, single quotes without semicolons, CRLF', () => {
    const pkg = lf('{', '  "name": "frontend",', '  "dependencies": {', '    "react": "^18.2.0",', '    "react-scripts": "5.0.1"', '  }', '}');
    const index = crlf("import React from 'react'", "import App from './App'", '', "createRoot(document.getElementById('root')).render(<App />)");
    const plan = planReact(input({ 'package.json': pkg, 'src/index.js': index }, { environment: new Map([['REACT_APP_BACKEND_URL', 'https://4567-x.gitpod.io']]) }));
    expect(plan.changes.map((c) => c.path)).toEqual(['frontend-react-js/src/tracing.js', 'frontend-react-js/src/index.js', 'frontend-react-js/package.json']);
    expect(plan.changes[0]!.after).toBe(
      renderTemplate(load(REACT_TEMPLATE), {
        ENTRY: 'src/index.js',
        ENV: 'process.env',
        PREFIX: 'REACT_APP_',
        SERVICE_NAME: '"frontend-react-js"',
        API_URLS: 'process.env.REACT_APP_BACKEND_URL',
        ...FETCH_ONLY,
      }),
    );
    expect(plan.changes[1]!.after).toBe(crlf("import './tracing.js'", "import React from 'react'", "import App from './App'", '', "createRoot(document.getElementById('root')).render(<App />)"));
    expect(plan.notes[0]).toMatch(/^frontend-react-js: the browser sends spans to REACT_APP_OTEL_COLLECTOR_URL, never straight to Honeycomb/);
  });

  it('TypeScript entry: src/tracing.ts with the vite/client types, imported without extension', () => {
    const main = lf("import { StrictMode } from 'react';", "import App from './App';");
    const plan = planReact(input({ 'package.json': EXAMPLE_FILES['package.json'], 'src/main.tsx': main }));
    expect(plan.changes[0]!.path).toBe('frontend-react-js/src/tracing.ts');
    expect(plan.changes[0]!.after.split('\n').slice(0, 2)).toEqual([
      '/// <reference types="vite/client" />',
      `// ${MANAGED_MARKER}, which updates this file while this line is here; delete the line to keep your edits.`,
    ]);
    expect(plan.changes[1]).toEqual({ path: 'frontend-react-js/src/main.tsx', before: main, after: lf("import './tracing';", "import { StrictMode } from 'react';", "import App from './App';") });
  });

  it('bad package.json: writes the module, skips every other edit and says what to paste', () => {
    const bad = '{ "name": "frontend", "dependencies": { "react": "^18" }, }\n';
    const plan = planReact(input({ 'package.json': bad, 'src/main.jsx': EXAMPLE_FILES['src/main.jsx'] }, { environment: EXAMPLE_ENV }));
    expect(plan.changes.map((c) => c.path)).toEqual(['frontend-react-js/src/tracing.js']);
    const [first, ...rest] = plan.notes[0]!.split('\n');
    expect(first).toMatch(/^frontend-react-js: package\.json is not valid JSON \(.+\)\. obs writes frontend-react-js\/src\/tracing\.js and changes nothing else; to finish by hand:$/);
    expect(rest).toEqual([
      '    add to "dependencies" in frontend-react-js/package.json, then run (cd frontend-react-js && npm install) (updates frontend-react-js/package-lock.json), then docker compose build frontend-react-js:',
      ...Object.entries(REACT_PACKAGES)
        .filter(([p]) => !p.endsWith('xml-http-request'))
        .map(([p, r]) => `        "${p}": "${r}",`),
      '    add as the first import of frontend-react-js/src/main.jsx:',
      "        import './tracing.js';",
    ]);
    expect(plan.notes.slice(1)).toEqual([COLLECTOR_NOTE, CORS_NOTE]);
  });

  it('leaves alone: a hand-written tracing module, a hand-made browser SDK, an unknown toolchain, no entry', () => {
    const mine = "import './otel';\n";
    expect(planReact(input({ ...EXAMPLE_FILES, 'src/tracing.js': mine })).changes).toEqual([]);
    expect(planReact(input({ ...EXAMPLE_FILES, 'src/tracing.js': mine })).notes).toEqual([
      'frontend-react-js: frontend-react-js/src/tracing.js exists and was not written by obs; obs leaves it, frontend-react-js/src/main.jsx and package.json alone',
    ]);
    const handMade = { ...EXAMPLE_FILES, 'src/App.jsx': "import { WebTracerProvider } from '@opentelemetry/sdk-trace-web';\n" };
    expect(planReact(input(handMade)).notes).toEqual([
      `frontend-react-js: frontend-react-js/src/App.jsx already sets up OpenTelemetry in the browser; obs leaves the app and package.json alone. ${PASTE_VITE}`,
    ]);
    const parcel = planReact(input({ 'package.json': '{"dependencies": {"react": "18", "parcel": "2"}}', 'src/index.js': '' }));
    expect(parcel).toEqual({
      changes: [],
      notes: ['frontend-react-js: obs wires browser tracing into Vite and Create React App builds; frontend-react-js/package.json names neither, so obs leaves the app alone'],
    });
    expect(planReact(input({ 'package.json': EXAMPLE_FILES['package.json'] })).changes).toEqual([]);
  });

  it('does nothing without Honeycomb', () => {
    expect(planReact(input(EXAMPLE_FILES, { backends: { honeycomb: false, xray: false, cloudwatch: false, rollbar: true } }))).toEqual({
      changes: [],
      notes: ['frontend-react-js: obs instruments the browser app with OpenTelemetry only; wire Rollbar into it by hand'],
    });
  });
});
