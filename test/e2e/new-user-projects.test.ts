import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, removeScratchDirs, runObs, tempProject } from '../support/run-obs.js';

/**
 * obs run as a new user would on three public projects it had not seen (a Poetry Flask app, an
 * Express app on an old Node image, a Rails app), test/fixtures/instrument/<owner>__<repo>/SOURCE.txt:
 * what init writes, the next steps it prints, and that remove gives the tree back.
 */
const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'instrument');

afterAll(() => removeScratchDirs());

interface InitJson {
  choices: { services: string[] };
  changes: { path: string; diff: string }[];
  notes: { kind: string; service?: string; message: string }[];
  nextSteps: string[];
}

async function init(dir: string, args: string[]): Promise<InitJson> {
  const run = await runObs(['init', '--yes', '--json', ...args], { cwd: dir });
  expect(run.exitCode, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as InitJson;
}

/** Every file under `dir` (but .git) with its bytes, to compare a tree before and after. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const rel = relative(dir, path);
    if (rel.split(/[\\/]/)[0] === '.git') continue;
    files.set(rel, await readFile(path, 'latin1'));
  }
  return files;
}

describe('arjpaiva/DevOps-Course-Starter: Flask app factory, Poetry, only docker-compose.{dev,prod}.yml', () => {
  it('adds the OpenTelemetry packages to [tool.poetry.dependencies] and says poetry lock, then the build with -f', async () => {
    const dir = await tempProject(join(FIXTURES, 'arjpaiva__DevOps-Course-Starter'));
    const json = await init(dir, ['-f', 'docker-compose.prod.yml', '--no-xray']);
    expect(json.choices.services).toEqual(['web']);
    const pyproject = json.changes.find((c) => c.path === 'pyproject.toml')!.diff;
    expect(pyproject).toContain(
      [
        ' gunicorn = "^20.0.4"',
        // python = "^3.8" (and FROM python:3.8): the last release for Python 3.8, which poetry lock can resolve.
        '+opentelemetry-api = "1.33.1"',
        '+opentelemetry-sdk = "1.33.1"',
        '+opentelemetry-exporter-otlp-proto-http = "1.33.1"',
        '+opentelemetry-instrumentation-flask = "0.54b1"',
        '+opentelemetry-instrumentation-requests = "0.54b1"',
        ' ',
        ' [tool.poetry.dev-dependencies]',
      ].join('\n'),
    );
    // compose reads neither file by itself: a command without -f fails with "no configuration file provided".
    expect(json.nextSteps).toContain('Install what obs added to pyproject.toml (poetry): poetry lock (updates poetry.lock), then docker compose -f docker-compose.prod.yml build web');
    // web loads .env through env_file; behind the collector it does not use the key: the shell holds it.
    expect(json.nextSteps[0]).toMatch(/before docker compose -f docker-compose\.prod\.yml up \(not in \.env: web loads it\)$/);
  });

  it("shows the call in create_app() as two added lines, not the app's next line taken out and put back", async () => {
    const dir = await tempProject(join(FIXTURES, 'arjpaiva__DevOps-Course-Starter'));
    const json = await init(dir, ['-f', 'docker-compose.prod.yml', '--no-xray', '--dry-run']);
    expect(json.changes.find((c) => c.path === 'app.py')!.diff).toContain(
      ['     app = Flask(__name__)', '+    from observability import init_observability', '+    init_observability(app)', "     app.config.from_object('flask_config.Config')"].join('\n'),
    );
  });

  // Found on this project with FROM python:3.12: the release was chosen from the image's Python, but
  // `poetry lock` resolves for the declared range (python = "^3.8"): with 1.45.1/0.66b1 pinned it failed
  // ("opentelemetry-exporter-otlp-proto-http requires Python >=3.10 ... version solving failed").
  it('pins the release for the lowest Python the project declares (python = "^3.8"), which poetry lock resolves, and says how to get the newest', async () => {
    const dir = await tempProject(join(FIXTURES, 'arjpaiva__DevOps-Course-Starter'));
    const { writeFile } = await import('node:fs/promises');
    const dockerfile = await readFile(join(dir, 'Dockerfile'), 'utf8');
    await writeFile(join(dir, 'Dockerfile'), dockerfile.replace('FROM python:3.8 as base', 'FROM python:3.12 as base'));
    const json = await init(dir, ['-f', 'docker-compose.prod.yml', '--no-xray', '--dry-run']);
    const pyproject = json.changes.find((c) => c.path === 'pyproject.toml')!.diff;
    expect(pyproject).toContain('+opentelemetry-sdk = "1.33.1"');
    expect(pyproject).toContain('+opentelemetry-instrumentation-flask = "0.54b1"');
    expect(json.notes.map((n) => n.message)).toContain(
      'web: pyproject.toml allows Python ^3.8 and poetry locks for all of it, so obs pins OpenTelemetry 1.33.1, the last release for Python 3.8; the image runs 3.12, which 1.45.1 supports: raise the lower bound to 3.12 to get it',
    );
  });

  it('remove gives back every file byte for byte, the Poetry dependencies obs added to pyproject.toml included', async () => {
    const dir = await tempProject(join(FIXTURES, 'arjpaiva__DevOps-Course-Starter'));
    const before = await snapshot(dir);
    await init(dir, ['-f', 'docker-compose.prod.yml', '--pipeline', 'direct']);
    const removed = await runObs(['remove', '--yes'], { cwd: dir });
    expect(removed.exitCode, removed.stderr).toBe(0);
    const after = await snapshot(dir);
    // pyproject.toml has no place for obs's marker: obs.yaml recorded the `name = "version"` lines init added.
    expect(removed.stderr).not.toMatch(/cannot tell which/);
    expect(after).toEqual(before);
  });
});

describe('danielfsousa/express-rest-es2017-boilerplate: Express on FROM node:8-alpine, yarn, pm2', () => {
  it('writes no code for a Node older than the SDK supports and leaves package.json alone', async () => {
    const dir = await tempProject(join(FIXTURES, 'danielfsousa__express-rest-es2017-boilerplate'));
    const json = await init(dir, ['--dry-run', '--no-xray']);
    const paths = json.changes.map((c) => c.path);
    expect(paths).not.toContain('tracing.cjs');
    expect(paths).not.toContain('package.json');
    expect(json.notes.map((n) => n.message).join('\n')).toContain('Dockerfile FROM node:8-alpine is older than the OpenTelemetry JS SDK obs writes supports');
    // Said as plainly as for the other services that send nothing (a `!` line, not a `-` one).
    expect(json.notes.filter((n) => n.kind === 'sends-nothing').map((n) => n.message)).toEqual([expect.stringMatching(/until then it sends nothing$/)]);
  });

  // Report of session trial8: init added the missing final newline before its placeholders, and
  // remove left it. Init keeps the file without one now (test/unit/project-files-final-newline.test.ts).
  it('remove gives .env.example back byte for byte when it had no final newline', async () => {
    const dir = await tempProject(join(FIXTURES, 'danielfsousa__express-rest-es2017-boilerplate'));
    const before = await readFile(join(dir, '.env.example'), 'utf8');
    expect(before.endsWith('\n')).toBe(false);
    await init(dir, []);
    const removed = await runObs(['remove', '--yes'], { cwd: dir });
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(await readFile(join(dir, '.env.example'), 'utf8')).toBe(before);
  });
});

describe('ryanwi/rails7-on-docker: Rails 7.2, gems installed by the entrypoint into a volume', () => {
  // The app loads .env through env_file. Behind the collector only the collector needs the Honeycomb
  // key and the AWS keys: written into .env they would reach the app's container too.
  it('collector pipeline: the keys only the collector needs stay out of the .env the app loads, and the next steps say where to set them', async () => {
    const dir = await tempProject(join(FIXTURES, 'ryanwi__rails7-on-docker'));
    const { copyFile } = await import('node:fs/promises');
    await copyFile(join(dir, '.env.example'), join(dir, '.env'));
    const json = await init(dir, ['--pipeline', 'collector', '--xray']);
    for (const file of ['.env', '.env.example']) {
      const text = await readFile(join(dir, file), 'utf8');
      for (const key of ['HONEYCOMB_API_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) expect(text, file).not.toMatch(new RegExp(`^${key}=`, 'm'));
    }
    expect(json.notes.map((n) => n.message)).toContainEqual(
      expect.stringMatching(/^\.env is also loaded through env_file by web, which does not use them: obs did not add HONEYCOMB_API_KEY, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY/),
    );
    expect(json.nextSteps[0]).toMatch(/^Set HONEYCOMB_API_KEY, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION in your shell before docker compose up \(not in \.env: web loads it\)/);
  });

  it('direct pipeline: the app sends to Honeycomb itself, so the key may go into the .env it loads', async () => {
    const dir = await tempProject(join(FIXTURES, 'ryanwi__rails7-on-docker'));
    const { copyFile } = await import('node:fs/promises');
    await copyFile(join(dir, '.env.example'), join(dir, '.env'));
    await init(dir, ['--pipeline', 'direct', '--no-xray']);
    expect(await readFile(join(dir, '.env'), 'utf8')).toMatch(/^HONEYCOMB_API_KEY=$/m);
  });

  it('adds the gems and the initializer; remove gives the tree back, the .env lines of the user included', async () => {
    const dir = await tempProject(join(FIXTURES, 'ryanwi__rails7-on-docker'));
    const { copyFile } = await import('node:fs/promises');
    await copyFile(join(dir, '.env.example'), join(dir, '.env'));
    const before = await snapshot(dir);
    const json = await init(dir, ['--pipeline', 'collector']);
    expect(json.choices.services).toEqual(['web']);
    expect(json.changes.map((c) => c.path)).toEqual(expect.arrayContaining(['config/initializers/opentelemetry.rb', 'Gemfile', 'compose.yaml']));
    const gemfile = json.changes.find((c) => c.path === 'Gemfile')!.diff;
    for (const gem of ['opentelemetry-sdk', 'opentelemetry-exporter-otlp', 'opentelemetry-instrumentation-rails', 'opentelemetry-instrumentation-pg', 'opentelemetry-instrumentation-redis'])
      expect(gemfile).toContain(`+gem "${gem}"`);
    // The gems live in the named volume on /usr/local/bundle (the image installs none; the entrypoint runs
    // bundle install into it), and the app folder is bind-mounted: a rebuild adds nothing, a one-off
    // `bundle install` in the container installs into the volume and updates Gemfile.lock on the host.
    expect(json.nextSteps).toContain(
      'Install what obs added to Gemfile (bundler): docker compose run --rm web bundle install (the gems live in the volume bundle on /usr/local/bundle, which a rebuild does not update; Gemfile.lock is updated through the bind mount)',
    );
    const removed = await runObs(['remove', '--yes'], { cwd: dir });
    expect(removed.exitCode, removed.stderr).toBe(0);
    expect(await snapshot(dir)).toEqual(before);
  });
});
