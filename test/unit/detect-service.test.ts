import { describe, expect, it } from 'vitest';
import { findFlaskEntry } from '../../src/instrument/flask-entry.js';
import { planFlask } from '../../src/instrument/flask.js';
import { planNode } from '../../src/instrument/node.js';
import { templateLoader, type InstrumentInput } from '../../src/instrument/template.js';
import { imageFacts } from '../../src/stacks/dockerfile.js';
import { installSteps, nodePackageManager, pythonManifest, pythonPackageManager } from '../../src/stacks/package-manager.js';
import { assetCommand, profileService } from '../../src/stacks/service-profile.js';

const lf = (...lines: string[]) => lines.map((l) => `${l}\n`).join('');
const files = (map: Record<string, string>) => new Map(Object.entries(map));
const context = (map: Record<string, string>) => ({ has: (n: string) => n in map, get: (n: string) => map[n] });

describe('the service profile (issue 12 item 5)', () => {
  it('follows the build target and the manifest it copies: an assets stage is a Node asset build', () => {
    const dockerfile = lf(
      'FROM node:24 AS assets',
      'WORKDIR /app/assets',
      'COPY assets/package.json assets/*yarn* ./',
      'COPY . ..',
      'CMD ["bash"]',
      'FROM python:3.14 AS app',
      'COPY . .',
      'CMD ["gunicorn", "hello.app:create_app()"]',
    );
    const ctx = context({ 'pyproject.toml': '[project]\ndependencies = ["flask==3.1.3"]\n', 'assets/package.json': '{"dependencies":{"esbuild":"0.28.0"}}' });
    expect(profileService({ files: ctx, dockerfile, target: 'assets', command: '../run yarn:build:js' })).toEqual({
      stack: 'node',
      appDir: 'assets',
      role: 'assets',
      assetCommand: '../run yarn:build:js',
      baseImage: 'node:24',
    });
    expect(profileService({ files: ctx, dockerfile, target: 'app' })).toEqual({ stack: 'flask', appDir: '', role: 'app', baseImage: 'python:3.14' });
    expect(profileService({ files: ctx, dockerfile })).toEqual({ stack: 'flask', appDir: '', role: 'app', baseImage: 'python:3.14' });
  });

  it('a context whose manifest is the frontend, built into a backend by COPY backend/', () => {
    const ctx = context({ 'package.json': '{"dependencies":{"react":"^18","vite":"^4"}}', 'backend/package.json': '{"dependencies":{"express":"^4"}}' });
    const dockerfile = lf('FROM node:18-alpine', 'WORKDIR /app', 'COPY backend/package.json ./', 'RUN npm install', 'COPY backend/ .', 'CMD ["npm", "start"]');
    expect(profileService({ files: ctx, dockerfile })).toEqual({ stack: 'node', appDir: 'backend', role: 'app', appPathInImage: '.', baseImage: 'node:18-alpine' });
    // Copied below the WORKDIR: tracing.cjs is preloaded from there.
    const nested = lf('FROM node:20', 'WORKDIR /srv', 'COPY backend/package.json backend/', 'COPY backend ./backend', 'CMD ["node", "backend/index.js"]');
    expect(profileService({ files: ctx, dockerfile: nested })).toMatchObject({ appDir: 'backend', appPathInImage: 'backend' });
    // No manifest at the root: the folder copied whole.
    const bare = context({ 'server/requirements.txt': 'flask\n' });
    expect(profileService({ files: bare, dockerfile: lf('FROM python:3.12', 'WORKDIR /app', 'COPY server /app', 'CMD python app.py') })).toEqual({
      stack: 'flask',
      appDir: 'server',
      role: 'app',
      appPathInImage: '.',
      baseImage: 'python:3.12',
    });
  });

  it('the image a built service starts FROM, through the stages of its target', () => {
    const proxy = lf('FROM nginx:1.13-alpine AS base', 'COPY conf /etc/nginx/conf.d/default.conf', 'FROM base AS final', 'RUN nginx -t');
    expect(profileService({ files: context({ conf: 'server {}' }), dockerfile: proxy })).toMatchObject({ stack: 'unknown', baseImage: 'nginx:1.13-alpine' });
    expect(profileService({ files: context({}), dockerfile: lf('FROM --platform=$BUILDPLATFORM python:3.10-alpine AS builder', 'FROM builder AS dev') })).toMatchObject({
      baseImage: 'python:3.10-alpine',
    });
    expect(profileService({ files: context({}) })).not.toHaveProperty('baseImage');
  });

  it('names the languages obs writes no code for, from their manifests or the image they are built FROM', () => {
    expect(profileService({ files: context({ 'go.mod': 'module example.com/api\n' }) }).stack).toBe('go');
    expect(profileService({ files: context({ 'pom.xml': '<project/>' }) }).stack).toBe('java');
    expect(profileService({ files: context({ 'build.gradle.kts': '' }) }).stack).toBe('java');
    expect(profileService({ files: context({ 'composer.json': '{}' }) }).stack).toBe('php');
    // dockersamples/example-voting-app's worker: a .csproj named after the project, built FROM the .NET SDK.
    const dotnet = lf('FROM --platform=${BUILDPLATFORM} mcr.microsoft.com/dotnet/sdk:7.0 AS build', 'COPY *.csproj .', 'FROM mcr.microsoft.com/dotnet/runtime:7.0', 'COPY --from=build /app .');
    expect(profileService({ files: context({ 'Program.cs': '' }), dockerfile: dotnet }).stack).toBe('dotnet');
    expect(profileService({ files: context({ 'make-data.py': '' }), dockerfile: lf('FROM python:3.9-slim', 'COPY . .') }).stack).toBe('python');
    // A known app wins over the image; nginx names no language.
    expect(profileService({ files: context({ 'requirements.txt': 'flask\n' }), dockerfile: lf('FROM golang:1.22 AS tools', 'FROM python:3.12') }).stack).toBe('flask');
    expect(profileService({ files: context({}), dockerfile: lf('FROM nginx:1.25') }).stack).toBe('unknown');
  });

  it('asset commands, and commands that also serve', () => {
    for (const c of [
      'yarn build',
      'yarn build:css',
      'npm run watch',
      '../run yarn:build:js',
      'bin/rails tailwindcss:watch',
      'npx tailwindcss -i app.css -o out.css --watch',
      'pnpm run build:js --watch',
    ])
      expect(assetCommand(c), c).toBe(c);
    for (const c of [
      'npm start',
      'npm run build && npm start',
      'node server.js',
      'bundle exec sidekiq',
      'puma -p 28080 cable/config.ru',
      'yarn dev',
      'vite',
      'rails s',
      'gunicorn app:app',
      'yarn builder',
    ])
      expect(assetCommand(c), c).toBeUndefined();
  });

  it('reads stages, ENV and the command of a build target', () => {
    const facts = imageFacts(
      lf(
        'FROM node:20 AS base',
        'ENV A=1',
        'COPY package.json ./',
        'FROM base AS dev',
        'ENV B="two words"',
        'COPY --from=base /x /y',
        'CMD ["npm", "run", "dev"]',
        'FROM nginx',
        'COPY --from=dev /app/dist /usr/share/nginx/html',
      ),
      'DEV',
    );
    expect(facts.chain.map((s) => s.name)).toEqual(['base', 'dev']);
    expect([...facts.env]).toEqual([
      ['A', '1'],
      ['B', 'two words'],
    ]);
    expect(facts.copies).toEqual([{ sources: ['package.json'], dest: './', target: '/' }]);
    expect(facts.command).toBe('npm run dev');
  });
});

