import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, removeScratchDirs, runObs, tempProject } from '../support/run-obs.js';

/**
 * Issue 12 items 5, 9 and 10 on real projects (test/fixtures/instrument/<name>/SOURCE.txt):
 * which services are the app (asset watchers built from a Node `assets` stage are not; a
 * Dockerfile that copies backend/package.json names the app's folder), where a Flask app is
 * created (the Dockerfile's gunicorn `hello.app:create_app()`), and what to run after obs
 * changed a manifest (uv lock, bundle install, then the rebuild).
 */
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'instrument');

afterAll(() => removeScratchDirs());

interface InitJson {
  choices: { services: string[] };
  changes: { path: string; diff: string }[];
  notes: { kind: string; service?: string; message: string }[];
  nextSteps: string[];
}

async function initJson(fixture: string, extra: string[] = []): Promise<{ json: InitJson; stderr: string }> {
  const dir = await tempProject(join(FIXTURES, fixture));
  const run = await runObs(['init', '--dry-run', '--yes', '--json', '--no-xray', ...extra], { cwd: dir });
  expect(run.exitCode, run.stderr).toBe(0);
  return { json: JSON.parse(run.stdout) as InitJson, stderr: run.stderr };
}

describe('nickjj/docker-flask-example: a uv Flask app factory with asset watchers', () => {
  it('instruments web and worker, not the js and css watchers', async () => {
    const { json, stderr } = await initJson('docker-flask-example');
    expect(json.choices.services).toEqual(['web', 'worker']);
    expect(stderr).toContain('Left alone: postgres (postgres:18.4-trixie), redis (redis:8.6.3-trixie), js (builds assets), css (builds assets)');
  });

  it('finds the app in hello/app.py from the Dockerfile command and calls init_observability inside create_app()', async () => {
    const { json } = await initJson('docker-flask-example');
    const app = json.changes.find((c) => c.path === 'hello/app.py');
    expect(app?.diff).toContain(
      ['     app = Flask(__name__, static_folder="../public", static_url_path="")', '+    from observability import init_observability', '+    init_observability(app)'].join('\n'),
    );
    expect(json.notes.map((n) => n.message).join('\n')).not.toContain('no app.py or wsgi.py');
  });

  it('adds the packages to pyproject.toml (uv installs from it) and says uv lock, then the rebuild of every service built from it', async () => {
    const { json } = await initJson('docker-flask-example');
    expect(json.changes.map((c) => c.path)).toContain('pyproject.toml');
    expect(json.changes.find((c) => c.path === 'pyproject.toml')!.diff).toContain('+  "opentelemetry-instrumentation-flask==0.66b1",');
    expect(json.nextSteps).toContain('Install what obs added to pyproject.toml (uv): uv lock (updates uv.lock), then docker compose build web worker');
  });

  it('says plainly that a watcher chosen by hand sends nothing, and writes no code for it', async () => {
    const { json, stderr } = await initJson('docker-flask-example', ['--services', 'js']);
    // No .env.example keys: web and worker, left alone, load .env through env_file (issue 12 item 2).
    expect(json.changes.map((c) => c.path).sort()).toEqual(['.gitignore', 'compose.yaml', 'obs.yaml', 'otel-collector-config.yaml']);
    const note = json.notes.find((n) => n.kind === 'sends-nothing');
    expect(note?.message).toBe(
      'js only builds front-end assets (`../run yarn:build:js`) and serves no requests: obs sets its environment but writes no code, so it sends nothing; leave it out with --services',
    );
    expect(stderr).toContain(`! ${note!.message}`);
  });
});

describe('nickjj/docker-rails-example: Rails with yarn asset watchers', () => {
  it('instruments web, worker and cable; says bundle install and the rebuild', async () => {
    const { json } = await initJson('docker-rails-example');
    expect(json.choices.services).toEqual(['web', 'worker', 'cable']);
    expect(json.nextSteps).toContain('Install what obs added to Gemfile (bundler): bundle install (updates Gemfile.lock), then docker compose build web worker cable');
    expect(json.notes.map((n) => n.message).join('\n')).not.toMatch(/run bundle install to update/);
  });
});

