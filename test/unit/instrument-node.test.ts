import { describe, expect, it } from 'vitest';
import { NODE_MODULE, planNode, sentryOnOpenTelemetry, type InstrumentInput } from '../../src/instrument/node.js';
import { addDependencies, removeDependencies } from '../../src/instrument/package-json.js';
import { MANAGED_MARKER, renderTemplate, templateLoader } from '../../src/instrument/template.js';

const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');
const crlf = (...lines: string[]) => lines.map((l) => `${l}\r\n`).join('');

const HONEYCOMB = { honeycomb: true, xray: false, cloudwatch: false, rollbar: false };
const load = templateLoader('node');
const HTTP_LINE = '  ["@opentelemetry/instrumentation-http", "HttpInstrumentation", {}],';
const EXPRESS_LINE = '  ["@opentelemetry/instrumentation-express", "ExpressInstrumentation", {}],';
/** tracing.cjs for an Express app, and for an app whose dependencies obs could not read (http only). */
const MODULE = renderTemplate(load(NODE_MODULE), { SERVICE_NAME: '"api"', INSTRUMENTATIONS: `${HTTP_LINE}\n${EXPRESS_LINE}` });
const MODULE_HTTP = renderTemplate(load(NODE_MODULE), { SERVICE_NAME: '"api"', INSTRUMENTATIONS: HTTP_LINE });

function input(files: Record<string, string>, over: Partial<InstrumentInput> = {}): InstrumentInput {
  return { serviceDir: 'api', serviceName: 'api', backends: HONEYCOMB, files: new Map(Object.entries(files)), template: load, ...over };
}