describe('where a Flask app is created (issue 12 item 9)', () => {
  it('names the file from FLASK_APP, the compose command, gunicorn module:app, flask --app, python path.py', () => {
    expect(findFlaskEntry({ files: files({}), environment: new Map([['FLASK_APP', 'project']]) }).candidates.slice(0, 2)).toEqual(['project.py', 'project/__init__.py']);
    expect(findFlaskEntry({ files: files({}), command: 'gunicorn -c "python:config.gunicorn" -w 4 "hello.app:create_app()"' }).candidates.slice(0, 2)).toEqual([
      'hello/app.py',
      'hello/app/__init__.py',
    ]);
    expect(findFlaskEntry({ files: files({}), command: 'flask --app src.server run --host 0.0.0.0' }).candidates[0]).toBe('src/server.py');
    expect(findFlaskEntry({ files: files({}), command: 'waitress-serve --port=8080 api.main:app' }).candidates[0]).toBe('api/main.py');
    const script = findFlaskEntry({ files: files({}), command: 'python3 src/app.py' });
    expect(script.candidates[0]).toBe('src/app.py');
    expect(script.moduleDir).toBe('src');
    const docker = findFlaskEntry({ files: files({ Dockerfile: lf('FROM python:3.12', 'ENV FLASK_APP=web.wsgi', 'CMD ["flask", "run"]') }) });
    expect(docker.candidates[0]).toBe('web/wsgi.py');
    expect(docker.from).toBe('FLASK_APP=web.wsgi');
  });

  function input(map: Record<string, string>, over: Partial<InstrumentInput> = {}): InstrumentInput {
    return { serviceDir: 'api', serviceName: 'api', backends: { honeycomb: true, xray: false, cloudwatch: false, rollbar: false }, files: files(map), template: templateLoader('flask'), ...over };
  }

  it('edits an app factory in a package, after a Flask(...) call over several lines', () => {
    const init = lf(
      'from flask import Flask',
      '',
      'def create_app(config=None):',
      '    app = Flask(',
      '        __name__,',
      '        instance_relative_config=True,',
      '    )',
      '    app.config.from_object(config)',
      '    return app',
    );
    const plan = planFlask(input({ 'requirements.txt': 'flask\n', 'project/__init__.py': init }, { command: 'flask --app project run' }));
    const edit = plan.changes.find((c) => c.path === 'api/project/__init__.py');
    expect(edit?.after).toBe(
      lf(
        'from flask import Flask',
        '',
        'def create_app(config=None):',
        '    app = Flask(',
        '        __name__,',
        '        instance_relative_config=True,',
        '    )',
        '    from observability import init_observability',
        '    init_observability(app)',
        '    app.config.from_object(config)',
        '    return app',
      ),
    );
    expect(plan.changes.map((c) => c.path)).toContain('api/observability.py');
  });

  it('a script started as python src/app.py gets the module beside it, where its import finds it', () => {
    const plan = planFlask(input({ 'requirements.txt': 'flask\n', 'src/app.py': lf('from flask import Flask', 'app = Flask(__name__)') }, { command: 'python src/app.py' }));
    expect(plan.changes.map((c) => c.path)).toEqual(['api/src/observability.py', 'api/requirements.txt', 'api/src/app.py']);
  });

  it('a package found without any command (project/__init__.py)', () => {
    const plan = planFlask(input({ 'requirements.txt': 'flask\n', 'project/__init__.py': lf('from flask import Flask', 'app = Flask(__name__)') }));
    expect(plan.changes.map((c) => c.path)).toContain('api/project/__init__.py');
  });
});

