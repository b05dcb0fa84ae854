import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { planReact, REACT_INPUT_FILES, type ReactInstrumentInput } from '../../src/instrument/react.js';
import { templateLoader } from '../../src/instrument/template.js';
import { readServices } from '../support/compose-read.js';
import { npmInstall } from '../support/npm-install.js';
import { REPO_ROOT, runObs, tempProject } from '../support/run-obs.js';

/**
 * The browser module obs writes must build with the frontend's own toolchain: planReact runs
 * on a copy of the Vite example (JavaScript) and on a strict TypeScript fixture, the planned
 * packages come from npm, and `vite build` (plus `tsc --noEmit` for TypeScript) must pass. The
 * bundle must carry the tracing code but never a Honeycomb key or header, even with the key in
 * the build's environment and .env.
 */
const EXAMPLE = join(REPO_ROOT, 'examples', 'cruddur');
const TS_FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'instrument', 'vite-react-ts');
const KEY = `hcaik_01${'browserkeymustnotleak'.repeat(3).slice(0, 56)}`;
const COLLECTOR = 'http://localhost:4318';
const HONEYCOMB = { honeycomb: true, xray: false, cloudwatch: false, rollbar: false };

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function instrument(from: string, over: Partial<ReactInstrumentInput>): Promise<{ dir: string; notes: string[] }> {
  const dir = await tempProject(from);
  dirs.push(dir);
  const files = new Map<string, string>();
  for (const name of REACT_INPUT_FILES) if (existsSync(join(dir, name))) files.set(name, await readFile(join(dir, name), 'utf8'));
  const plan = planReact({ serviceDir: '.', serviceName: 'frontend-react-js', backends: HONEYCOMB, files, template: templateLoader('react'), ...over });
  expect(plan.changes.map((c) => c.path).sort()).toEqual(expect.arrayContaining(['package.json']));
  for (const change of plan.changes) {
    await mkdir(dirname(join(dir, change.path)), { recursive: true });
    await writeFile(join(dir, change.path), change.after);
  }
  // The key sits where a careless setup would leak it: .env and the build's environment.
  await writeFile(join(dir, '.env'), `HONEYCOMB_API_KEY=${KEY}\nVITE_OTEL_COLLECTOR_URL=${COLLECTOR}\n`);
  const install = await npmInstall(dir);
  console.log(`react-template (${from.split('/').at(-1)}): npm install ${install.cached ? 'reused from cache' : `took ${install.seconds.toFixed(1)} s`}`);
  return { dir, notes: plan.notes };
}

/** `vite build` with the service's compose environment plus a key and a header in the shell. */
async function build(dir: string, composeEnv: Record<string, string | null> = {}): Promise<string> {
  const env = { ...Object.fromEntries(Object.entries(composeEnv).filter(([, v]) => v !== null)), HONEYCOMB_API_KEY: KEY, OTEL_EXPORTER_OTLP_HEADERS: `x-honeycomb-team=${KEY}` };
  const run = await execa('npx', ['--no-install', 'vite', 'build'], { cwd: dir, env, reject: false, timeout: 120_000 });
  expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
  const out = join(dir, 'dist');
  const texts: string[] = [];
  for (const entry of await readdir(out, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) texts.push(await readFile(join(entry.parentPath, entry.name), 'utf8'));
  }
  return texts.join('\n');
}

describe('the React tracing module builds with the frontend toolchain', () => {
  it('Vite + JavaScript (the cruddur example): vite build passes, the bundle traces and holds no key', async () => {
    const composeEnv = readServices([await readFile(join(EXAMPLE, 'docker-compose.yml'), 'utf8')])['frontend-react-js']!.environment;
    const { dir } = await instrument(join(EXAMPLE, 'frontend-react-js'), { environment: new Map(Object.entries(composeEnv)) });
    expect(await readFile(join(dir, 'src', 'main.jsx'), 'utf8')).toMatch(/^import "\.\/tracing\.js";\n/);
    expect(await readFile(join(dir, 'src', 'tracing.js'), 'utf8')).toContain('const apiUrls = [import.meta.env.VITE_BACKEND_URL];');
    const bundle = await build(dir, composeEnv);
    expect(bundle).toContain(`${COLLECTOR}`);
    expect(bundle).toContain('/v1/traces');
    expect(bundle).toContain('traceparent');
    expect(bundle).toContain('http://localhost:4567'); // VITE_BACKEND_URL from compose: the propagation target
    expect(bundle).not.toContain('x-honeycomb-team');
    expect(bundle).not.toContain(KEY);
  }, 300_000);

  it('Vite + strict TypeScript: tsc --noEmit and vite build pass on src/tracing.ts', async () => {
    const { dir } = await instrument(TS_FIXTURE, { apiUrl: 'http://localhost:4567' });
    expect(await readFile(join(dir, 'src', 'main.tsx'), 'utf8')).toMatch(/^import '\.\/tracing';\n/);
    const tsc = await execa('npx', ['--no-install', 'tsc', '--noEmit', '-p', '.'], { cwd: dir, reject: false, timeout: 120_000 });
    expect(tsc.exitCode, `${tsc.stdout}\n${tsc.stderr}`).toBe(0);
    const bundle = await build(dir);
    expect(bundle).toContain('/v1/traces');
    expect(bundle).not.toContain('x-honeycomb-team');
    expect(bundle).not.toContain(KEY);
  }, 300_000);
});

describe('a frontend that sets up browser OpenTelemetry itself (issue 12 item 1)', () => {
  it('obs init leaves the CRA app with src/TraceProvide.js (sdk-trace-web ^1.9) byte for byte, and says why', async () => {
    const fixture = join(REPO_ROOT, 'test', 'fixtures', 'instrument', 'cra-traceprovide');
    const dir = await tempProject(fixture);
    dirs.push(dir);
    const app = join(dir, 'frontend-react-js');
    const before = new Map<string, string>();
    for (const entry of await readdir(app, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) before.set(join(entry.parentPath, entry.name), await readFile(join(entry.parentPath, entry.name), 'utf8'));
    }
    const init = await runObs(['init', '--dir', dir, '--yes', '--services', 'frontend-react-js', '--no-xray', '--no-cloudwatch', '--no-rollbar'], { env: { CI: 'true' } });
    expect(init.exitCode, init.stderr).toBe(0);
    expect(`${init.stdout}\n${init.stderr}`).toContain('frontend-react-js/src/TraceProvide.js already sets up OpenTelemetry in the browser; obs leaves the app and package.json alone');
    const after = new Map<string, string>();
    for (const entry of await readdir(app, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) after.set(join(entry.parentPath, entry.name), await readFile(join(entry.parentPath, entry.name), 'utf8'));
    }
    // Nothing written into the app: no tracing.js, no import, no 2.x package next to its 1.x ones.
    expect(after).toEqual(before);
  }, 120_000);
});