/** The plan's files after applying it, keyed by path relative to the service folder. */
function applied(plan: ReturnType<typeof planNode>, files: Record<string, string>): Record<string, string> {
  const out = { ...files };
  for (const change of plan.changes) out[change.path.replace(/^api\//, '')] = change.after;
  return out;
}

const PKG = lf('{', '  "name": "api",', '  "version": "1.0.0",', '  "main": "server.js",', '  "dependencies": {', '    "express": "^4.21.2"', '  }', '}');
const PKG_AFTER = lf(
  '{',
  '  "name": "api",',
  '  "version": "1.0.0",',
  '  "main": "server.js",',
  '  "dependencies": {',
  '    "@opentelemetry/api": "~1.9.0",',
  '    "@opentelemetry/core": "2.12.0",',
  '    "@opentelemetry/exporter-trace-otlp-proto": "0.223.0",',
  '    "@opentelemetry/instrumentation": "0.223.0",',
  '    "@opentelemetry/instrumentation-express": "^0.71.1",',
  '    "@opentelemetry/instrumentation-http": "0.223.0",',
  '    "@opentelemetry/resources": "2.12.0",',
  '    "@opentelemetry/sdk-trace-node": "2.12.0",',
  '    "express": "^4.21.2"',
  '  }',
  '}',
);
const EXPRESS_PACKAGES = {
  '@opentelemetry/api': '~1.9.0',
  '@opentelemetry/core': '2.12.0',
  '@opentelemetry/exporter-trace-otlp-proto': '0.223.0',
  '@opentelemetry/instrumentation': '0.223.0',
  '@opentelemetry/instrumentation-express': '^0.71.1',
  '@opentelemetry/instrumentation-http': '0.223.0',
  '@opentelemetry/resources': '2.12.0',
  '@opentelemetry/sdk-trace-node': '2.12.0',
};
const SERVER = lf("const express = require('express');", 'const app = express();', 'app.listen(3000);');

describe('addDependencies', () => {
  const deps = { '@opentelemetry/api': '~1.9.0', zod: '^3.0.0' };

  it('sorts into a sorted section, keeping 2-space indentation and the final newline', () => {
    expect(addDependencies(PKG, EXPRESS_PACKAGES)).toEqual({ text: PKG_AFTER, added: Object.keys(EXPRESS_PACKAGES) });
  });

  it('keeps 4-space indentation, CRLF line endings and a missing final newline', () => {
    const text = crlf('{', '    "name": "x",', '    "dependencies": {', '        "express": "^4.0.0"', '    }').concat('}');
    const after = crlf('{', '    "name": "x",', '    "dependencies": {', '        "@opentelemetry/api": "~1.9.0",', '        "express": "^4.0.0",', '        "zod": "^3.0.0"', '    }').concat('}');
    expect(addDependencies(text, deps)).toEqual({ text: after, added: ['@opentelemetry/api', 'zod'] });
  });

  it('keeps tabs', () => {
    const text = '{\n\t"name": "x",\n\t"dependencies": {\n\t\t"express": "^4.0.0"\n\t}\n}\n';
    expect(addDependencies(text, { zod: '^3.0.0' }).text).toBe('{\n\t"name": "x",\n\t"dependencies": {\n\t\t"express": "^4.0.0",\n\t\t"zod": "^3.0.0"\n\t}\n}\n');
  });

  it('appends to an unsorted section in the given order', () => {
    const text = lf('{', '  "dependencies": {', '    "zod": "^3.0.0",', '    "express": "^4.0.0"', '  }', '}');
    expect(addDependencies(text, { b: '1', a: '2' }).text).toBe(lf('{', '  "dependencies": {', '    "zod": "^3.0.0",', '    "express": "^4.0.0",', '    "b": "1",', '    "a": "2"', '  }', '}'));
  });

  it('adds a dependencies section at the end when there is none, after the last key', () => {
    const text = lf('{', '  "name": "x",', '  "scripts": {', '    "start": "node server.js"', '  }', '}');
    expect(addDependencies(text, deps).text).toBe(
      lf('{', '  "name": "x",', '  "scripts": {', '    "start": "node server.js"', '  },', '  "dependencies": {', '    "@opentelemetry/api": "~1.9.0",', '    "zod": "^3.0.0"', '  }', '}'),
    );
  });

  it('fills an empty section and an empty object', () => {
    expect(addDependencies(lf('{', '  "dependencies": {}', '}'), { a: '1' }).text).toBe(lf('{', '  "dependencies": {', '    "a": "1"', '  }', '}'));
    expect(addDependencies('{}\n', { a: '1' }).text).toBe(lf('{', '  "dependencies": {', '    "a": "1"', '  }', '}'));
  });

  it('keeps a one-line package.json on one line', () => {
    expect(addDependencies('{"name":"x","dependencies":{"express":"4"}}', { a: '1' }).text).toBe('{"name":"x","dependencies":{"a":"1","express":"4"}}');
    expect(addDependencies('{"name": "x", "version": "1"}', { a: '1' }).text).toBe('{"name": "x", "version": "1", "dependencies": {"a": "1"}}');
  });

  it('keeps a BOM, escaped keys and nested values intact', () => {
    const text = '\uFEFF' + lf('{', '  "a\\"b": {"c": [1, "}"]},', '  "dependencies": {', '    "x": "1"', '  }', '}');
    expect(addDependencies(text, { y: '2' }).text).toBe('\uFEFF' + lf('{', '  "a\\"b": {"c": [1, "}"]},', '  "dependencies": {', '    "x": "1",', '    "y": "2"', '  }', '}'));
  });

  it('leaves packages listed in any dependency section alone, whatever their version', () => {
    const text = lf('{', '  "dependencies": {', '    "@opentelemetry/api": "^1.4.0"', '  },', '  "devDependencies": {', '    "zod": "*"', '  }', '}');
    expect(addDependencies(text, deps)).toEqual({ text, added: [] });
  });

  it('refuses a file that is not JSON, or not the expected shapes, with a reason', () => {
    expect(addDependencies('{\n  "name": "x",\n}\n', deps)).toEqual({ text: undefined, reason: 'package.json is not valid JSON (line 3: property name expected)' });
    expect(addDependencies('\uFEFF{\n  "name": "x"\n  "version": "1"\n}\n', deps)).toEqual({ text: undefined, reason: 'package.json is not valid JSON (line 3: comma expected)' });
    expect(addDependencies('{"name": "x" // a comment\n}', deps)).toEqual({ text: undefined, reason: 'package.json is not valid JSON (line 1: invalid comment token)' });
    expect(addDependencies('[]', deps)).toEqual({ text: undefined, reason: 'package.json is not a JSON object' });
    expect(addDependencies('{"dependencies": []}', deps)).toEqual({ text: undefined, reason: '"dependencies" in package.json is not an object' });
    expect(addDependencies('{"dependencies": {}, "dependencies": {"a": "1"}}', deps)).toEqual({ text: undefined, reason: 'package.json has "dependencies" more than once' });
  });

  it('a second run changes nothing', () => {
    const once = addDependencies(PKG, EXPRESS_PACKAGES).text!;
    expect(addDependencies(once, EXPRESS_PACKAGES)).toEqual({ text: once, added: [] });
  });
});

describe('planNode', () => {
  it('writes tracing.cjs, adds the packages and asks for NODE_OPTIONS', () => {
    const plan = planNode(input({ 'package.json': PKG, 'server.js': SERVER }));
    expect(plan.changes).toEqual([
      { path: 'api/tracing.cjs', before: null, after: MODULE },
      { path: 'api/package.json', before: PKG, after: PKG_AFTER },
    ]);
    expect(plan.environment).toEqual([{ key: 'NODE_OPTIONS', value: '--require ./tracing.cjs' }]);
    expect(plan.notes).toEqual([]);
    expect(plan.install).toEqual({
      manager: 'npm',
      manifest: 'api/package.json',
      packages: [
        '@opentelemetry/api',
        '@opentelemetry/exporter-trace-otlp-proto',
        '@opentelemetry/instrumentation',
        '@opentelemetry/resources',
        '@opentelemetry/sdk-trace-node',
        '@opentelemetry/core',
        '@opentelemetry/instrumentation-http',
        '@opentelemetry/instrumentation-express',
      ],
      commands: ['(cd api && npm install) (updates api/package-lock.json)', 'docker compose build api'],
    });
  });

  it('renders the module: managed marker first, the service name as a JS string, no placeholder left', () => {
    const text = planNode(input({ 'package.json': PKG }, { serviceName: 'my "api"' })).changes[0]!.after;
    expect(text.split('\n')[0]).toContain(MANAGED_MARKER);
    expect(text).toContain('.merge(resources.resourceFromAttributes({ \'service.name\': "my \\"api\\"" }))');
    expect(text).not.toMatch(/\{\{|\}\}/);
    expect(text).toContain("require('@opentelemetry/exporter-trace-otlp-proto')");
  });

  it('a second plan over its own output changes nothing', () => {
    const files = { 'package.json': PKG, 'server.js': SERVER };
    const first = planNode(input(files));
    const env = new Map(first.environment.map((e) => [e.key, e.value] as [string, string]));
    const second = planNode(input(applied(first, files), { environment: env }));
    expect(second).toEqual({ changes: [], notes: [], environment: [] });
  });

  it('updates its own older module and leaves a hand-written tracing.cjs alone', () => {
    const old = `// ${MANAGED_MARKER}\nold\n`;
    expect(planNode(input({ 'package.json': PKG_AFTER, [NODE_MODULE]: old })).changes).toEqual([{ path: 'api/tracing.cjs', before: old, after: MODULE }]);
    const mine = "require('./otel-setup');\n";
    expect(planNode(input({ 'package.json': PKG, [NODE_MODULE]: mine }))).toEqual({
      changes: [],
      notes: ['api: api/tracing.cjs exists and was not written by obs; obs leaves it and package.json alone and adds no NODE_OPTIONS'],
      environment: [],
    });
  });

  it('leaves an app that starts the SDK by hand alone', () => {
    const tracing = lf("const { NodeSDK } = require('@opentelemetry/sdk-node');", 'new NodeSDK().start();');
    expect(planNode(input({ 'package.json': PKG, 'tracing.js': tracing }))).toEqual({
      changes: [],
      notes: ['api: api/tracing.js already sets up OpenTelemetry; obs leaves the app and package.json alone and adds no NODE_OPTIONS'],
      environment: [],
    });
    const viaCommand = planNode(input({ 'package.json': PKG }, { command: 'node --require @opentelemetry/auto-instrumentations-node/register server.js' }));
    expect(viaCommand.changes).toEqual([]);
    expect(viaCommand.notes).toEqual(['api: the service command or NODE_OPTIONS already sets up OpenTelemetry; obs leaves the app and package.json alone and adds no NODE_OPTIONS']);
  });

  it('leaves an app on Sentry 8 or later alone (Sentry.init registers the global tracer provider), not one on Sentry 7', () => {
    const sentry = (range: string) => PKG.replace('"express": "^4.21.2"', `"@sentry/node": "${range}",\n    "express": "^4.21.2"`);
    const eight = planNode(input({ 'package.json': sentry('^8.30.0'), 'server.js': SERVER }));
    expect(eight.changes).toEqual([]);
    expect(eight.environment).toEqual([]);
    expect(eight.notes).toEqual([
      expect.stringMatching(/^api: api\/package\.json has @sentry\/node \^8\.30\.0, which sets up OpenTelemetry itself when Sentry\.init runs; .*skipOpenTelemetrySetup\)$/),
    ]);
    expect(planNode(input({ 'package.json': sentry('latest'), 'server.js': SERVER })).changes).toEqual([]);
    const seven = planNode(input({ 'package.json': sentry('^7.120.0'), 'server.js': SERVER }));
    expect(seven.changes.map((c) => c.path)).toEqual(['api/tracing.cjs', 'api/package.json']);
    expect(sentryOnOpenTelemetry(new Map([['@sentry/nestjs', '9.1.0']]))).toEqual({ pkg: '@sentry/nestjs', range: '9.1.0' });
    expect(sentryOnOpenTelemetry(new Map([['@sentry/react', '^8.0.0']]))).toBeUndefined(); // the browser SDK does not use OpenTelemetry
  });

  it('appends to an existing NODE_OPTIONS (compose first, else the Dockerfile ENV)', () => {
    const fromCompose = planNode(input({ 'package.json': PKG }, { environment: new Map([['NODE_OPTIONS', '--max-old-space-size=512']]) }));
    expect(fromCompose.environment).toEqual([{ key: 'NODE_OPTIONS', value: '--max-old-space-size=512 --require ./tracing.cjs' }]);
    const dockerfile = lf('FROM node:20', 'WORKDIR /app', 'ENV NODE_OPTIONS="--enable-source-maps"', 'COPY . .', 'CMD ["node", "server.js"]');
    expect(planNode(input({ 'package.json': PKG, Dockerfile: dockerfile })).environment).toEqual([{ key: 'NODE_OPTIONS', value: '--enable-source-maps --require ./tracing.cjs' }]);
    const already = planNode(input({ 'package.json': PKG }, { command: 'node -r ./tracing.cjs server.js' }));
    expect(already.environment).toEqual([]);
  });

  it('uses the path the Dockerfile copies the build context to when it is not the WORKDIR', () => {
    const dockerfile = lf('FROM node:20-alpine', 'COPY . /srv/api', 'CMD node /srv/api/server.js');
    expect(planNode(input({ 'package.json': PKG, Dockerfile: dockerfile })).environment).toEqual([{ key: 'NODE_OPTIONS', value: '--require /srv/api/tracing.cjs' }]);
    const named = lf('FROM node:20', 'WORKDIR /app', 'COPY package.json ./', 'COPY tracing.cjs /opt/tracing.cjs', 'COPY src ./src');
    expect(planNode(input({ 'package.json': PKG, Dockerfile: named })).environment).toEqual([{ key: 'NODE_OPTIONS', value: '--require /opt/tracing.cjs' }]);
  });

  it('says to copy tracing.cjs when the Dockerfile copies only some files', () => {
    const dockerfile = lf('FROM node:20', 'WORKDIR /app', 'COPY package*.json ./', 'RUN npm ci', 'COPY src ./src', 'CMD ["node", "src/server.js"]');
    const plan = planNode(input({ 'package.json': PKG, Dockerfile: dockerfile }));
    expect(plan.environment).toEqual([{ key: 'NODE_OPTIONS', value: '--require ./tracing.cjs' }]);
    expect(plan.notes.at(-1)).toBe(
      'api: the Dockerfile does not copy the whole build context into the image: add `COPY tracing.cjs ./` next to the COPY of package.json ' +
        '(NODE_OPTIONS loads ./tracing.cjs and node stops at startup when it is missing)',
    );
    // Copies from a build stage may well bring it along: no note then.
    const staged = lf('FROM node:20 AS build', 'WORKDIR /app', 'COPY . .', 'FROM node:20-slim', 'WORKDIR /app', 'COPY --from=build /app /app', 'CMD ["node", "server.js"]');
    expect(planNode(input({ 'package.json': PKG, Dockerfile: staged })).notes).toHaveLength(0);
  });

  it('says to copy tracing.cjs when the last stage copies only the build output from another stage', () => {
    const note =
      'api: the Dockerfile does not copy the whole build context into the image: add `COPY tracing.cjs ./` next to the COPY of package.json ' +
      '(NODE_OPTIONS loads ./tracing.cjs and node stops at startup when it is missing)';
    const build = ['FROM node:20 AS build', 'WORKDIR /app', 'COPY . .', 'RUN npm ci && npm run build', 'FROM node:20-slim', 'WORKDIR /app', 'COPY package.json ./'];
    const outputOnly = lf(...build, 'COPY --from=build /app/node_modules ./node_modules', 'COPY --from=build /app/dist ./dist', 'CMD ["node", "dist/index.js"]');
    expect(planNode(input({ 'package.json': PKG, Dockerfile: outputOnly })).notes.at(-1)).toBe(note);
    // An image that is not a stage of this file cannot hold the module either.
    const external = lf('FROM node:20', 'WORKDIR /app', 'COPY package.json ./', 'COPY --from=busybox /bin/sh /bin/sh', 'CMD ["node", "server.js"]');
    expect(planNode(input({ 'package.json': PKG, Dockerfile: external })).notes.at(-1)).toBe(note);
    // The module itself, or the stage's whole folder, comes along: no note.
    for (const copy of ['COPY --from=build /app/tracing.cjs ./', 'COPY --from=BUILD /app/ ./', 'COPY --from=build / /']) {
      expect(planNode(input({ 'package.json': PKG, Dockerfile: lf(...build, copy, 'CMD ["node", "server.js"]') })).notes, copy).toHaveLength(0);
    }
  });

  it('bad package.json: writes the module, skips every other edit and says what to paste', () => {
    const bad = '{\n  "name": "api",\n  "dependencies": { "express": "^4" },\n}\n';
    const plan = planNode(input({ 'package.json': bad, 'server.js': SERVER }));
    expect(plan.changes).toEqual([{ path: 'api/tracing.cjs', before: null, after: MODULE_HTTP }]);
    expect(plan.environment).toEqual([]);
    expect(plan.notes).toHaveLength(1);
    const [first, ...rest] = plan.notes[0]!.split('\n');
    expect(first).toMatch(/^api: package\.json is not valid JSON \(.+\)\. obs writes api\/tracing\.cjs and changes nothing else; to finish by hand:$/);
    expect(rest).toEqual([
      '    add to "dependencies" in api/package.json, then run (cd api && npm install) (updates api/package-lock.json), then docker compose build api:',
      '        "@opentelemetry/api": "~1.9.0",',
      '        "@opentelemetry/exporter-trace-otlp-proto": "0.223.0",',
      '        "@opentelemetry/instrumentation": "0.223.0",',
      '        "@opentelemetry/resources": "2.12.0",',
      '        "@opentelemetry/sdk-trace-node": "2.12.0",',
      '        "@opentelemetry/core": "2.12.0",',
      '        "@opentelemetry/instrumentation-http": "0.223.0",',
      '    set on the service in the compose file: NODE_OPTIONS: "--require ./tracing.cjs"',
    ]);
  });

  it('a service without package.json gets the same instructions', () => {
    const plan = planNode(input({ 'server.js': SERVER }));
    expect(plan.changes.map((c) => c.path)).toEqual(['api/tracing.cjs']);
    expect(plan.notes[0]).toMatch(/^api: the service has no package\.json\. obs writes api\/tracing\.cjs and changes nothing else; to finish by hand:\n/);
  });

  it('does nothing without Honeycomb and names the backends it leaves to the user', () => {
    expect(planNode(input({ 'package.json': PKG }, { backends: { honeycomb: false, xray: true, cloudwatch: false, rollbar: true } }))).toEqual({
      changes: [],
      notes: ['api: obs instruments Node with OpenTelemetry only; wire X-Ray, Rollbar into the app by hand'],
      environment: [],
    });
  });

  it('writes paths relative to where obs runs ("." is the same folder)', () => {
    expect(planNode(input({ 'package.json': PKG }, { serviceDir: '.' })).changes.map((c) => c.path)).toEqual(['tracing.cjs', 'package.json']);
  });

  it('loads only what the dependencies call for, and adds an instrumentation when a dependency comes later', () => {
    const pkg = (deps: Record<string, string>) => `${JSON.stringify({ name: 'api', dependencies: deps }, null, 2)}\n`;
    const first = planNode(input({ 'package.json': pkg({ fastify: '^5.0.0', pg: '^8.0.0' }) }));
    const module = first.changes.find((c) => c.path === 'api/tracing.cjs')!.after;
    expect(module.match(/^  \["[^"]+"/gm)).toEqual(['  ["@opentelemetry/instrumentation-http"', '  ["@fastify/otel"', '  ["@opentelemetry/instrumentation-pg"']);
    expect(module).toContain('["@fastify/otel", "FastifyOtelInstrumentation", {"registerOnInitialization":true}]');
    expect(module).not.toContain('auto-instrumentations-node');
    const added = JSON.parse(first.changes.find((c) => c.path === 'api/package.json')!.after).dependencies;
    expect(
      Object.keys(added)
        .filter((k) => /instrumentation-|otel/.test(k))
        .sort(),
    ).toEqual(['@fastify/otel', '@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-pg']);

    // The app adds ioredis and the AWS SDK later: a re-run adds their instrumentations to both files.
    const files = applied(first, { 'package.json': pkg({ fastify: '^5.0.0', pg: '^8.0.0' }) });
    const grown = JSON.parse(files['package.json']!);
    grown.dependencies.ioredis = '^5.0.0';
    grown.dependencies['@aws-sdk/client-s3'] = '^3.0.0';
    files['package.json'] = `${JSON.stringify(grown, null, 2)}\n`;
    const env = new Map(first.environment.map((e) => [e.key, e.value] as [string, string]));
    const second = planNode(input(files, { environment: env }));
    expect(second.changes.map((c) => c.path)).toEqual(['api/tracing.cjs', 'api/package.json']);
    expect(second.changes[0]!.after).toContain('["@opentelemetry/instrumentation-ioredis", "IORedisInstrumentation", {}]');
    expect(second.changes[0]!.after).toContain('["@opentelemetry/instrumentation-aws-sdk", "AwsInstrumentation", {}]');
    expect(second.notes).toEqual([]);
    expect(second.install?.packages).toEqual(['@opentelemetry/instrumentation-ioredis', '@opentelemetry/instrumentation-aws-sdk']);
  });

  it('traces global fetch (undici) when a source file calls fetch()', () => {
    const plan = planNode(input({ 'package.json': PKG, 'server.js': `${SERVER}fetch('http://example.com');\n` }));
    expect(plan.changes[0]!.after).toContain('"@opentelemetry/instrumentation-undici"');
    expect(planNode(input({ 'package.json': PKG, 'server.js': SERVER })).changes[0]!.after).not.toContain('undici');
  });

  it('reads the stage compose builds (build.target) with the stages it is built FROM', () => {
    // docker/awesome-compose: `target: development` copies the context; the last stage builds on it and copies nothing.
    const multi = lf(
      'FROM node:lts-buster-slim AS development',
      'WORKDIR /usr/src/app',
      'COPY package.json /usr/src/app/package.json',
      'RUN npm ci',
      'COPY . /usr/src/app',
      'CMD [ "npm", "run", "dev" ]',
      'FROM development as dev-envs',
      'RUN apt-get update',
      'CMD [ "npm", "run", "dev" ]',
    );
    for (const target of ['development', 'dev-envs', undefined]) {
      const plan = planNode(input({ 'package.json': PKG, Dockerfile: multi }, target === undefined ? {} : { buildTarget: target }));
      expect(plan.notes, String(target)).toEqual([]);
      expect(plan.environment).toEqual([{ key: 'NODE_OPTIONS', value: '--require ./tracing.cjs' }]);
    }
    // A target stage that copies only some files still gets the note, whatever a later stage does.
    const partial = lf('FROM node:20 AS slim', 'WORKDIR /app', 'COPY package.json ./', 'FROM node:20 AS full', 'WORKDIR /app', 'COPY . .');
    expect(planNode(input({ 'package.json': PKG, Dockerfile: partial }, { buildTarget: 'slim' })).notes.at(-1)).toMatch(/does not copy the whole build context/);
    expect(planNode(input({ 'package.json': PKG, Dockerfile: partial })).notes).toEqual([]);
    // The runtime is the target's: an old Node in another stage does not count.
    const runtimes = lf('FROM node:16 AS legacy', 'COPY . .', 'FROM node:22 AS app', 'COPY . .', 'FROM node:16-alpine AS tools', 'COPY . .');
    expect(planNode(input({ 'package.json': PKG, Dockerfile: runtimes }, { buildTarget: 'app' })).changes).not.toEqual([]);
    expect(planNode(input({ 'package.json': PKG, Dockerfile: runtimes }, { buildTarget: 'legacy' })).changes).toEqual([]);
  });

  it('refuses, changing nothing, when the app runs a Node the SDK does not support', () => {
    for (const [files, source] of [
      [{ Dockerfile: 'FROM node:16-alpine\nCOPY . .\n' }, 'Dockerfile FROM node:16-alpine'],
      [{ '.nvmrc': 'v18.12.1\n' }, '.nvmrc (v18.12.1)'],
      [{ 'package.json': JSON.stringify({ engines: { node: '>=14' }, dependencies: { express: '4' } }) }, 'package.json engines.node (>=14)'],
    ] as const) {
      const plan = planNode(input({ 'package.json': PKG, ...files }));
      expect(plan.changes, source).toEqual([]);
      expect(plan.notes).toEqual([
        `api: ${source} is older than the OpenTelemetry JS SDK obs writes supports (Node ^18.19.0 || >=20.6.0); obs leaves the app and package.json alone and adds no NODE_OPTIONS: move the app to Node 20 or newer and run obs init again`,
      ]);
    }
    expect(planNode(input({ 'package.json': PKG, Dockerfile: 'FROM node:18\nCOPY . .\n' })).changes).not.toEqual([]);
    expect(planNode(input({ 'package.json': PKG, '.nvmrc': '22\n' })).changes).not.toEqual([]);
  });

  it('never writes code for another OpenTelemetry major line than the project declares or installed', () => {
    const pinned = JSON.stringify({ dependencies: { express: '4', '@opentelemetry/sdk-trace-base': '^1.9.1', '@opentelemetry/api': '^1.4.0' } });
    const plan = planNode(input({ 'package.json': pinned }));
    expect(plan.changes).toEqual([]);
    expect(plan.notes[0]).toMatch(/^api: api\/package\.json already uses OpenTelemetry @opentelemetry\/sdk-trace-base@\^1\.9\.1 \(the 1\.x line\); tracing\.cjs is written for the 2\.x line/);
    // Declared in range of 2.x, but what is installed is 3.x: the installed version decides.
    const declared = JSON.stringify({ dependencies: { express: '4', '@opentelemetry/resources': '>=2' } });
    const installed = planNode(input({ 'package.json': declared, 'node_modules/@opentelemetry/resources/package.json': '{"version":"3.1.0"}' }));
    expect(installed.changes).toEqual([]);
    expect(installed.notes[0]).toContain('@opentelemetry/resources@3.1.0 (the 3.x line)');
    // A re-run after npm install: the installed 2.x SDK's own package.json is neither a pin of another line nor a hand-made setup.
    const files = { 'package.json': PKG, 'server.js': SERVER };
    const first = planNode(input(files));
    const installedFiles = {
      ...applied(first, files),
      'node_modules/@opentelemetry/sdk-trace-node/package.json': '{"name":"@opentelemetry/sdk-trace-node","version":"2.12.1","description":"@opentelemetry/sdk-trace-node"}',
    };
    expect(planNode(input(installedFiles, { environment: new Map(first.environment.map((e) => [e.key, e.value] as [string, string])) }))).toEqual({ changes: [], notes: [], environment: [] });
    // The API alone (libraries use it) is no SDK line: obs goes ahead and keeps the app's range.
    const api = planNode(input({ 'package.json': JSON.stringify({ dependencies: { express: '4', '@opentelemetry/api': '^1.4.0' } }) }));
    expect(api.changes.map((c) => c.path)).toEqual(['api/tracing.cjs', 'api/package.json']);
  });
});

describe('planNode in collector mode (issue 11)', () => {
  it('traces for X-Ray alone through a collector, and names only what OpenTelemetry traces do not reach', () => {
    const xrayOnly = { honeycomb: false, xray: true, cloudwatch: true, rollbar: false };
    const direct = planNode(input({ 'package.json': PKG }, { backends: xrayOnly }));
    expect(direct).toEqual({ changes: [], notes: ['api: obs instruments Node with OpenTelemetry only; wire X-Ray, CloudWatch Logs into the app by hand'], environment: [] });
    const collector = planNode(input({ 'package.json': PKG }, { backends: xrayOnly, pipeline: 'collector' }));
    expect(collector.changes.map((c) => c.path)).toEqual(['api/tracing.cjs', 'api/package.json']);
    expect(collector.notes[0]).toBe('api: obs instruments Node with OpenTelemetry only; wire CloudWatch Logs into the app by hand');
  });
});

describe('planNode over what an earlier obs wrote (sdk-node + auto-instrumentations-node)', () => {
  it('rewrites tracing.cjs, adds the new packages and drops the two the old module loaded', () => {
    const oldModule =
      `// ${MANAGED_MARKER}, which updates this file while this line is here; delete the line to keep your edits.\n` +
      "({ NodeSDK } = require('@opentelemetry/sdk-node'));\n({ getNodeAutoInstrumentations } = require('@opentelemetry/auto-instrumentations-node'));\n";
    const oldPkg = lf(
      '{',
      '  "name": "api",',
      '  "dependencies": {',
      '    "@opentelemetry/api": "~1.9.0",',
      '    "@opentelemetry/auto-instrumentations-node": "^0.81.2",',
      '    "@opentelemetry/exporter-trace-otlp-proto": "^0.223.0",',
      '    "@opentelemetry/sdk-node": "^0.223.0",',
      '    "express": "^4.21.2"',
      '  }',
      '}',
    );
    const plan = planNode(input({ 'package.json': oldPkg, [NODE_MODULE]: oldModule }));
    expect(plan.changes.map((c) => c.path)).toEqual(['api/tracing.cjs', 'api/package.json']);
    expect(plan.changes[1]!.after).toBe(
      lf(
        '{',
        '  "name": "api",',
        '  "dependencies": {',
        '    "@opentelemetry/api": "~1.9.0",',
        '    "@opentelemetry/core": "2.12.0",',
        '    "@opentelemetry/exporter-trace-otlp-proto": "^0.223.0",',
        '    "@opentelemetry/instrumentation": "0.223.0",',
        '    "@opentelemetry/instrumentation-express": "^0.71.1",',
        '    "@opentelemetry/instrumentation-http": "0.223.0",',
        '    "@opentelemetry/resources": "2.12.0",',
        '    "@opentelemetry/sdk-trace-node": "2.12.0",',
        '    "express": "^4.21.2"',
        '  }',
        '}',
      ),
    );
    expect(plan.notes).toEqual([
      'api: obs drops @opentelemetry/auto-instrumentations-node, @opentelemetry/sdk-node from api/package.json (the earlier tracing.cjs of obs loaded them; this one does not); ' +
        'the install step removes them from package-lock.json',
    ]);
    expect(plan.install?.packages).toEqual([
      '@opentelemetry/instrumentation',
      '@opentelemetry/resources',
      '@opentelemetry/sdk-trace-node',
      '@opentelemetry/core',
      '@opentelemetry/instrumentation-http',
      '@opentelemetry/instrumentation-express',
    ]);
    // A package.json that lists them while tracing.cjs is the user's own, or obs's new one: never removed.
    expect(planNode(input({ 'package.json': oldPkg, [NODE_MODULE]: MODULE })).changes.find((c) => c.path === 'api/package.json')!.after).toContain('"@opentelemetry/sdk-node"');
  });
});

describe('removeDependencies', () => {
  it('removes members first, middle and last, keeps the rest byte for byte, leaves one-line sections alone', () => {
    const text = lf('{', '  "dependencies": {', '    "a": "1",', '    "b": "2",', '    "c": "3"', '  },', '  "x": 1', '}');
    expect(removeDependencies(text, ['a'])).toEqual({ text: lf('{', '  "dependencies": {', '    "b": "2",', '    "c": "3"', '  },', '  "x": 1', '}'), removed: ['a'] });
    expect(removeDependencies(text, ['b', 'c']).text).toBe(lf('{', '  "dependencies": {', '    "a": "1"', '  },', '  "x": 1', '}'));
    expect(removeDependencies(text, ['a', 'b', 'c']).text).toBe(lf('{', '  "dependencies": {},', '  "x": 1', '}'));
    expect(removeDependencies(text, ['zzz'])).toEqual({ text, removed: [] });
    const inline = '{"dependencies": {"a": "1", "b": "2"}}';
    expect(removeDependencies(inline, ['a'])).toEqual({ text: inline, removed: [] });
  });
});