describe('package managers (issue 12 item 10)', () => {
  it('Node: lock files, then packageManager, then the Dockerfile', () => {
    expect(nodePackageManager(context({ 'package.json': '{}', 'yarn.lock': '' }))).toBe('yarn');
    expect(nodePackageManager(context({ 'package.json': '{}', 'pnpm-lock.yaml': '' }))).toBe('pnpm');
    expect(nodePackageManager(context({ 'package.json': '{}', 'package-lock.json': '' }))).toBe('npm');
    expect(nodePackageManager(context({ 'package.json': '{"packageManager": "yarn@4.1.0"}' }))).toBe('yarn');
    expect(nodePackageManager(context({ 'package.json': '{}', Dockerfile: 'RUN corepack enable && pnpm install --frozen-lockfile\n' }))).toBe('pnpm');
    expect(nodePackageManager(context({ 'package.json': '{}' }))).toBe('npm');
  });

  it('Python: uv and poetry edit pyproject.toml even beside a requirements.txt, and lock', () => {
    const uv = context({ 'pyproject.toml': '[project]\n', 'uv.lock': '', 'requirements.txt': 'flask\n' });
    expect(pythonPackageManager(uv)).toBe('uv');
    expect(pythonManifest(uv, 'uv')).toBe('pyproject.toml');
    expect(pythonPackageManager(context({ 'pyproject.toml': '[tool.poetry.dependencies]\npython = "^3.12"\n' }))).toBe('poetry');
    expect(pythonPackageManager(context({ 'pyproject.toml': '[project]\n', Dockerfile: 'RUN uv sync --frozen\n' }))).toBe('uv');
    expect(pythonPackageManager(context({ 'requirements.txt': 'flask\n' }))).toBe('pip');
    expect(installSteps('uv', '', 'web')).toEqual(['uv lock (updates uv.lock)', 'docker compose build web']);
    expect(installSteps('poetry', 'backend', 'api')).toEqual(['(cd backend && poetry lock) (updates backend/poetry.lock)', 'docker compose build api']);
    expect(installSteps('pip', 'backend', 'api')).toEqual(['docker compose build api']);
    expect(installSteps('yarn', 'frontend', 'web')).toEqual(['(cd frontend && yarn install) (updates frontend/yarn.lock)', 'docker compose build web']);
  });

  it('planFlask on a poetry project: pyproject.toml, not the exported requirements.txt', () => {
    const pyproject = lf('[tool.poetry.dependencies]', 'python = "^3.12"', 'flask = "^3.0"');
    const plan = planFlask({
      serviceDir: '',
      serviceName: 'web',
      backends: { honeycomb: true, xray: false, cloudwatch: false, rollbar: false },
      files: files({ 'pyproject.toml': pyproject, 'poetry.lock': '', 'requirements.txt': 'flask==3.0.0\n', 'app.py': lf('from flask import Flask', 'app = Flask(__name__)') }),
      template: templateLoader('flask'),
    });
    expect(plan.changes.map((c) => c.path)).toEqual(['observability.py', 'pyproject.toml', 'app.py']);
    expect(plan.install?.commands).toEqual(['poetry lock (updates poetry.lock)', 'docker compose build web']);
  });

  it('planNode on a yarn project says yarn install, never npm install', () => {
    const plan = planNode({
      serviceDir: 'web',
      serviceName: 'web',
      backends: { honeycomb: true, xray: false, cloudwatch: false, rollbar: false },
      files: files({ 'package.json': '{\n  "dependencies": {\n    "express": "^4.21.2"\n  }\n}\n', 'yarn.lock': '' }),
      template: templateLoader('node'),
    });
    expect(plan.install?.commands).toEqual(['(cd web && yarn install) (updates web/yarn.lock)', 'docker compose build web']);
    expect(JSON.stringify([plan.notes, plan.install])).not.toContain('npm install');
  });
});
