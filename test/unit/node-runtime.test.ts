import { describe, expect, it } from 'vitest';
import { readNodeRuntime, runtimeSupported } from '../../src/instrument/node-instrumentations.js';
import { planNode } from '../../src/instrument/node.js';
import { templateLoader } from '../../src/instrument/template.js';

/** The Node an app's image runs, as obs reads it (hagopj13/node-express-boilerplate builds `FROM node:alpine`). */
const supported = (files: Record<string, string>) => {
  const runtime = readNodeRuntime(new Map(Object.entries(files)));
  return runtime.version === undefined || runtimeSupported(runtime.version);
};
const docker = (from: string) => `FROM ${from}\nWORKDIR /app\nCOPY . .\n`;
const OLD_ENGINES = JSON.stringify({ engines: { node: '>=12.0.0' }, dependencies: { express: '^4.17.1' } });

describe('the Node version of an image without a version number in its tag', () => {
  it('counts a tag without a version (latest, alpine, lts, current, a distribution) as a current release, whatever engines allows', () => {
    for (const from of ['node', 'node:alpine', 'node:latest', 'node:slim', 'node:lts', 'node:lts-alpine', 'node:current-alpine', 'node:bookworm-slim', 'docker.io/library/node:alpine']) {
      const runtime = readNodeRuntime(
        new Map([
          ['Dockerfile', docker(from)],
          ['package.json', OLD_ENGINES],
        ]),
      );
      expect(runtime.source, from).toBe(`Dockerfile FROM ${from}`);
      expect(supported({ Dockerfile: docker(from), 'package.json': OLD_ENGINES }), from).toBe(true);
    }
  });

  it('reads an LTS code name as its major version', () => {
    expect(readNodeRuntime(new Map([['Dockerfile', docker('node:gallium-alpine')]])).version).toEqual({ major: 16, minor: 99 });
    expect(supported({ Dockerfile: docker('node:gallium-alpine') })).toBe(false);
    expect(supported({ Dockerfile: docker('node:fermium') })).toBe(false);
    expect(supported({ Dockerfile: docker('node:hydrogen-slim') })).toBe(true);
    expect(supported({ Dockerfile: docker('node:iron') })).toBe(true);
  });

  it('falls back to .nvmrc and engines when the tag is a build argument', () => {
    const runtime = readNodeRuntime(
      new Map([
        ['Dockerfile', docker('node:${NODE_VERSION}-alpine')],
        ['.nvmrc', '16\n'],
      ]),
    );
    expect(runtime.source).toBe('.nvmrc (16)');
  });

  it('instruments the app of node-express-boilerplate (FROM node:alpine, engines >=12.0.0)', () => {
    const files = new Map(Object.entries({ Dockerfile: docker('node:alpine'), 'package.json': OLD_ENGINES, 'src/index.js': "const express = require('express');\n" }));
    const plan = planNode({ serviceDir: 'api', serviceName: 'api', backends: { honeycomb: true, xray: false, cloudwatch: false, rollbar: false }, files, template: templateLoader('node') });
    expect(plan.notes.join('\n')).not.toMatch(/older than the OpenTelemetry JS SDK/);
    expect(plan.changes.map((c) => c.path)).toEqual(expect.arrayContaining(['api/tracing.cjs', 'api/package.json']));
  });
});
