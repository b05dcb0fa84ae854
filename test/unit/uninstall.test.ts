import { describe, expect, it } from 'vitest';
import { planFlask } from '../../src/instrument/flask.js';
import { planNode } from '../../src/instrument/node.js';
import { MANAGED_MARKER, templateLoader, type InstrumentInput } from '../../src/instrument/template.js';
import { planUninstall } from '../../src/instrument/uninstall.js';

const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');
const BACKENDS = { honeycomb: true, xray: true, cloudwatch: false, rollbar: false };

/** The service folder's files after a plan (paths relative to the folder 'app'). */
function apply(files: Record<string, string>, changes: { path: string; after: string; remove?: boolean }[]): Record<string, string> {
  const out = { ...files };
  for (const c of changes) {
    const path = c.path.replace(/^app\//, '');
    if (c.remove) delete out[path];
    else out[path] = c.after;
  }
  return out;
}

function input(stack: string, files: Record<string, string>): InstrumentInput & { stack: string } {
  return { stack, serviceDir: 'app', serviceName: 'app', backends: BACKENDS, files: new Map(Object.entries(files)), template: templateLoader(stack), pipeline: 'direct' };
}

describe('planUninstall undoes what the planners wrote', () => {
  it('Flask: module, import and call, obs block of requirements.txt, byte for byte', () => {
    const files = { 'app.py': lf('from flask import Flask', 'app = Flask(__name__)', '', '@app.route("/")', 'def index():', '    return "ok"'), 'requirements.txt': lf('flask', 'requests') };
    const wired = apply(files, planFlask(input('flask', files)).changes);
    expect(Object.keys(wired).sort()).toEqual(['app.py', 'observability.py', 'requirements.txt']);
    const plan = planUninstall({ ...input('flask', wired), files: new Map(Object.entries(wired)) });
    expect(apply(wired, plan.changes)).toEqual(files);
    expect(plan.removedPackages).toEqual([
      { file: 'app/requirements.txt', packages: expect.arrayContaining(['aws-xray-sdk', expect.stringMatching(/^opentelemetry-sdk(==[\d.]+)?$/)]), commands: ['docker compose build app'] },
    ]);
    expect(plan.notes).toEqual([]);
  });

  it('Node: tracing.cjs and the packages obs added at its ranges; a package the user pinned otherwise stays', () => {
    const pkg = lf('{', '  "name": "api",', '  "dependencies": {', '    "@opentelemetry/api": "^1.4.0",', '    "express": "^4.18.0"', '  }', '}');
    const files = { 'package.json': pkg, 'index.js': "require('express')().listen(3000);\n" };
    const wired = apply(files, planNode(input('node', files)).changes);
    expect(wired['tracing.cjs']).toContain(MANAGED_MARKER);
    const plan = planUninstall({ ...input('node', wired), files: new Map(Object.entries(wired)) });
    expect(apply(wired, plan.changes)).toEqual(files);
  });

  it('Flask with pyproject.toml: the entries obs.yaml records obs adding go, byte for byte; without a record they are only named', () => {
    const pyproject = lf('[project]', 'name = "app"', 'dependencies = [', '  "flask==3.1.3",', '  "redis==7.4.0",', ']');
    const files = { 'app.py': lf('from flask import Flask', 'app = Flask(__name__)'), 'pyproject.toml': pyproject, 'uv.lock': '' };
    const planned = planFlask(input('flask', files));
    const wired = apply(files, planned.changes);
    const added = planned.install!.packages;
    expect(added).toEqual(expect.arrayContaining(['aws-xray-sdk', expect.stringMatching(/^opentelemetry-instrumentation-redis/)]));
    const plan = planUninstall({ ...input('flask', wired), files: new Map(Object.entries(wired)) }, { 'app/pyproject.toml': added });
    expect(apply(wired, plan.changes)).toEqual(files);
    // What to run after: uv's lock step (uv.lock is there), then the rebuild.
    expect(plan.removedPackages).toEqual([{ file: 'app/pyproject.toml', packages: added, commands: ['(cd app && uv lock) (updates app/uv.lock)', 'docker compose build app'] }]);
    expect(plan.notes).toEqual([]);

    const unrecorded = planUninstall({ ...input('flask', wired), files: new Map(Object.entries(wired)) });
    expect(apply(wired, unrecorded.changes)['pyproject.toml']).toBe(wired['pyproject.toml']);
    expect(unrecorded.notes).toEqual([{ kind: 'packages-by-hand', service: 'app', file: 'app/pyproject.toml', packages: expect.arrayContaining(['aws-xray-sdk']) }]);
  });

  it('a module whose marker line is gone is the user`s: it stays with its packages, and is said', () => {
    const files = { 'tracing.cjs': '// my own now\n', 'package.json': lf('{', '  "dependencies": {', '    "@opentelemetry/api": "~1.9.0"', '  }', '}') };
    const plan = planUninstall({ ...input('node', files), files: new Map(Object.entries(files)) });
    expect(plan.changes).toEqual([]);
    expect(plan.notes).toEqual([{ kind: 'module-kept', service: 'app', file: 'app/tracing.cjs' }]);
  });
});