describe('worou/charisma-move: build: . whose Dockerfile copies backend/', () => {
  it('instruments backend/ as a Node app (not the React app whose package.json sits at the root)', async () => {
    const { json, stderr } = await initJson('charisma-move');
    expect(stderr).toContain('Services to instrument: backend (node)');
    expect(json.changes.map((c) => c.path)).toEqual(expect.arrayContaining(['backend/tracing.cjs', 'backend/package.json']));
    expect(json.changes.map((c) => c.path)).not.toContain('package.json');
    expect(json.nextSteps).toContain('Install what obs added to backend/package.json (npm): (cd backend && npm install) (updates backend/package-lock.json), then docker compose build backend');
  });

  it('preloads tracing.cjs from where the Dockerfile puts backend/ when that is not the WORKDIR', async () => {
    const dir = await tempProject(join(FIXTURES, 'charisma-move'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      join(dir, 'Dockerfile'),
      'FROM node:18-alpine\nWORKDIR /srv\nCOPY backend/package.json backend/\nRUN cd backend && npm install\nCOPY backend ./backend\nCMD ["node", "backend/index.js"]\n',
    );
    const run = await runObs(['init', '--dry-run', '--yes', '--json', '--no-xray'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    const compose = (JSON.parse(run.stdout) as InitJson).changes.find((c) => c.path === 'docker-compose.yml')!;
    expect(compose.diff).toContain('+      NODE_OPTIONS: "--require ./backend/tracing.cjs"');
  });

  it('says the image-only frontend sends nothing when chosen', async () => {
    const { json } = await initJson('charisma-move', ['--services', 'backend,frontend']);
    expect(json.notes.find((n) => n.kind === 'sends-nothing')?.message).toBe(
      'frontend runs the image node:18: obs sets its environment but writes no code, so it sends nothing unless that image starts an OpenTelemetry SDK itself',
    );
  });
});

describe('tools are not the app', () => {
  it('a SonarQube container is left alone when only images run', async () => {
    const dir = await tempProject();
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(dir, 'compose.yaml'), 'services:\n  sonarqube:\n    image: sonarqube:10-community\n  api:\n    image: ghcr.io/acme/api:1.2\n');
    const run = await runObs(['init', '--dry-run', '--yes', '--json', '--no-xray'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as InitJson).choices.services).toEqual(['api']);
  });
});

describe('docker/awesome-compose samples (test/fixtures/corpus/docker__awesome-compose__*)', () => {
  const CORPUS = join(REPO_ROOT, 'test', 'fixtures', 'corpus');

  it('nginx-flask-mysql: an nginx proxy built FROM nginx is left alone unless named; the builder target sets FLASK_ENV', async () => {
    const dir = await tempProject(join(CORPUS, 'docker__awesome-compose__nginx-flask-mysql'));
    const run = await runObs(['init', '--dry-run', '--yes', '--json', '--no-xray'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as InitJson;
    expect(json.choices.services).toEqual(['backend']);
    expect(run.stderr).toContain('Left alone: db (mariadb:10-focal), proxy (built from nginx:1.13-alpine)');
    expect(json.notes.map((n) => n.message).join('\n')).toContain('`flask run` in the Dockerfile with FLASK_ENV=development');
    // Named by hand, it is wired like any service obs writes no code for.
    const named = await runObs(['init', '--dry-run', '--yes', '--json', '--no-xray', '--services', 'backend,proxy'], { cwd: dir });
    expect(named.exitCode, named.stderr).toBe(0);
    expect((JSON.parse(named.stdout) as InitJson).choices.services).toEqual(['backend', 'proxy']);
  });

  it('react-express-mongodb: the development target copies the context (no COPY note); CRA proxy calls are same-origin', async () => {
    const dir = await tempProject(join(CORPUS, 'docker__awesome-compose__react-express-mongodb'));
    const run = await runObs(['init', '--dry-run', '--yes', '--json', '--no-xray'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout) as InitJson;
    const messages = json.notes.map((n) => n.message).join('\n');
    expect(messages).not.toContain('does not copy the whole build context');
    expect(messages).not.toContain('found no backend URL');
    expect(messages).toContain('package.json "proxy": http://backend:3000');
    expect(json.changes.find((c) => c.path === 'compose.yaml')!.diff).toContain('NODE_OPTIONS: "--require ./tracing.cjs"');
  });
});

describe('dockersamples/example-voting-app: a .NET worker and a Python seed job are named, and said to send nothing', () => {
  it('says which language each is and which SDK to set up', async () => {
    const dir = await tempProject(join(REPO_ROOT, 'test', 'fixtures', 'corpus', 'dockersamples__example-voting-app'));
    const run = await runObs(['init', '--dry-run', '--yes', '--json', '--no-xray'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain('Services to instrument: vote (flask), result (node), worker (dotnet), seed (python)');
    const messages = (JSON.parse(run.stdout) as InitJson).notes.filter((n) => n.kind === 'sends-nothing').map((n) => n.message);
    expect(messages).toEqual([
      'worker is a .NET app (stack: dotnet): obs sets its environment but writes no .NET code, so it sends nothing; set up OpenTelemetry .NET in it by hand (it reads the OTEL_ variables obs sets)',
      'seed is a Python app (stack: python): obs sets its environment but writes no Python code, so it sends nothing; set up opentelemetry-distro (opentelemetry-instrument) in it by hand (it reads the OTEL_ variables obs sets)',
    ]);
  });
});

describe("compose's build.dockerfile names the Dockerfile the planners read", () => {
  it('Dockerfile.prod, not the plain Dockerfile, decides the Node runtime and where the app is copied', async () => {
    const { writeFile } = await import('node:fs/promises');
    const dir = await tempProject();
    const pkg = JSON.stringify({ name: 'api', dependencies: { express: '^4.21.0' } }, null, 2) + '\n';
    await writeFile(join(dir, 'package.json'), pkg);
    await writeFile(join(dir, 'server.js'), "require('express')().listen(3000);\n");
    await writeFile(join(dir, 'Dockerfile'), 'FROM node:22\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n');
    await writeFile(join(dir, 'Dockerfile.prod'), 'FROM node:16-alpine\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n');
    const compose = (file: string) => `services:\n  api:\n    build:\n      context: .\n      dockerfile: ${file}\n`;
    await writeFile(join(dir, 'compose.yaml'), compose('Dockerfile.prod'));
    const prod = await runObs(['init', '--dry-run', '--yes', '--json', '--no-xray'], { cwd: dir });
    expect(prod.exitCode, prod.stderr).toBe(0);
    const prodJson = JSON.parse(prod.stdout) as InitJson;
    expect(prodJson.notes.map((n) => n.message).join('\n')).toContain('Dockerfile FROM node:16-alpine is older than the OpenTelemetry JS SDK');
    expect(prodJson.changes.map((c) => c.path)).not.toContain('tracing.cjs');
    // Built from the plain Dockerfile (Node 22), the same app is instrumented.
    await writeFile(join(dir, 'compose.yaml'), compose('Dockerfile'));
    const dev = await runObs(['init', '--dry-run', '--yes', '--json', '--no-xray'], { cwd: dir });
    expect(dev.exitCode, dev.stderr).toBe(0);
    expect((JSON.parse(dev.stdout) as InitJson).changes.map((c) => c.path)).toContain('tracing.cjs');
  });
});
